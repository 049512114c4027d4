"""The number judge on a table of tricky cases."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pot.tasks import judge_number, parse_number
from pot.tasks.numbers import Number, read_number, read_whole_number, words_number

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
    # an expression with an unknown left in it holds a number but is none
    ("x - 5", "5", False),
    ("james + 4", "4", False),
    ("\\boxed{james + 4}", "4", False),
    ("32v - 3", "3", False),
    ("4 * n", "4", False),
    ("x \\cdot 5", "5", False),
    # ...while a name beside a number without an operator, or a rate, is still read
    ("x = 5", "5", True),
    ("COVID-19", "19", True),
    ("$5 / hour", "5", True),
    ("5 m - 2 m = 3 m", "3", True),
    ("2 \\cdot 10^3", "2000", True),
    ("The answer is 5 apples, not 7", "5", True),
    ("I get 7, so 9", "9", True),
    ("1e3", "1000", True),
    ("51.0", "51", True),
    ("", "42", False),
    (None, "42", False),
]


# The misses of issue 14 (a stress set compared with Qwen2.5-Math's grader).
ISSUE_14 = [
    # integers match exactly; the tolerance is for non-integers only
    ("1000001", "1000000", False),
    ("1000000.0", "1000000", True),
    ("1000000.0000001", "1000000", True),
    # a hedged answer or a range is not the answer
    ("3-4", "4", False),
    ("3 - 4", "4", False),
    ("3–4", "4", False),
    ("12 and 13", "13", False),
    ("3 or 4", "4", False),
    ("between 3 and 4", "3", False),
    ("x = 3 or x = 4", "4", False),
    ("The answer is 12 and 13.", "12", False),
    ("12, 13", "13", False),
    ("\\pm 3", "3", False),
    # the sign before a currency sign
    ("-$5", "-5", True),
    ("-\\$5", "-5", True),
    ("$-5", "-5", True),
    ("-$5", "5", False),
    # powers of ten and integer powers
    ("1.2 \\times 10^6", "1200000", True),
    ("1.2 \\times 10^{6}", "1200000", True),
    ("1.2 \\cdot 10^6", "6", False),
    ("10^3", "1000", True),
    ("10^3", "3", False),
    ("2^{10}", "1024", True),
    ("5 \\times 10^{-3}", "0.005", True),
    # mixed numbers
    ("5 1/2", "5.5", True),
    ("5 1/2", "0.5", False),
    ("5\\frac{1}{2}", "5.5", True),
    ("-2 3/4", "-2.75", True),
    # thin spaces between digit groups
    ("1\\,000", "1000", True),
    ("1{,}000", "1000", True),
    ("1\\,000", "1", False),
    # number words, when the words are the whole answer
    ("eighteen", "18", True),
    ("Eighteen.", "18", True),
    ("The answer is eighteen apples.", "18", True),
    ("forty-two", "42", True),
    ("one hundred and five", "105", True),
    ("two thousand three hundred", "2300", True),
    ("minus three", "-3", True),
    ("eighteen", "80", False),
    ("one of them", "1", False),
    ("three or four", "4", False),
    ("I think eighteen", "18", False),
]


@pytest.mark.parametrize(("prediction", "gold", "correct"), ISSUE_14)
def test_judge_number_issue_14(prediction: str, gold: str, correct: bool) -> None:
    assert judge_number(prediction, gold).correct is correct


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
    assert "range" in (judge_number("3-4", "4").reason or "")
    assert "not a number" in (judge_number("7", "seven or eight").reason or "")
    assert "not a number" in (judge_number("3", "(1, 3]").reason or "")


def test_reading_names_why_there_is_no_number() -> None:
    assert read_number("12 and 13") == (None, "hedged")
    assert read_number("james + 4") == (None, "unsolved")
    assert read_number("no digits here") == (None, "no number")
    number, reason = read_number("The answer is \\boxed{1\\,000} (not 999)")
    assert reason is None and number is not None and number.value == 1000


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$1,000", "1000"),
        ("\\boxed{1\\,000}", "1000"),
        ("5 1/2", "5.5"),
        ("18 apples", "18"),
        ("eighteen", "18"),
        ("1010_2", "1010_2"),
        ("25%", "25%"),
        ("x = 5", None),
        ("2x", None),
        ("12 km/h", "12"),
        ("3-4", None),
        ("(1, 2)", None),
        ("05/01/2021", None),
        ("3 or four", None),
        ("\\pm 3", None),
        ("10^{100000}", None),  # too large to read exactly: left to other judges
    ],
)
def test_whole_numbers(text: str, value: str | None) -> None:
    number = read_whole_number(text)
    assert (None if number is None else str(number)) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("zero", 0),
        ("twenty-one", 21),
        ("a hundred", 100),
        ("one million two hundred thousand", 1200000),
        ("Negative five.", -5),
        ("one two", None),
        ("twenty thirty", None),
        ("one hundred and", None),
        ("a dozen", None),
        ("none", None),
    ],
)
def test_number_words(text: str, value: int | None) -> None:
    assert words_number(text) == value


def test_tolerances_are_settable() -> None:
    assert not judge_number("3.14", "3.14159").correct
    assert judge_number("3.14", "3.14159", rel_tol=1e-3).correct
    assert judge_number(0.0000001, 0, abs_tol=1e-6).correct


def test_numbers_and_floats_as_predictions() -> None:
    assert judge_number(18, "18").correct
    assert judge_number(18.0, 18).correct
    assert parse_number("abc") is None


def test_hostile_predictions_are_read_safely() -> None:
    # Deep nesting and huge digit runs: no recursion error, no int-conversion error.
    assert read_number("1" * 20000) == (None, "no number")
    assert read_number("10^{100000}") == (None, "no number")
    nested, _ = read_number("\\boxed{" * 3000 + "5" + "}" * 3000)
    assert nested is not None and nested.value == 5
    wrapped, _ = read_number("\\text{" * 5000 + "7" + "}" * 5000)
    assert wrapped is not None and wrapped.value == 7
    assert not judge_number("(" * 10000, "1").correct
    assert str(Number(Fraction(10**400, 3))).startswith("1000")  # beyond a float: exact
