"""A float's binary rounding printed in full, written as meant: ``0.30000000000000004``
is ``0.3``; and a fraction's finite decimal (``37/2`` is ``18.5``)."""

from __future__ import annotations

import re
from fractions import Fraction

_FLOAT_NOISE = re.compile(r"(?<![\w.])([-+]?\d+\.\d*?)(?:0{9,}|9{9,})\d{1,3}(?![\w.])")
"""A float's binary rounding printed in full (``1929.0190000000002``, ``2.9999999999999996``):
what the decimals mean, then a run of nines or zeros and the last digit or three."""


def without_float_noise(text: str) -> str:
    """``text`` with each number that carries a float's rounding noise written as meant
    (``0.30000000000000004`` -> ``0.3``, ``[2.9999999999999996, 1]`` -> ``[3, 1]``).

    Only a number of 15 or more digits whose decimals end in a run of nine or more zeros
    or nines and one to three more digits counts: that is how Python prints a sum such
    as ``0.1 + 0.2``, never how a person writes an answer.
    """
    return _FLOAT_NOISE.sub(_meant, text)


def _meant(noisy: re.Match[str]) -> str:
    number = noisy.group(0)
    if sum(c.isdigit() for c in number) < 15:
        return number
    places = len(noisy.group(1).split(".", 1)[1])
    value = Fraction(round(Fraction(number), places))
    if value.denominator == 1:
        return str(value.numerator)
    return finite_decimal(value) or str(value)


def finite_decimal(value: Fraction) -> str | None:
    """``value`` as a decimal without exponent when it has a finite one (``37/2`` -> ``18.5``)."""
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator != 1:
        return None
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10**places // value.denominator
    digits = str(scaled).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
