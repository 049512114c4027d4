"""Where an answer sits in text: ``\\boxed{}``, "the answer is ...", LaTeX text wrappers.

The one home of these patterns: the solver (``pot.answers``) finds answers with
them and the judges (``pot.tasks.judge_*``) read predictions with them, so a
model's answer is read the same way when it is found and when it is judged.
This module imports only the standard library (``pot.tasks`` imports nothing
from pot's core, and the core may import from here).
"""

from __future__ import annotations

import re

WRAPPER_COMMANDS = ("boxed", "fbox", "text", "textbf", "textit", "textrm", "mathrm", "mbox")
"""LaTeX commands whose argument is the answer itself (``\\text{Yes}`` is ``Yes``)."""

_WRAPPER = re.compile(r"\\(" + "|".join(WRAPPER_COMMANDS) + r")\s*\{")
_TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mbox)\s*\{")
# "**Final answer:**\n\n42": Markdown emphasis around the statement is skipped.
_ANSWER_IS = re.compile(
    r"\banswer[*_]*\s*(?:is|:|=)\s*:?(?:[*_]+(?=\s))?\s*([^\n]*)", re.IGNORECASE
)
# A full stop ends the stated answer ("is 42. So...") but not "3.5" or "Mr. Smith".
_SENTENCE_END = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bJr)(?<!\bSr)(?<!\bvs)"
    r"\.(?:\s|$)"
)
_PLACEHOLDERS = frozenset(
    {"answer", "the answer", "final answer", "the final answer", "your answer"}
    | {"your final answer", "answer here", "...", "…", ""}
)


def closing_brace(text: str, opening: int) -> int | None:
    """The index of the ``}`` that closes the ``{`` at ``opening``, or None if it never closes."""
    depth = 0
    for position in range(opening, len(text)):
        if text[position] == "{" and (position == 0 or text[position - 1] != "\\"):
            depth += 1
        elif text[position] == "}" and (position == 0 or text[position - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return position
    return None


def last_boxed(text: str) -> str | None:
    """The content of the last complete ``\\boxed{...}`` (braces balanced), or None.

    ``"\\boxed{\\frac{1}{2}} then \\boxed{3}"`` gives ``"3"``; a box that never
    closes gives None.
    """
    start = text.rfind("\\boxed")
    if start < 0:
        return None
    brace = text.find("{", start)
    if brace < 0 or text[start + len("\\boxed") : brace].strip():
        return None
    end = closing_brace(text, brace)
    return None if end is None else text[brace + 1 : end]


def unwrap(text: str, pattern: re.Pattern[str] = _WRAPPER) -> str:
    """Replace each wrapper command by its argument: ``\\boxed{\\text{42} m}`` -> ``42 m``.

    Braces inside the argument are kept balanced (``\\text{f(\\{1\\})}`` works);
    a wrapper that never closes is left as it is. One pass, however deep the nesting.
    """
    pairs = _brace_pairs(text)
    dropped = [False] * len(text)
    for match in pattern.finditer(text):
        end = pairs.get(match.end() - 1)
        if end is not None:
            dropped[match.start() : match.end()] = [True] * (match.end() - match.start())
            dropped[end] = True
    return "".join(character for character, drop in zip(text, dropped, strict=True) if not drop)


def _brace_pairs(text: str) -> dict[int, int]:
    """Opening brace index -> its closing brace index (escaped ``\\{`` ``\\}`` skipped)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for position, character in enumerate(text):
        if character not in "{}" or (position and text[position - 1] == "\\"):
            continue
        if character == "{":
            stack.append(position)
        elif stack:
            pairs[stack.pop()] = position
    return pairs


def strip_text_wrappers(answer: str) -> str:
    """Remove ``\\text{...}`` (and ``\\textbf``, ``\\mathrm``...) from an answer in words.

    ``\\text{Owen is a sage}`` -> ``Owen is a sage``; ``\\text{(B)}`` -> ``(B)``. An
    answer that stays LaTeX once unwrapped (``\\frac{1}{2}\\text{ cm}``) is left as
    it is, for the math judge to read.
    """
    if not _TEXT_WRAPPER.search(answer):
        return answer
    unwrapped = unwrap(answer, _TEXT_WRAPPER)
    if "\\" in unwrapped or "^" in unwrapped or "_" in unwrapped:
        return answer
    return " ".join(unwrapped.split())


def is_placeholder(value: str) -> bool:
    """Whether a stated answer only repeats the template, e.g. ``\\boxed{answer}``."""
    if value.strip() in ("''", '""'):
        return False  # the empty string, written as a Python literal
    core = unwrap(value).strip(" \t.:;$`*\"'").casefold()
    return core in _PLACEHOLDERS


def stated_answer(text: str) -> str | None:
    """The answer stated as "the answer is X" / "Answer: X" / "answer = X" (the last one).

    X is the rest of its line (or the next line when the statement ends its
    line), up to a full stop that ends the sentence. A placeholder copied from
    the instructions, or a ``\\boxed{`` that never closes, is no answer.

    Args:
        text: Text written by a model or printed by a program.

    Returns:
        X, stripped of surrounding spaces, or None.
    """
    for match in reversed(_ANSWER_IS.findall(text)):
        value = _SENTENCE_END.split(match, maxsplit=1)[0].strip()
        if value and not is_placeholder(value) and not value.startswith(("\\boxed", "```")):
            return value
    return None


def find_stated(text: str) -> str | None:
    """The answer a text states: its last ``\\boxed{}``, else its last "the answer is ...".

    A placeholder (``\\boxed{answer}``) is no answer.
    """
    boxed = last_boxed(text)
    if boxed is not None and boxed.strip() and not is_placeholder(boxed):
        return boxed.strip()
    return stated_answer(text)


def answer_part(text: str) -> str:
    """What a judge should read in a prediction: the stated answer, else all of it."""
    stated = find_stated(text)
    return text if stated is None else stated
