"""Reading one number out of an answer, exactly, and comparing two of them.

Shared by the number judge, the math judge's fast path and the solver's answer
normalisation (``pot.answers``), so that ``"$1,000"``, ``"1\\,000"``, ``"10^3"`` and
``"one thousand"`` are the same number everywhere. Values are ``Fraction``\\ s:
integers compare exactly, and only a non-integer gets a tolerance.

What counts as one number: a decimal (``1,234.5``, ``1e3``, ``.5``), a fraction
(``3/4``, ``\\frac{3}{4}``, ``\\frac34``), a mixed number (``5 1/2``, ``5\\frac{1}{2}``),
scientific notation (``1.2 \\times 10^6``), an integer power (``10^3``), a
number in another base (``1010_2``), a percentage, number words (``eighteen``,
``one hundred and five``), with currency signs, units, degrees and thousands
separators ignored and the sign kept (``-$5`` is -5). Two numbers joined as a
range or alternatives (``3-4``, ``12 and 13``, ``3 or 4``, ``1, 2``, ``\\pm 3``) are no
single number: a hedged answer is not the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from pot.tasks.answer_text import find_stated, unwrap

MAX_EXPONENT = 400
"""Largest power of ten (or integer power) read exactly; larger ones are not numbers here."""
MAX_DIGITS = 1000
"""Longest number read (in characters); a longer run of digits is not an answer."""


@dataclass(frozen=True)
class Number:
    """A number read from an answer.

    Attributes:
        value: The exact value (``"0.1"`` is 1/10, not the nearest float).
        percent: It was written with ``%`` or "percent" (``value`` is the number before it).
        base: The base it was written in (``1010_2`` has base 2 and value 10).
    """

    value: Fraction
    percent: bool = False
    base: int = 10

    def __str__(self) -> str:
        if self.base != 10:
            return f"{_in_base(int(self.value), self.base)}_{self.base}"
        text = str(self.value.numerator)
        if self.value.denominator != 1:
            try:
                text = repr(float(self.value))
            except OverflowError:  # beyond a float's range: the exact fraction
                text = str(self.value)
        return text + ("%" if self.percent else "")


_DEC = r"(?:\d+(?:\.\d*)?|\.\d+)"
_TOKEN = re.compile(
    r"(?P<pm>±\s*)?(?:(?<![\w)\]}.])(?P<sign>[-+]))?(?:"
    r"(?P<infinity>\\infty|∞)"
    r"|(?<!\w)(?P<based>[0-9A-Z]+)_\{?(?P<base>\d+)\}?(?![\w.])"
    r"|(?P<whole>\d+)(?:\s+|(?=\\frac))(?:(?P<mnum>\d+)\s*/\s*(?P<mden>\d+)(?![\d.])"
    r"|\\frac\{(?P<mnum2>\d+)\}\{(?P<mden2>\d+)\}|\\frac(?P<mnum3>\d)(?P<mden3>\d))"
    r"|\\frac\{\s*(?P<fsign>[-+]?)\s*(?P<num>" + _DEC + r")\s*\}\{\s*(?P<den>" + _DEC + r")\s*\}"
    r"|\\frac(?P<num1>\d)(?P<den1>\d)"
    r"|(?P<snum>" + _DEC + r")\s*/\s*(?P<sden>" + _DEC + r")(?![\d.])"
    r"|(?P<value>" + _DEC + r")(?:[eE](?P<exp>[-+]?\d+))?"
    r"(?:\s*(?:\\times|\\cdot|×|·|\*)\s*10\s*(?:\^|\*\*)\s*\{?\s*(?P<sci>[-+]?\d+)\s*\}?"
    r"|\s*(?:\^|\*\*)\s*\{?\s*(?P<power>[-+]?\d+)\s*\}?)?"
    r")(?P<percent>\s*(?:%|percent\b))?"
)
# Between two numbers, these make a range or alternatives: "3-4", "12 and 13", "x = 3 or x = 4".
_CONNECTOR = re.compile(
    r"\s*(?:-|–|—|~|,|;|±|to|and|and/or|or\s*(?:[A-Za-z]\s*=\s*)?|\\quad|\\qquad)\s*",
    re.IGNORECASE,
)
# A number that is one operand of an expression with an unknown: "james + 4", "32v - 3",
# "4 * x" (a name, or a name after its coefficient, then an operator, then the number).
# After the number, "/" is left out: "5 / hour" is a rate.
_NAME_BEFORE = re.compile(
    r"(?<![\\A-Za-z_])[A-Za-z_]\w*\s*(?:[+*/^×·]|\\cdot|\\times|(?<=\s)-(?=\s))\s*$"
)
_NAME_AFTER = re.compile(r"\s*(?:[+*^×·]|\\cdot|\\times|(?<=\s)-(?=\s))\s*[A-Za-z_]")
# A number beside a constant or a root is its coefficient, not the answer: "2\\pi",
# "2*pi", "\\pi/2", "3\\sqrt{2}", "\\sqrt{2}", "2e", "4i".
_CONSTANT = r"(?:\\pi(?![A-Za-z])|π|(?<![A-Za-z])pi(?![A-Za-z])|\\sqrt|√|(?<![A-Za-z])sqrt\s*\()"
_OPERATOR = r"(?:[*/×·]|\\cdot|\\times)"
_CONSTANT_BEFORE = re.compile(
    _CONSTANT
    + r"\s*(?:\{\s*)?(?:"
    + _OPERATOR
    + r"\s*)?$|\\frac\{[^{}]*"
    + _CONSTANT
    + r"[^{}]*\}\{\s*$"
)
_CONSTANT_AFTER = re.compile(r"\s*(?:" + _OPERATOR + r"\s*)?" + _CONSTANT + r"|[ei](?![A-Za-z])")
_DIGIT_GROUP = re.compile(r"(?<=\d)(?:,?(?:\\[,!;: ]|~|\{,\}))+(?=\d{3}(?!\d))")
_THOUSANDS = re.compile(r"(?<=\d)[,_](?=\d{3}(?!\d))")
_UNIT_POWER = re.compile(r"(?<=[A-Za-z])\s*(?:\^\s*\{?\d+\}?|[²³])")
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|°|\\degree\b|\\circ\b")
_CURRENCY = re.compile(r"\\\$|[$€£¥₹]|\\euro\b|\\pounds\b")
_UNITS = re.compile(r"^(?:[A-Za-z][A-Za-z./]*(?:\s+[A-Za-z][A-Za-z./]*)?)?$")


def clean(text: str) -> str:
    """Undo the spelling a model wraps around numbers, keeping signs and separators between them.

    LaTeX wrappers, currency signs, degrees, unit powers (``cm^2``), thin spaces and
    commas between digit groups go; ``\\pm`` becomes ``±`` and ``\\dfrac`` ``\\frac``.
    """
    text = unwrap(text).replace("\u2212", "-").replace("\\left", "").replace("\\right", "")
    text = _DIGIT_GROUP.sub("", text)
    text = text.replace("\\!", "").replace("\\,", " ").replace("{,}", ",")
    text = re.sub(r"\\[dt]frac", r"\\frac", text)
    text = re.sub(r"\\pm\b|\\mp\b|\+/-", "±", text)
    text = _CURRENCY.sub("", _DEGREES.sub("", text)).replace("\\%", "%")
    text = _UNIT_POWER.sub("", text)
    return _THOUSANDS.sub("", text)


def _value(match: re.Match[str]) -> tuple[Fraction, int] | None:
    """The value and base of one token, or None when it is not a valid number."""
    group = match.group
    if len(group(0)) > MAX_DIGITS or group("infinity") is not None:
        return None  # too long, or infinity: read only as the end of an interval
    if group("based") is not None:
        base = int(group("base"))
        try:
            return (Fraction(int(group("based"), base)), base) if 2 <= base <= 36 else None
        except ValueError:
            return None
    if group("whole") is not None:
        numerator = group("mnum") or group("mnum2") or group("mnum3")
        denominator = group("mden") or group("mden2") or group("mden3")
        if int(denominator) == 0 or int(numerator) >= int(denominator):
            return None  # "3 4/2" is no mixed number
        return Fraction(int(group("whole"))) + Fraction(int(numerator), int(denominator)), 10
    pairs = (("num", "den"), ("num1", "den1"), ("snum", "sden"))
    for top, bottom in pairs:
        if group(top) is not None:
            if Fraction(group(bottom)) == 0:
                return None
            sign = -1 if group("fsign") == "-" else 1
            return sign * Fraction(group(top)) / Fraction(group(bottom)), 10
    exponent = int(group("exp") or 0) + int(group("sci") or 0)
    power = int(group("power") or 1)
    if abs(exponent) > MAX_EXPONENT or abs(power) > MAX_EXPONENT:
        return None
    value = Fraction(group("value")) * Fraction(10) ** exponent
    if group("power") is not None:
        if value.denominator != 1 or (value == 0 and power < 0):
            return None  # "1.5^2" and "0^{-1}" are left to the math judge
        if value.numerator.bit_length() * abs(power) > 8 * MAX_EXPONENT:
            return None
        value **= power
    return value, 10


def _number(match: re.Match[str]) -> Number | None:
    read = _value(match)
    if read is None:
        return None
    value, base = read
    return Number(
        value=-value if match.group("sign") == "-" else value,
        percent=match.group("percent") is not None,
        base=base,
    )


def _hedged(text: str, tokens: list[re.Match[str]], index: int) -> bool:
    """Whether token ``index`` is one end of a range or one of several alternatives."""
    if tokens[index].group("pm") is not None:
        return True
    before = tokens[index - 1].end() if index > 0 else None
    after = tokens[index + 1].start() if index + 1 < len(tokens) else None
    start, end = tokens[index].span()
    return (before is not None and _CONNECTOR.fullmatch(text, before, start) is not None) or (
        after is not None and _CONNECTOR.fullmatch(text, end, after) is not None
    )


def _unsolved(text: str, token: re.Match[str]) -> bool:
    """Whether ``token`` is an operand beside a name: ``james + 4``, ``x - 5``, ``4 * n``,
    or a constant's or a root's coefficient: ``2\\pi``, ``\\pi/2``, ``3\\sqrt{2}``.

    An expression with an unknown left in it is no number, though it holds one. Only an
    operator between the two counts (``x-5`` and ``COVID-19`` are left alone, as are
    ``4 km``), and a rate's ``5 / hour`` is a number.
    """
    start, end = token.span()
    return (
        _NAME_BEFORE.search(text, 0, start) is not None
        or _NAME_AFTER.match(text, end) is not None
        or _CONSTANT_BEFORE.search(text, 0, start) is not None
        or _CONSTANT_AFTER.match(text, end) is not None
    )


def read_number(text: object) -> tuple[Number | None, str | None]:
    """Read the answer's number from a prediction, or say why there is none.

    The number is the first one in a ``\\boxed{}`` or after "the answer is", else
    the last one in the text; where there are no digits, number words are read
    (only when the words are the whole answer: ``"eighteen"``, ``"Eighteen apples."``).

    Args:
        text: The prediction (anything; converted with ``str``).

    Returns:
        ``(number, None)``, or ``(None, reason)``: ``"no number"``, ``"hedged"``
        (a range, alternatives or ``±``) or ``"unsolved"`` (an operand beside an
        unknown: ``james + 4``).
    """
    if text is None:
        return None, "no number"
    raw = str(text)
    stated = find_stated(raw)
    parts = [(stated, 0), (raw, -1)] if stated is not None else [(raw, -1)]
    for part, index in parts:
        cleaned = clean(part)
        tokens = list(_TOKEN.finditer(cleaned))
        valid = [position for position, token in enumerate(tokens) if _value(token) is not None]
        if valid:
            if _hedged(cleaned, tokens, valid[index]):
                return None, "hedged"
            if _unsolved(cleaned, tokens[valid[index]]):
                return None, "unsolved"
            return _number(tokens[valid[index]]), None
        words = words_number(cleaned)
        if words is not None:
            return Number(Fraction(words)), None
    return None, "no number"


def read_whole_number(text: str) -> Number | None:
    """The number that a whole answer is, or None when it is anything more.

    ``"$1,000"``, ``"\\boxed{1\\,000}"``, ``"5 1/2"``, ``"18 apples"``, ``"eighteen"``
    are numbers; ``"x = 5"``, ``"3-4"``, ``"(1, 2)"``, ``"05/01/2021"`` are not.
    """
    part = clean(text).strip().strip("$*`\"'").strip()
    part = re.sub(r"^\\\(|\\\)$|^\\\[|\\\]$", "", part).strip().rstrip(".").strip()
    match = _TOKEN.match(part)
    if (
        match is not None
        and match.group("pm") is None
        and _CONSTANT_AFTER.match(part, match.end()) is None  # "2 pi" is no 2 of a unit
        and _is_unit(part[match.end() :])
    ):
        return _number(match)
    words = words_number(part)
    return Number(Fraction(words)) if words is not None else None


def _is_unit(text: str) -> bool:
    """Whether what follows a number is nothing, or a unit of one or two words after a space.

    ``" cm"`` and ``" km/h"`` are units; ``"x"`` (as in ``2x``) and ``" or four"`` are not.
    """
    if not text.strip():
        return True
    words = text.split()
    return (
        text[0].isspace()
        and _UNITS.match(text.strip()) is not None
        and not _NOT_A_UNIT.intersection(word.casefold() for word in words)
    )


def same_number(
    prediction: Number, gold: Number, *, rel_tol: float = 1e-6, abs_tol: float = 1e-6
) -> bool:
    """Whether a predicted number is the gold number.

    Two integers must be equal; where either is not an integer, a relative
    (``rel_tol``) or absolute (``abs_tol``) difference is allowed, as in
    ``math.isclose``. A percentage matches its number or its fraction (``25%`` is
    25 or 0.25). Numbers written in different bases never match (``10`` is not ``1010_2``).
    """
    if prediction.base != gold.base:
        return False
    candidates = [prediction.value]
    if prediction.percent:
        candidates.append(prediction.value / 100)
    for value in candidates:
        if value.denominator == 1 and gold.value.denominator == 1:
            if value == gold.value:
                return True
            continue
        allowed = max(Fraction(rel_tol) * max(abs(value), abs(gold.value)), Fraction(abs_tol))
        if abs(value - gold.value) <= allowed:
            return True
    return False


def _in_base(value: int, base: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    sign, value, text = "-" if value < 0 else "", abs(value), ""
    while True:
        value, digit = divmod(value, base)
        text = digits[digit] + text
        if not value:
            return sign + text


_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_VALUES = {word: index for index, word in enumerate(_SMALL)}
_WORD_VALUES |= {word: 20 + 10 * index for index, word in enumerate(_TENS)}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
_NOT_A_UNIT = frozenset(
    ["of", "or", "to", "and", "than", "more", "less", "times", "plus", "minus", "by"]
)


def words_number(text: str) -> int | None:
    """An integer written in English words, when the words are the whole answer.

    ``"eighteen"``, ``"Forty-two."``, ``"one hundred and five"``, ``"minus three"``,
    ``"eighteen apples"`` (a unit word or two may follow). ``"one of them"``,
    ``"three or four"``, ``"a dozen"`` and ``"I think eighteen"`` are not numbers:
    reading words anywhere in a sentence would find numbers nobody meant.
    """
    words = re.sub(r"[^a-z\s-]", " ", text.casefold()).replace("-", " ").split()
    negative = bool(words) and words[0] in ("minus", "negative")
    words = words[1:] if negative else words
    total, current, count, read_any = 0, 0, 0, False
    for word in words:
        if word in _WORD_VALUES:
            value = _WORD_VALUES[word]
            if current % 100 and (current % 10 or value >= 10):
                return None  # "one two", "twenty thirty", "eleven five"
            current += value
        elif word in _SCALES and (read_any or current):
            if _SCALES[word] == 100:
                current = max(current, 1) * 100
            else:
                total, current = total + max(current, 1) * _SCALES[word], 0
        elif word == "a" and not read_any and not current:
            current = 1  # "a hundred"
            count += 1
            continue
        elif word != "and" or not read_any:
            break
        read_any = True
        count += 1
    rest = words[count:]
    if not read_any or words[count - 1] in ("and", "a"):
        return None
    if len(rest) > 2 or any(word in _NOT_A_UNIT for word in rest):
        return None
    return -(total + current) if negative else total + current
