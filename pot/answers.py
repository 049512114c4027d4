"""Final answers: find them in text or program output, and normalise them.

An answer comes from ``\\boxed{...}``, from an explicit "the answer is ...",
or from the last line a program printed. Normalising strips the wrapping a
model adds (LaTeX, currency signs, thousands separators, a trailing full stop)
so that answers can be compared and voted on.

The patterns live in ``pot.tasks.answer_text`` and ``pot.tasks.numbers``, shared
with the judges, so an answer is read the same way when it is found and when it
is judged (``pot.tasks`` imports nothing from pot's core; the core imports from it).
"""

from __future__ import annotations

import ast
import re
from enum import Enum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from pot.float_noise import finite_decimal, without_float_noise
from pot.reprs import without_reprs
from pot.sequences import number_sequence
from pot.tasks.answer_text import (
    is_placeholder,
    last_boxed,
    stated_answer,
    strip_text_wrappers,
    unwrap,
)
from pot.tasks.numbers import read_whole_number

__all__ = [
    "AnswerSource",
    "FoundAnswer",
    "answer_key",
    "find_answer",
    "is_placeholder",
    "normalize_answer",
    "printed_answer",
]


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
    RESTATED = "restated"
    """A program's answer restated by the model in the form the question asks for."""
    NONE = "none"
    """No answer was found."""


class FoundAnswer(BaseModel):
    """A raw answer and where it was found."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    source: AnswerSource


# "Total cost: $18", "x = 5", "The final answer is: 42": a label, then the value. A label
# starts with a letter and holds no brackets or quotes, so "{joseph: daniel}" is no label,
# and ":" separates only before a space, so "The time is 03:10:44" keeps its time.
_LABELLED = re.compile(
    r"^(?P<label>[A-Za-z][^:=\[\]{}\"'<>!]*?)\s*(?::\s+|=(?!=)\s*)(?P<value>\S.*)$", re.DOTALL
)
_STATED_LABEL = re.compile(r"\banswer (?:is|was|would be) \S", re.IGNORECASE)
"""A "label" that states the answer already (``The answer is E`` of ``The answer is
E=1,F=2``): the line is a statement, not a label and its value."""
_SEPARATOR = re.compile(r":\s|(?<![=!<>])=(?!=)")
_OPENING, _CLOSING = "([{", ")]}"
MAX_ANSWER_LINES = 200
"""Most lines a printed answer may span (a list or array printed over several lines, or
an answer of several lines: see :mod:`pot.notation`)."""
_CHOICE = re.compile(r"^\(?([A-Za-z])\)$")
_PLACES_KEPT = re.compile(r"[-+]?\d+\.\d{0,5}0")
"""A decimal of up to six places ending in a zero (``0.980``, ``12.50``): Python prints
no float that way (``0.98``), so a format put the places there, as the question asked."""
_MIXED = re.compile(r"(\d)\s*(?=\\[dt]?frac\{)")
_LATEX_FRAC = re.compile(r"\\[dt]?frac\{([^{}]+)\}\{([^{}]+)\}")
SOLVED = re.compile(r"(\[)?\{[A-Za-z_]\w*: (?P<value>[^{}:,]*\d[^{}:,]*)\}(?(1)\])")
"""A solution of one unknown as sympy's ``solve`` prints it: ``{x: 5}``, ``[{x: 5}]``."""
_ASSIGNED = re.compile(r"^[A-Za-z_]\w{0,30}\s*=\s*([^=]+)$")
"""``x = 5``: one name given one value (votes and agreement read the value)."""
_CLAUSE_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*", re.IGNORECASE)
_CLAUSE = re.compile(r"\S+(?:\s+\S+)*?\s+(?:is|are|was|were)\s+\S.*", re.IGNORECASE)
"""A statement of one thing: ``Sophia is a sage``, ``the ball is red``."""
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2})|:(\d{1,2}):(\d{1,2})(\.\d+)?)$")
"""A clock: ``3:10``, ``03:10:44``, and with seconds, as a program may print one unpadded
or to microseconds (``9:7:8.480000``): the same time as ``09:07:08.480`` to a vote."""
_TIMES = re.compile(r"\s*(?:×|\\times|\\cdot|\*|·|⋅)\s*")


