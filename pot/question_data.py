"""The question's own text in the kernel, for problems that carry long data.

A small model solving a problem about a 10x10 grid, a list of 30 numbers or a long
string first types that data into its program, and typing is where it goes wrong: a
row dropped, a digit changed, or the program cut off at the token limit before it
computes anything (the 1.5B typed a 24x24 grid as Python lists and ran out of 768
tokens twice). When a question carries such data, pot defines the string
``question`` in the kernel before each program runs and tells the model so, and the
program can parse the data instead of retyping it. Short questions are left as they
are: their programs have nothing to retype.
"""

from __future__ import annotations

import re

from pot.notation import is_grid_row

VARIABLE = "question"
"""The name the question's text has in the kernel."""

NOTE = (
    "\n\n(The text of this problem is already in the Python string variable "
    f"`{VARIABLE}`: parse long data such as a grid, a list or a long string from it "
    "instead of typing it into the program.)"
)
"""What the model is told, after the question, when the question has long data."""

_LONG_BRACKETS = re.compile(r"[\[{][^\]}\n]{60,}[\]}]")
_LONG_QUOTED = re.compile(r"(?<!\w)(?:\"[^\"\n]{60,}\"|'[^'\n]{60,}')(?!\w)")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_LONG_WORD = re.compile(r"\S{60,}")


def has_long_data(question: str) -> bool:
    """Whether ``question`` carries data a program would otherwise retype: a grid of
    three rows or more, a bracketed list or a quoted string of 60 characters or
    more, a line of 12 numbers or more, or a run of 60 characters without a space."""
    if _LONG_BRACKETS.search(question) or _LONG_QUOTED.search(question):
        return True
    if _LONG_WORD.search(question):
        return True
    if any(len(_NUMBER.findall(line)) >= 12 for line in question.splitlines()):
        return True
    best = run = 0
    for line in question.splitlines():
        run = run + 1 if is_grid_row(line) else 0
        best = max(best, run)
    return best >= 3


def setup_code(question: str) -> str:
    """The code that defines the question's text in the kernel."""
    return f"{VARIABLE} = {question!r}"
