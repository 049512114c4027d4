"""Values as a program meant them, where Python prints their type around them.

NumPy 2 prints a list of its scalars as ``[np.float64(0.5), np.int64(3)]``, and a list of
fractions prints as ``[Fraction(3, 4)]``: the program's answer is ``[0.5, 3]`` and
``[3/4]``, and no judge, vote or notation reads the reprs. :func:`without_reprs` writes
each such value as its plain literal, inside lists, tuples and dicts too.
"""

from __future__ import annotations

import re

_NUMPY_NUMBER = re.compile(
    r"\b(?:np|numpy)\.(?:float|int|uint|complex)\d*\(\s*([-+]?[\w.+-]+(?:[eE][-+]?\d+)?j?)\s*\)"
)
_NUMPY_STRING = re.compile(
    r"\b(?:np|numpy)\.str_\(\s*('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*\)"
)
_NUMPY_BOOL = re.compile(r"\b(?:np|numpy)\.(?:(True|False)_|bool_?\(\s*(True|False)\s*\))")
_FRACTION = re.compile(r"\bFraction\(\s*([-+]?\d+)\s*,\s*(\d+)\s*\)")
_DECIMAL = re.compile(r"\bDecimal\(\s*'([-+]?[\d.]+(?:[eE][-+]?\d+)?)'\s*\)")


def without_reprs(text: str) -> str:
    """``text`` with NumPy scalars, ``Fraction`` and ``Decimal`` written as their values:
    ``np.float64(0.5)`` -> ``0.5``, ``np.str_('a')`` -> ``'a'``, ``np.True_`` -> ``True``,
    ``Fraction(3, 4)`` -> ``3/4`` (``Fraction(3, 1)`` -> ``3``), ``Decimal('1.50')`` ->
    ``1.50``. Anything else is left as it is."""
    if "(" not in text and "_" not in text:
        return text
    text = _NUMPY_NUMBER.sub(r"\1", text)
    text = _NUMPY_STRING.sub(r"\1", text)
    text = _NUMPY_BOOL.sub(lambda found: found.group(1) or found.group(2), text)
    text = _FRACTION.sub(_fraction, text)
    return _DECIMAL.sub(r"\1", text)


def _fraction(found: re.Match[str]) -> str:
    numerator, denominator = found.group(1), found.group(2)
    return numerator if denominator == "1" else f"{numerator}/{denominator}"
