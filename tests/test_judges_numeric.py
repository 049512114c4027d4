"""The number judge on a table of tricky cases."""

from __future__ import annotations

import pytest

from pot.tasks import judge_number, parse_number

CASES = [
    # prediction, gold, correct
    ("18", "18", True),
    ("$18", "18", True),
    ("$18.00", "18", True),
    ("\\$18", "18", True),
    ("1,234", "1234", True),
    ("1,234,567.5", "1234567.5", True),
    ("The answer is 1,000.", "1,000", True),
    ("18 dollars", "18", True),
    ("12 cm^2", "12", True),
    ("12 m²", "12", True),
    ("25%", "25", True),
    ("25%", "0.25", True),
    ("25 percent", "25", True),
    ("0.25", "25", False),
    ("17.999999999999996", "18", True),
    ("0.30000000000000004", "0.3", True),
    ("1001", "1000", False),
    ("3/4", "0.75", True),
    ("\\frac{3}{4}", "0.75", True),
    ("\\boxed{42}", "42", True),
    ("\\boxed{\\text{42 apples}}", "42", True),
    ("-5", "-5", True),
    ("\u22125", "-5", True),
    ("x - 5", "-5", False),
    ("The answer is 5 apples, not 7", "5", True),
    ("I get 7, so 9", "9", True),
    ("1e3", "1000", True),
    ("51.0", "51", True),
    ("forty-two", "42", False),
    ("", "42", False),
    (None, "42", False),
]


@pytest.mark.parametrize(("prediction", "gold", "correct"), CASES)
def test_judge_number_cases(prediction: object, gold: str, correct: bool) -> None:
    assert judge_number(prediction, gold).correct is correct


def test_normalized_prediction_is_the_number_read() -> None:
    verdict = judge_number("The total is $1,234.00 dollars", "1234")
    assert verdict.correct
    assert verdict.normalized == "1234"
    assert judge_number("50%", "50").normalized == "50%"


def test_reasons_for_unusable_inputs() -> None:
    assert judge_number("no idea", "7").reason == "no number in the prediction"
    assert "not a number" in (judge_number("7", "seven").reason or "")


def test_tolerances_are_settable() -> None:
    assert not judge_number("3.14", "3.14159").correct
    assert judge_number("3.14", "3.14159", rel_tol=1e-3).correct
    assert judge_number(0.0000001, 0, abs_tol=1e-6).correct


def test_numbers_and_floats_as_predictions() -> None:
    assert judge_number(18, "18").correct
    assert judge_number(18.0, 18).correct
    assert parse_number("abc") is None
