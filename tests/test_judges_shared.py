"""One table of equivalences and near misses that the number and the math judge both pass.

A near miss is wrong for both judges, always. An equivalence must hold for the
math judge, and for the number judge too where the gold is one number (it
cannot read intervals, sets or ``\\pm``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pot.tasks import MathJudge, judge_number
from pot.tasks.numbers import read_whole_number

EQUIVALENT = [
    # fractions
    ("1/2", "0.5"),
    ("\\frac{1}{2}", "0.5"),
    ("\\frac12", "\\frac{1}{2}"),
    ("\\dfrac{3}{4}", "0.75"),
    ("2/4", "\\frac{1}{2}"),
    # mixed numbers
    ("5 1/2", "5.5"),
    ("5 1/2", "\\frac{11}{2}"),
    ("5\\frac{1}{2}", "5.5"),
    ("-2 3/4", "-\\frac{11}{4}"),
    # degrees
    ("90^\\circ", "90"),
    ("90", "90^\\circ"),
    ("90°", "90^{\\circ}"),
    # big integers, digit groups, currency, powers of ten, words
    ("1000000", "1000000.0"),
    ("1\\,000", "1000"),
    ("1{,}000", "1000"),
    ("1,000", "1000"),
    ("-$5", "-5"),
    ("\\$1,234", "1234"),
    ("1.2 \\times 10^6", "1200000"),
    ("10^3", "1000"),
    ("eighteen", "18"),
    # intervals with their bracket types
    ("(1, 3]", "(1,3]"),
    ("[1,3]", "[1, 3]"),
    ("(-\\infty, 2)", "(-\\infty,2)"),
    # sets in any order
    ("\\{1, 2\\}", "\\{2, 1\\}"),
    ("2, 1", "1, 2"),
    # plus or minus
    ("\\pm 3", "\\pm 3"),
    ("3, -3", "\\pm 3"),
    ("-3, 3", "\\pm 3"),
    # base subscripts
    ("1010_2", "1010_2"),
    ("1010_{2}", "1010_2"),
]

NEAR_MISSES = [
    # fractions
    ("1/3", "0.33"),
    ("0.333", "\\frac{1}{3}"),
    ("3/4", "\\frac{4}{3}"),
    # mixed numbers are not their fraction part, nor a product
    ("5 1/2", "0.5"),
    ("5 1/2", "2.5"),
    # degrees
    ("91^\\circ", "90"),
    # integers match exactly
    ("1000001", "1000000"),
    ("1001", "1000"),
    ("1\\,000", "1"),
    ("-$5", "5"),
    ("1.2 \\times 10^6", "6"),
    ("10^3", "3"),
    ("eighteen", "80"),
    # a range or alternatives is not the answer
    ("3-4", "4"),
    ("12 and 13", "13"),
    ("3 or 4", "3"),
    # intervals: bracket types matter
    ("(1, 3]", "(1, 3)"),
    ("[1,3)", "(1,3]"),
    ("(-\\infty, 2)", "(-\\infty,2]"),
    ("(1, 3)", "3"),
    # sets: another element
    ("\\{1,2\\}", "\\{1,3\\}"),
    ("1, 2", "2"),
    # plus or minus names two values
    ("3", "\\pm 3"),
    ("\\pm 3", "3"),
    ("-3", "\\pm 3"),
    # a number beside a constant, a root or an unknown is its coefficient
    ("2\\pi", "2"),
    ("2π", "2"),
    ("2 pi", "2"),
    ("\\pi/2", "2"),
    ("\\frac{\\pi}{2}", "2"),
    ("3\\sqrt{2}", "3"),
    ("\\sqrt{2}", "2"),
    ("2*x + 1", "2"),
    ("4i", "4"),
    # base subscripts: another number, or the right number in another base
    ("1011_2", "1010_2"),
    ("2", "1010_2"),
    ("10", "1010_2"),
    ("1010_2", "10"),
]


@pytest.fixture(scope="module")
def math_judge() -> Iterator[MathJudge]:
    with MathJudge(timeout=10) as judge:
        yield judge


@pytest.mark.parametrize(("prediction", "gold"), EQUIVALENT)
def test_equivalent_for_both_judges(math_judge: MathJudge, prediction: str, gold: str) -> None:
    assert math_judge(prediction, gold).correct
    if read_whole_number(gold) is not None:  # the number judge reads one number
        assert judge_number(prediction, gold).correct


@pytest.mark.parametrize(("prediction", "gold"), NEAR_MISSES)
def test_near_miss_for_both_judges(math_judge: MathJudge, prediction: str, gold: str) -> None:
    assert not math_judge(prediction, gold).correct
    assert not judge_number(prediction, gold).correct


def test_the_number_judge_covers_most_of_the_table() -> None:
    # Guard against the table drifting into cases only the math judge can check.
    numeric = [gold for _, gold in EQUIVALENT if read_whole_number(gold) is not None]
    assert len(numeric) >= 20
