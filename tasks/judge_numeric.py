"""The number judge: commas, currency, units, percent, fractions, with a tolerance."""

from __future__ import annotations

import math
import re
from fractions import Fraction

from pot.tasks.base import Judgement

REL_TOL = 1e-6
"""Default relative tolerance: float noise passes, 1000 vs 1001 does not."""
ABS_TOL = 1e-6
"""Default absolute tolerance (answers near zero)."""

_NUMBER = re.compile(
    r"(?:(?<![\w)])(?P<sign>[-+]))?(?:"
    r"\\[dt]?frac\{(?P<num>\d+(?:\.\d+)?)\}\{(?P<den>\d+(?:\.\d+)?)\}"
    r"|(?P<fnum>\d+(?:\.\d+)?)\s*/\s*(?P<fden>\d+(?:\.\d+)?)(?![\d.])"
    r"|(?P<value>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
    r")(?P<percent>\s*(?:\\?%|percent\b))?"
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_LATEX_WRAPPERS = re.compile(r"\\(?:boxed|text|textbf|mathrm|mbox)\s*\{([^{}]*)\}")
_UNIT_POWER = re.compile(r"(?<=[A-Za-z])\s*(?:\^\s*\{?\d+\}?|[²³])")
_ANSWER_IS = re.compile(r"answer\s*(?:is|:|=)\s*(.+)", re.IGNORECASE | re.DOTALL)


def _clean(text: str) -> str:
    for _ in range(3):  # nested \boxed{\text{...}}
        text = _LATEX_WRAPPERS.sub(r" \1 ", text)
    text = text.replace("\u2212", "-").replace("\\!", "").replace("\\,", "")
    text = text.replace("{,}", "").replace("\\$", " ").replace("\\left", "").replace("\\right", "")
    text = _UNIT_POWER.sub("", text)
    # "1,234,567" -> "1234567" and "1 234" stays two numbers (ambiguous, left alone)
    return _THOUSANDS.sub("", text)


def _to_fraction(match: re.Match[str]) -> tuple[Fraction, bool]:
    if match.group("num") is not None:
        value = Fraction(match.group("num")) / Fraction(match.group("den"))
    elif match.group("fnum") is not None:
        value = Fraction(match.group("fnum")) / Fraction(match.group("fden"))
    else:
        value = Fraction(match.group("value"))
    if match.group("sign") == "-":
        value = -value
    return value, match.group("percent") is not None


def parse_number(text: object) -> tuple[float, bool] | None:
    """Find the answer number in a prediction.

    Takes the number after "answer is" when there is one, else the last number;
    ignores commas between thousands, currency signs, trailing units (and their
    powers, as in ``cm^2``), LaTeX ``\\boxed``/``\\text``; reads ``3/4`` and
    ``\\frac{3}{4}`` as fractions.

    Args:
        text: The prediction (anything; converted with ``str``).

    Returns:
        ``(value, is_percent)``, or None when the text holds no number.
    """
    if text is None:
        return None
    cleaned = _clean(str(text))
    answer = _ANSWER_IS.search(cleaned)
    for candidate in ((answer.group(1),) if answer else ()) + (cleaned,):
        matches = list(_NUMBER.finditer(candidate))
        if matches:
            chosen = matches[0] if candidate is not cleaned else matches[-1]
            try:
                value, percent = _to_fraction(chosen)
            except (ValueError, ZeroDivisionError):
                continue
            return float(value), percent
    return None


def _format(value: float) -> str:
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def judge_number(
    prediction: object, gold: object, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL
) -> Judgement:
    """Judge a numeric answer.

    ``"$1,234.00"``, ``"1234 dollars"``, ``"The answer is 1234."`` all match ``1234``;
    a percentage matches either its number or its fraction (``"25%"`` matches 25 and 0.25).

    Args:
        prediction: The model's answer (text or a number).
        gold: The gold answer (text or a number).
        rel_tol: Relative tolerance, as in ``math.isclose``.
        abs_tol: Absolute tolerance, as in ``math.isclose``.

    Returns:
        The verdict, with the number read from the prediction as ``normalized``.
    """
    parsed_gold = parse_number(gold)
    if parsed_gold is None:
        return Judgement(correct=False, reason=f"gold answer {gold!r} is not a number")
    parsed = parse_number(prediction)
    if parsed is None:
        return Judgement(correct=False, reason="no number in the prediction")
    value, percent = parsed
    candidates = [value, value / 100] if percent else [value]
    correct = any(
        math.isclose(candidate, parsed_gold[0], rel_tol=rel_tol, abs_tol=abs_tol)
        for candidate in candidates
    )
    return Judgement(correct=correct, normalized=_format(value) + ("%" if percent else ""))