def find_answer(text: str) -> FoundAnswer | None:
    """The final answer stated in a model's text, if any.

    The last ``\\boxed{...}`` wins; otherwise the last "the answer is ...". A
    placeholder copied from the instructions (``\\boxed{answer}``) is no answer.
    A ``\\text{...}`` around an answer in words is removed
    (``\\boxed{\\text{Owen is a sage}}`` -> ``Owen is a sage``).

    Args:
        text: Text written by the model (or printed by a program).

    Returns:
        The raw answer and its source, or None.
    """
    boxed = last_boxed(text)
    if boxed is not None and boxed.strip() and not is_placeholder(boxed):
        return FoundAnswer(value=strip_text_wrappers(boxed.strip()), source=AnswerSource.BOXED)
    stated = stated_answer(text)
    if stated is not None:
        return FoundAnswer(value=strip_text_wrappers(stated), source=AnswerSource.ANSWER_IS)
    return None


def printed_answer(stdout: str, result: str | None = None) -> FoundAnswer | None:
    """The answer a program gave: its last printed line, else its last expression.

    The last line that is not blank is the answer, whole: a list, dict or array
    printed over several lines counts from the line that opens its brackets;
    lines printed before it (debug output, ``answer = 41`` followed by ``42``)
    never win. On that line a ``\\boxed{}`` gives its content, and a label gives
    the part after it (``Answer: 42``, ``Total cost: $18``, ``x = 5``), unless the
    rest holds labels of its own (``x = 5, y = 6`` stays whole) or the line states the
    answer before the label's separator (``The answer is E=1,F=2`` is ``E=1,F=2``).

    Args:
        stdout: What the program printed.
        result: text/plain of the value of the program's last expression.

    Returns:
        The raw answer (source ``BOXED`` or ``ANSWER_IS`` when the line states it,
        else ``PRINTED``), or None.
    """
    block = _last_printed(stdout)
    if block is None:
        if result is not None and result.strip():
            return FoundAnswer(value=result.strip(), source=AnswerSource.PRINTED)
        return None
    boxed = last_boxed(block)
    if boxed is not None and boxed.strip() and not is_placeholder(boxed):
        return FoundAnswer(value=strip_text_wrappers(boxed.strip()), source=AnswerSource.BOXED)
    labelled = _LABELLED.match(block)
    if labelled is not None and _STATED_LABEL.search(labelled.group("label")):
        labelled = None  # "The answer is E=1,F=2": the statement holds the whole answer
    if labelled is not None:
        label, value = labelled.group("label"), labelled.group("value").strip()
        if "answer" in label.casefold() and not is_placeholder(value):
            return FoundAnswer(value=value, source=AnswerSource.ANSWER_IS)
        if not _SEPARATOR.search(value):
            return FoundAnswer(value=value, source=AnswerSource.PRINTED)
    stated = stated_answer(block)
    if stated is not None:
        return FoundAnswer(value=stated, source=AnswerSource.ANSWER_IS)
    return FoundAnswer(value=block, source=AnswerSource.PRINTED)


def _last_printed(stdout: str) -> str | None:
    """The last printed line that is not blank, with the lines its brackets span."""
    lines = stdout.rstrip().splitlines()
    if not lines:
        return None
    block = lines[-1].rstrip()
    for start in range(len(lines) - 2, max(-1, len(lines) - MAX_ANSWER_LINES), -1):
        if _depth(block) >= 0:
            break
        block = f"{lines[start].rstrip()}\n{block}"
    else:
        if _depth(block) < 0:
            return lines[-1].strip()  # brackets that never open: the line alone
    return block.strip()


def _depth(text: str) -> int:
    """Opening brackets minus closing ones."""
    return sum(text.count(bracket) for bracket in _OPENING) - sum(
        text.count(bracket) for bracket in _CLOSING
    )


