"""Final answers: find them in text or program output, and normalise them.

An answer comes from ``\\boxed{...}``, from an explicit "the answer is ...",
or from the last value a program printed. Normalising strips the wrapping a
model adds (LaTeX, currency signs, thousands separators, a trailing full stop)
so that answers can be compared and voted on.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict


class AnswerSource(str, Enum):
    """Where a final answer came from."""

    BOXED = "boxed"
    """A ``\\boxed{...}`` in the model's text."""
    ANSWER_IS = "answer_is"
    """An explicit "the answer is ..." / "Answer: ..." in the model's text."""
    PRINTED = "printed"
    """The last value the program printed (or the value of its last expression)."""
    VOTE = "vote"
    """The majority of several samples (self-consistency)."""
    NONE = "none"
    """No answer was found."""


class FoundAnswer(BaseModel):
    """A raw answer and where it was found."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    source: AnswerSource


_ANSWER_IS = re.compile(r"\banswer\s*(?:is|:|=)\s*:?[ \t]*([^\n]*)", re.IGNORECASE)
_LABELLED_LINE = re.compile(r"^([^:=]*[A-Za-z][^:=]*)[:=]\s*(\S.*)$")
_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")
_NUMBER_WITH_UNIT = re.compile(
    r"^([-+]?[$€£]?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*%?\s*([A-Za-z][A-Za-z ]{0,20})?$"
)
_FRACTION = re.compile(r"^([-+]?\d+)\s*/\s*(\d+)$")
_LATEX_FRAC = re.compile(r"\\[dt]?frac\{([^{}]+)\}\{([^{}]+)\}")
_CHOICE = re.compile(r"^\(?([A-Za-z])\)$")
_WRAPPED = re.compile(r"\\(?:boxed|text|textbf|mathrm)\{([^{}]*)\}")
_PLACEHOLDERS = frozenset(
    {"answer", "the answer", "final answer", "the final answer", "your answer"}
    | {"your final answer", "answer here", "...", "…", ""}
)


def is_placeholder(value: str) -> bool:
    """Whether a stated answer only repeats the template, e.g. ``\\boxed{answer}``."""
    core = _WRAPPED.sub(r"\1", value).strip(" \t.:;$`*\"'").casefold()
    return core in _PLACEHOLDERS


def find_answer(text: str) -> FoundAnswer | None:
    """The final answer stated in a model's text, if any.

    The last ``\\boxed{...}`` wins; otherwise the last "the answer is ...". A
    placeholder copied from the instructions (``\\boxed{answer}``) is no answer.

    Args:
        text: Text written by the model (or printed by a program).

    Returns:
        The raw answer and its source, or None.
    """
    boxed = _last_boxed(text)
    if boxed is not None and boxed.strip() and not is_placeholder(boxed):
        return FoundAnswer(value=boxed.strip(), source=AnswerSource.BOXED)
    for match in reversed(_ANSWER_IS.findall(text)):
        # The sentence ends at a full stop followed by a space; "3.5" keeps its point.
        value = re.split(r"\.(?:\s|$)", match, maxsplit=1)[0].strip()
        # "answer is \\boxed{..." whose box never closed is no answer either
        if value and not is_placeholder(value) and not value.startswith("\\boxed"):
            return FoundAnswer(value=value, source=AnswerSource.ANSWER_IS)
    return None


def printed_answer(stdout: str, result: str | None = None) -> FoundAnswer | None:
    """The answer a program gave: its last printed value, else its last expression.

    An explicit ``\\boxed{}`` or "answer is" in the output wins. A labelled
    line such as ``Total cost: $18`` gives the part after the label.

    Args:
        stdout: What the program printed.
        result: text/plain of the value of the program's last expression.

    Returns:
        The raw answer (source ``PRINTED`` unless stated explicitly), or None.
    """
    stated = find_answer(stdout)
    if stated is not None:
        return stated
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    if lines:
        value = lines[-1]
        labelled = _LABELLED_LINE.match(value)
        if labelled is not None:
            value = labelled.group(2).strip()
        return FoundAnswer(value=value, source=AnswerSource.PRINTED)
    if result is not None and result.strip():
        return FoundAnswer(value=result.strip(), source=AnswerSource.PRINTED)
    return None


def normalize_answer(value: str) -> str:
    """A canonical form of an answer, for display, comparison and voting.

    Numbers lose currency signs, thousands separators, trailing zeros and unit
    words (``"$1,000.50 dollars"`` -> ``"1000.5"``); LaTeX fractions become
    ``a/b``; multiple-choice letters become ``(A)``; text loses surrounding
    quotes, LaTeX wrappers and a trailing full stop.

    Args:
        value: A raw answer.

    Returns:
        The normalised answer ("" for an empty one).
    """
    text = _strip_wrapping(value)
    number = _as_number(text)
    if number is not None:
        return number
    choice = _CHOICE.match(text)
    if choice is not None:
        return f"({choice.group(1).upper()})"
    return text


def answer_key(value: str) -> str:
    """The key answers are voted on: normalised, case-folded, exact for numbers.

    ``"0.5"``, ``"1/2"`` and ``"\\frac{1}{2}"`` share a key.
    """
    normalized = normalize_answer(value)
    fraction = _exact_fraction(normalized)
    if fraction is not None:
        return str(fraction)
    return normalized.casefold()


def _strip_wrapping(value: str) -> str:
    text = value.strip()
    boxed = _last_boxed(text)
    if boxed is not None:
        text = boxed.strip()
    for _ in range(3):
        before = text
        text = text.strip().strip("$*").strip()
        text = re.sub(r"^\\\(|\\\)$|^\\\[|\\\]$", "", text).strip()
        text = re.sub(r"^\\(?:text|mathrm|textbf)\{(.*)\}$", r"\1", text).strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`":
            text = text[1:-1].strip()
        text = text.rstrip(".").strip()
        if text == before:
            break
    text = _LATEX_FRAC.sub(r"\1/\2", text)
    text = text.replace("\\%", "%").replace("\\!", "").replace("\\,", "")
    return re.sub(r"\s+", " ", text)


def _as_number(text: str) -> str | None:
    fraction = _FRACTION.match(text)
    if fraction is not None and int(fraction.group(2)) != 0:
        return str(Fraction(int(fraction.group(1)), int(fraction.group(2))))
    match = _NUMBER_WITH_UNIT.match(text)
    if match is None:
        return None
    digits = re.sub(r"[$€£,\s]", "", match.group(1))
    if not _NUMBER.match(digits) or not any(character.isdigit() for character in digits):
        return None
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _exact_fraction(text: str) -> Fraction | None:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


def _last_boxed(text: str) -> str | None:
    start = text.rfind("\\boxed")
    if start < 0:
        return None
    brace = text.find("{", start)
    if brace < 0:
        return None
    depth = 0
    for position in range(brace, len(text)):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return text[brace + 1 : position]
    return None
