"""Numbers written to the decimal places a question asks for.

A question that says ``Round all values to 4 decimal places`` (or ``to the nearest
hundredth``, ``to the nearest whole number``) wants ``-1.0853``; programs print
``-sqrt(265)/15`` (sympy's exact root), ``17/24`` or ``1.0852547064066471``. All three
are that number in another form: the vote counts them as one answer
(:func:`asked_key`), and the answer is written to the places asked
(:func:`in_asked_places`). A number written to as many places or fewer (``0.75``,
``12``) is the number asked for already and keeps its form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from fractions import Fraction

from pot.answers import answer_key
from pot.sequences import SEQUENCE_NUMBER, number_sequence
from pot.tasks.numbers import read_whole_number

_COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_PLACES = re.compile(
    r"\b(\d|one|two|three|four|five|six)\s+(?:decimal\s+(?:places?|digits?)|d\.?\s?p\b\.?)",
    re.IGNORECASE,
)
_NEAREST = re.compile(
    r"\bnearest\s+(whole\s+number|integer|tenth|hundredth|thousandth|ten[- ]thousandth)s?\b",
    re.IGNORECASE,
)
_NEAREST_PLACES = {"tenth": 1, "hundredth": 2, "thousandth": 3}

_CLOSED_FORM = re.compile(r"[\d\s.+\-*/^()]*(?:(?:sqrt|pi|π|√)[\d\s.+\-*/^()]*)+")
"""Numbers, arithmetic, square roots and pi: an exact value sympy prints
(``-sqrt(265)/15``, ``2*pi/3``), nothing that could run for long or name anything else."""
_LATEX = ((r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)"), (r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)"))


def asked_places(question: str) -> int | None:
    """The decimal places ``question`` asks its numbers to be written to: ``4`` for
    ``Round to 4 decimal places``, ``2`` for ``to the nearest hundredth``, ``0`` for
    ``to the nearest whole number``; None where it asks for none, or for two different
    numbers of places."""
    found = {
        int(count) if count.isdigit() else _COUNTS[count.lower()]
        for count in _PLACES.findall(question)
    }
    for unit in _NEAREST.findall(question):
        unit = unit.lower().replace("-", " ")
        found.add(4 if unit.startswith("ten ") else _NEAREST_PLACES.get(unit, 0))
    return found.pop() if len(found) == 1 else None


def in_asked_places(question: str, value: str) -> str | None:
    """``value``, a number or a list of numbers, with each number written to the places
    ``question`` asks for (:func:`asked_places`), rounded half up: ``-sqrt(265)/15,
    sqrt(265)/15`` as ``-1.0853, 1.0853``; None where the question asks for no places,
    ``value`` is no number or list of numbers (``11:47``, ``58.3%``, ``x = 5``), or every
    number in it is written so already."""
    places = asked_places(question)
    return None if places is None else _in_places(value, places)


def asked_key(question: str) -> Callable[[str], str]:
    """The vote's key for ``question``'s answers: :func:`~pot.answers.answer_key` of each
    answer written to the places it asks for, so ``-sqrt(265)/15`` and ``-1.0853`` are
    one answer where it asks for 4 places; plain :func:`answer_key` where it asks for none."""
    places = asked_places(question)  # read once, not for every answer voted on
    if places is None:
        return answer_key
    return lambda value: answer_key(_in_places(value, places) or value)


def _in_places(value: str, places: int) -> str | None:
    """:func:`in_asked_places` with the places read already."""
    written = _written(value.strip(), places)
    return None if written is None or written == value.strip() else written


def _written(text: str, places: int) -> str | None:
    """``text`` with each of its numbers written to ``places`` decimal places: one
    number, a list in brackets, numbers separated by commas (not thousands: ``12,500``)
    or written one after another (``2 7``), or rows of them, one a line (a matrix);
    None when it holds anything but numbers."""
    lines = text.splitlines()
    if len(lines) > 1:  # a matrix's rows
        rows = [_written(line.strip(), places) for line in lines]
        return None if None in rows else "\n".join(row or "" for row in rows)
    single = _to_places(text, places) if text else None
    if single is not None:
        return single
    opening, inner, closing = "", text, ""
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "()") and _depth_ok(text[1:-1]):
        opening, inner, closing = text[0], text[1:-1], text[-1]
    parts, gap = _top_level(inner), ", " if ", " in inner else ","
    if len(parts) < 2:
        if opening:  # a list of one number: [-1.07345044014671]
            number = _to_places(inner.strip(), places)
            return None if number is None else opening + number + closing
        if number_sequence(inner) is None:
            return None
        return SEQUENCE_NUMBER.sub(lambda number: _to_places(number.group(), places) or "", inner)
    numbers = [_to_places(part.strip(), places) for part in parts]
    if len(numbers) < 2 or None in numbers:
        return None
    return opening + gap.join(number or "" for number in numbers) + closing


def _top_level(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses (``sqrt(2), 1``)."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:at])
            start = at + 1
    parts.append(text[start:])
    return parts


def _depth_ok(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _to_places(item: str, places: int) -> str | None:
    """``item`` written to ``places`` decimal places; as written where it has as many
    places or fewer; None when it is no number (or one too large to write so)."""
    if re.fullmatch(rf"[-+]?\d+(?:\.\d{{0,{places}}})?", item):
        return item
    value = _number(item)
    if value is None:
        return None
    if isinstance(value, Fraction) and value.denominator == 1:
        return item  # a whole number (12,500, twelve): no places to write
    with localcontext() as context:
        context.prec = 60
        if isinstance(value, Fraction):
            if (value * 10**places).denominator == 1:  # 17/4 -> 4.25: exact in these places
                exact = Decimal(value.numerator) / Decimal(value.denominator)
                return f"{exact.normalize():f}"
            value = Decimal(value.numerator) / Decimal(value.denominator)
        try:
            rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        except InvalidOperation:
            return None
    return f"{rounded:f}".lstrip("-") if rounded == 0 else f"{rounded:f}"


def _number(item: str) -> Fraction | Decimal | None:
    """The exact value of a plain number (a decimal, a fraction, a mixed number), or a
    value as exact as 40 digits of a closed form (``-sqrt(265)/15``); None otherwise."""
    text = item.strip()
    number = read_whole_number(text)
    if number is not None:
        if number.percent or number.base != 10:
            return None
        if re.fullmatch(r"[-+]?\d*\.\d+", text):
            return Decimal(text)  # as written: 1.08525 rounds up, never as a float would
        return number.value
    for pattern, replacement in _LATEX:
        text = re.sub(pattern, replacement, text)
    text = text.replace("\\pi", "pi").replace("\\cdot", "*").replace("\\times", "*")
    if len(text) > 80 or not _CLOSED_FORM.fullmatch(text):
        return None
    return _evaluated(text.replace("√", "sqrt").replace("π", "pi").replace("^", "**"))


def _evaluated(text: str) -> Decimal | None:
    """The real value of a closed form to 40 digits (sympy, unevaluated until then, so
    ``9**9**9`` costs nothing); None for what is no real number."""
    from sympy import Float, pi, sqrt
    from sympy.parsing.sympy_parser import parse_expr

    try:
        expression = parse_expr(
            text, local_dict={"sqrt": sqrt, "pi": pi}, evaluate=False, transformations=()
        )
        value = expression.evalf(40)
    except (SyntaxError, TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not isinstance(value, Float) or not value.is_finite:
        return None
    return Decimal(str(value))
