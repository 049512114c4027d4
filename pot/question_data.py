"""The data a question carries, in the kernel as ``data``, for the program to parse.

A small model solving a problem about a 10x10 grid, a list of 30 numbers or a long
string first types that data into its program, and typing is where it goes wrong: a
row dropped, a digit changed, or the program cut off at the token limit before it
computes anything (the 1.5B typed a 24x24 grid as Python lists and ran out of 768
tokens twice). When a question carries such data, pot defines the string ``data``
in the kernel before each program runs, holding exactly that part of the question
(a grid's rows, one a line; a bracketed list as written; a long string without its
quotes), and tells the model so. Given the whole question instead, the 1.5B parsed
its prose as grid rows. Short questions are left as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pot.grids import is_grid_row

VARIABLE = "data"
"""The name the question's data has in the kernel."""

_LONG_BRACKETS = re.compile(r"[\[{][^\]}\n]{60,}[\]}]")
_NESTED = re.compile(r"\[\s*\[[^\[\]]*\](?:\s*,\s*\[[^\[\]]*\])+\s*\]")
_LONG_QUOTED = re.compile(r"(?<!\w)(?:\"([^\"\n]{60,})\"|'([^'\n]{60,})')(?!\w)")
_NUMBERS = re.compile(r"(?:[-+]?\d+(?:\.\d+)?(?:,\s*|;\s*|\s+)){11,}[-+]?\d+(?:\.\d+)?")
_LONG_WORD = re.compile(r"\S{60,}")
_NUMPY_ROW = re.compile(r"\s*\[?\[([^\[\]]+)\]\]?\s*")
"""A row of a grid as NumPy prints an array: ``[[0 1 0]``, `` [1 0 1]``, `` [0 0 1]]``."""


@dataclass(frozen=True)
class QuestionData:
    """The long data of a question: its text and what it is, in words."""

    text: str
    what: str
    parse: str

    @property
    def note(self) -> str:
        """What the model is told, after the question: where the data is and the line
        that reads it (told only to parse it, the 1.5B typed it out again as its own
        ``data``, in 24 of 45 programs, and used pot's in none)."""
        return (
            f"\n\n(The {self.what} above is already defined in the kernel as the Python "
            f"string `{VARIABLE}`. Do not type it out: start the program with\n"
            f"{self.parse}\n)"
        )

    @property
    def setup(self) -> str:
        """The code that defines it in the kernel."""
        return f"{VARIABLE} = {self.text!r}"


def long_data(question: str) -> QuestionData | None:
    """The data in ``question`` a program would otherwise retype, when it has one such
    block: a grid of three rows or more (NumPy's ``[[0 1]`` rows too, read without their
    brackets), a (nested) bracketed list or a quoted string
    of 60 characters or more, a run of 60 characters without a space, or 12 numbers or
    more in a row. A question with two (examples and a test, as in ARC-style puzzles)
    gets none: which one the program needs is for the model to say."""
    grids = [rows for rows in _grids(question.splitlines()) if len(rows) >= 3]
    if grids:
        rows = grids[0]
        text = "\n".join(row.strip() for row in rows)
        cells = "line.strip(' []').split()" if "[" in text else "line.split()"
        parse = f"rows = [{cells} for line in {VARIABLE}.strip().splitlines()]  # cells as text"
        return QuestionData(text, "grid", parse) if len(grids) == 1 else None
    lists = [*_NESTED.findall(question), *_LONG_BRACKETS.findall(question)]
    lists = [found for found in lists if len(found) >= 60]  # not a short example
    if lists:
        longest = max(lists, key=len)
        inside = all(found in longest for found in lists)
        parse = f"items = ast.literal_eval({VARIABLE})"
        return QuestionData(longest, "list", parse) if inside else None
    for pattern, what, parse in (
        (_LONG_QUOTED, "quoted string (without its quotes)", f"text = {VARIABLE}"),
        (_LONG_WORD, "long string", f"text = {VARIABLE}"),
        (
            _NUMBERS,
            "list of numbers",
            f"numbers = [float(n) for n in re.findall(r'[-+]?\\d+(?:\\.\\d+)?', {VARIABLE})]",
        ),
    ):
        found = list(pattern.finditer(question))
        if found:
            return QuestionData(_inside(found[0]), what, parse) if len(found) == 1 else None
    return None


def _inside(match: re.Match[str]) -> str:
    """A match's text, or its first group that matched (a quoted string's inside)."""
    return next((group for group in match.groups() if group), match.group(0))


def _grids(lines: list[str]) -> list[list[str]]:
    """Each run of consecutive grid rows (a NumPy array's rows too: ``[[0 1 0]``)."""
    runs: list[list[str]] = [[]]
    for line in lines:
        numpy = _NUMPY_ROW.fullmatch(line)
        if is_grid_row(line) or (numpy is not None and is_grid_row(numpy.group(1))):
            runs[-1].append(line)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]