def normalize_answer(value: str, *, as_written: bool = False) -> str:
    """A canonical form of an answer, for display, comparison and voting.

    Numbers lose currency signs, thousands separators, unit words and the zeros of a
    whole number (``"$1,000.00 dollars"`` -> ``"1000"``, ``"54.0"`` -> ``"54"``) and a
    float's rounding noise (``"0.30000000000000004"`` -> ``"0.3"``, also inside lists), and
    read as the judges read them (``"5 1/2"`` -> ``"11/2"``, ``"1.2 \\times 10^6"`` ->
    ``"1200000"``, ``"eighteen"`` -> ``"18"``); a decimal written to a few places keeps
    them (``"0.980"``: a question that asks for three decimals gets three); LaTeX
    fractions become ``a/b``; multiple-choice letters become ``(A)``; text loses
    surrounding quotes and LaTeX wrappers. Lists, dicts, times and sentences keep
    their form.

    Args:
        value: A raw answer.
        as_written: The answer is what a program printed or what the model put in a
            ``\\boxed{}``, kept as written: its spaces and a sentence's final full stop are
            part of it (``"A discussion was going on."``, a board whose columns are aligned
            with spaces); a single word or number loses a full stop (``Yes.``). Otherwise
            it was stated in the model's prose ("the answer is ..."), whose full stop ends
            the sentence, not the answer, and runs of spaces are one.

    Returns:
        The normalised answer ("" for an empty one).
    """
    value = without_reprs(value)  # [np.float64(0.5)] is [0.5], Fraction(3, 4) is 3/4
    text = value.strip()
    for _ in range(2):  # the string a Python literal holds, inside ** or $ at most
        quoted = _quoted(text)
        if quoted is not None:
            return quoted
        text = text.strip("$*").strip()
    text = without_float_noise(_strip_wrapping(value, as_written=as_written))
    number = _as_number(text)
    if number is not None:
        return number
    choice = _CHOICE.match(text)
    if choice is not None:
        return f"({choice.group(1).upper()})"
    return text


def _quoted(text: str) -> str | None:
    """The string a quoted Python literal holds (``'Yes'`` -> ``Yes``), every character
    kept: ``'001'`` stays a string of three digits, ``'5*83*23***'`` keeps its stars. A
    string that begins or ends with spaces or a line break, or is empty, stays the
    literal as written (``'  7  '``): without quotes its edges would be lost. None: no
    quoted literal."""
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "'\"":
        return None
    try:
        held = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(held, str):
        return None
    return text if not held or held != held.strip() else held


EMPTY_ANSWERS = frozenset(
    ["", "[]", "()", "{}", "set()", "none", "nan", "emptyset", "∅", "''", '""']
)
"""What a program prints when it found nothing (a search with no hit, ``solve`` with no
solution, a function that returned nothing): keyed forms, see :func:`is_empty_answer`."""


def is_empty_answer(value: str) -> bool:
    """True for an empty result: ``[]``, ``{}``, ``()``, ``set()``, ``None``, ``nan``..."""
    return normalize_answer(value).replace(" ", "").casefold() in EMPTY_ANSWERS


_OBJECT_REPR = re.compile(
    r"<(?:function|built-in (?:function|method)|bound method|method|class|module|"
    r"generator object|[\w.]+ object at 0x[0-9a-fA-F]+)\b[^\n]*>"
)


def is_object_repr(value: str) -> bool:
    """True when ``value`` is how Python shows a function, class or other object
    (``<function print at ...>``, ``<generator object <genexpr> at 0x...>``): a program
    that printed it forgot a call (``print`` with no parentheses), not an answer."""
    return _OBJECT_REPR.fullmatch(value.strip()) is not None


def answer_key(value: str) -> str:
    """The key answers are voted on: normalised, case-folded, exact for numbers, and
    the same for one answer written in the ways programs print it.

    ``"0.5"``, ``"1/2"`` and ``"\\frac{1}{2}"`` share a key; so do ``"[3, 41]"``,
    ``"(3, 41)"``, ``"3, 41"``, ``"3 41"`` and ``"3 and 41"`` (elements keyed alike,
    order kept), ``"x = 5"``, ``"{x: 5}"``, ``"[{x: 5}]"`` and
    ``"5"``, ``"A"`` and ``"(A)"``, ``"03:10"`` and ``"3:10"``, ``"3*41"`` and
    ``"3 \\times 41"``, ``"z**4"`` and ``"z^4"``, ``"Ann is a knight, and Bo is a knave"``
    and ``"Bo is a knave and Ann is a knight"`` (statements in any order). Only votes and
    agreement use keys;
    answers keep their form.
    """
    return _key(value, depth=0)


def _key(value: str, depth: int) -> str:
    normalized = " ".join(normalize_answer(value).split())
    fraction = _exact_fraction(normalized)
    if fraction is not None:
        return str(fraction)
    text = normalized
    assigned = _ASSIGNED.match(text)
    if assigned is not None and depth < 2:
        return _key(assigned.group(1), depth + 1)
    solved = SOLVED.fullmatch(text)
    if solved is not None and depth < 2:
        return _key(solved.group("value"), depth + 1)
    if _CHOICE.match(f"({text})") is not None:
        return f"({text.upper()})".casefold()
    clock = _CLOCK.match(text)
    if clock is not None:
        hours, minutes, long_minutes, seconds, fraction = clock.groups()
        if minutes is not None:
            return f"{int(hours)}:{minutes}"
        fraction = (fraction or "").rstrip("0").rstrip(".")
        return f"{int(hours)}:{int(long_minutes):02d}:{int(seconds):02d}{fraction}"
    clauses = _clauses(text)
    if clauses is not None:
        return ", ".join(sorted(clause.casefold() for clause in clauses))
    elements = _elements(text)
    if elements is not None and depth < 2:
        return ", ".join(_key(element, depth + 1) for element in elements)
    return _TIMES.sub(" × ", text.replace("**", "^")).casefold()


