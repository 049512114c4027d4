"""The number judge: one number read exactly from each side, integers compared exactly.

Reading (``pot.tasks.numbers``) ignores commas, currency, units, degrees and LaTeX
and takes the boxed or stated answer's number, else the last number; a range or
alternatives (``"3-4"``, ``"12 and 13"``) is no answer.
"""

from __future__ import annotations

from pot.tasks.base import Judgement
from pot.tasks.numbers import read_number, same_number

REL_TOL = 1e-6
"""Default relative tolerance, used only where the gold or the prediction is not an integer."""
ABS_TOL = 1e-6
"""Default absolute tolerance (non-integer answers near zero)."""

_REASONS = {
    "no number": "no number in the prediction",
    "hedged": "the prediction is a range or several alternatives, not one number",
    "unsolved": "the prediction is an expression with an unknown in it, not a number",
}


def parse_number(text: object) -> tuple[float, bool] | None:
    """Find the answer number in a prediction, as a float.

    Kept for callers that want a float; ``pot.tasks.numbers.read_number`` gives
    the exact value and why a prediction has none.

    Args:
        text: The prediction (anything; converted with ``str``).

    Returns:
        ``(value, is_percent)``, or None when the text holds no single number.
    """
    number, _ = read_number(text)
    if number is None:
        return None
    return float(number.value), number.percent


def judge_number(
    prediction: object, gold: object, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL
) -> Judgement:
    """Judge a numeric answer.

    ``"$1,234.00"``, ``"1234 dollars"``, ``"The answer is 1234."`` all match ``1234``;
    ``"5 1/2"`` matches 5.5, ``"1.2 \\times 10^6"`` 1200000 and ``"eighteen"`` 18.
    Integers match exactly (``1000001`` is not ``1000000``); where either side is
    not an integer, ``rel_tol``/``abs_tol`` apply (``17.999999999999996`` is 18). A
    percentage matches either its number or its fraction (``"25%"`` matches 25 and
    0.25). A range or alternatives (``"3-4"``, ``"12 and 13"``, ``"\\pm 3"``) is wrong.

    Args:
        prediction: The model's answer (text or a number).
        gold: The gold answer (text or a number).
        rel_tol: Relative tolerance, as in ``math.isclose``.
        abs_tol: Absolute tolerance, as in ``math.isclose``.

    Returns:
        The verdict, with the number read from the prediction as ``normalized``.
    """
    gold_number, _ = read_number(gold)
    if gold_number is None:
        return Judgement(correct=False, reason=f"gold answer {gold!r} is not a number")
    number, problem = read_number(prediction)
    if number is None:
        return Judgement(correct=False, reason=_REASONS.get(problem or "", problem))
    correct = same_number(number, gold_number, rel_tol=rel_tol, abs_tol=abs_tol)
    return Judgement(correct=correct, normalized=str(number))