def _clauses(text: str) -> list[str] | None:
    """The statements of an answer that is two or more, joined by commas, semicolons or
    "and" (``Victoria is a fool, and Sophia is a sage``): one answer in any order, as the
    question's own list of people does not fix it; None for anything else."""
    parts = [part.strip().rstrip(".").strip() for part in _CLAUSE_SPLIT.split(text.strip())]
    if len(parts) < 2 or not all(_CLAUSE.fullmatch(part) for part in parts):
        return None
    return [" ".join(part.split()) for part in parts]


def _elements(text: str) -> list[str] | None:
    """The elements of a flat list, tuple or set (or "a, b"); None for anything else."""
    inner = text
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "()", "{}"):
        inner = text[1:-1]
    elif "," not in text:
        return number_sequence(text)  # "2 2 7", "-0.7868 and 0.7868": the same list
    if any(bracket in inner for bracket in "[](){}") or ":" in inner:
        return None  # nested, or a dict: keep its form
    parts = [part.strip().strip("'\"").strip() for part in inner.split(",")]
    return parts if all(parts) else None


def _strip_wrapping(value: str, as_written: bool = False) -> str:
    text = value.strip()
    boxed = last_boxed(text)
    if boxed is not None:
        text = boxed.strip()
    for _ in range(3):
        before = text
        text = text.strip().strip("$*").strip()
        text = re.sub(r"^\\\(|\\\)$|^\\\[|\\\]$", "", text).strip()
        text = strip_text_wrappers(text)
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`":
            text = text[1:-1].strip()
        if not as_written or " " not in text.strip():  # a word or number ends in no stop
            text = text.rstrip(".").strip()
        if text == before:
            break
    text = _MIXED.sub(r"\1 ", text)  # 1\frac{4}{5} is one and four fifths, not 14/5
    text = _LATEX_FRAC.sub(r"\1/\2", text)
    text = text.replace("\\%", "%").replace("\\!", "").replace("\\,", "")
    if as_written:  # only line ends go (a puzzle's layout stays)
        return "\n".join(line.rstrip() for line in text.splitlines())
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)  # rows of a grid stay rows


def _as_number(text: str) -> str | None:
    number = read_whole_number(text)
    if number is None:
        return None
    if number.base != 10:
        return str(number)
    value = number.value
    if value.denominator == 1:
        return str(value.numerator)
    if _PLACES_KEPT.fullmatch(text):
        return text.lstrip("+")  # written to these places on purpose: a float never is
    if "/" in text or "frac" in unwrap(text):
        return str(value)  # written as a fraction: stays one, reduced ("6/8" -> "3/4")
    decimal = finite_decimal(value)
    return decimal if decimal is not None else str(value)


_FULL_FLOAT = re.compile(r"[-+]?(\d+)\.(\d+)")
"""A decimal as Python prints a float, checked for its 15 or more significant digits."""


def _exact_fraction(text: str) -> Fraction | None:
    """The number ``text`` is, exactly; a float printed in full (15 or more significant
    digits: ``17.666666666666664``, ``0.3333333333333333``) as the value it stands for,
    :func:`float_meant`, so that two programs' roundings of one quantity agree."""
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None
    full = _FULL_FLOAT.fullmatch(text)
    if full is not None and len((full.group(1) + full.group(2)).lstrip("0")) >= 15:
        return float_meant(value)
    return value


def float_meant(value: Fraction) -> Fraction:
    """What a float printed in full stands for: a fraction of denominator up to 1000 within
    its rounding (``17.666666666666664`` and ``17.666666666666667`` are 53/3), else its
    first 12 significant digits (``3.141592653589793`` and ``3.14159265358979`` agree)."""
    near = value.limit_denominator(1000)
    if abs(near - value) <= abs(value) * Fraction(1, 10**12):
        return near
    return Fraction(f"{float(value):.12g}")
