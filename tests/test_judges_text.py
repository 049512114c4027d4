"""Judges for answers in words: option letters, labels, word lists, brackets."""

from __future__ import annotations

import pytest

from pot.tasks import extract_choice, judge_choice, judge_dyck, judge_label, judge_words

OPTIONS = {"A": "12/11/1937", "B": "12/25/1937", "C": "01/04/1938", "D": "Monsters, Inc"}

CHOICE_CASES = [
    # prediction, gold, correct
    ("(B)", "(B)", True),
    ("B", "(B)", True),
    ("b)", "(B)", True),
    ("b", "(B)", True),
    ("B.", "(B)", True),
    ("**(B)**", "(B)", True),
    ("The answer is (B).", "(B)", True),
    ("So the answer is B", "(B)", True),
    ("Answer: (B) 12/25/1937", "(B)", True),
    ("(B) 12/25/1937", "(B)", True),
    ("12/25/1937", "(B)", True),
    ("monsters inc", "(D)", True),
    ("\\boxed{B}", "(B)", True),
    ("\\boxed{\\text{(B)}}", "(B)", True),
    ("\\boxed{\\textbf{\\text{B}}}", "(B)", True),
    ("**Answer:** (B)", "(B)", True),
    ("(A) or maybe (C)", "(C)", True),
    ("First (A)... no: it is (C)", "(C)", True),
    ("(A)", "(B)", False),
    ("12/11/1937", "(B)", False),
    ("I don't know", "(B)", False),
    ("", "(B)", False),
    (None, "(B)", False),
]


@pytest.mark.parametrize(("prediction", "gold", "correct"), CHOICE_CASES)
def test_judge_choice_cases(prediction: object, gold: str, correct: bool) -> None:
    assert judge_choice(prediction, gold, OPTIONS).correct is correct


TEXT_GOLD_OPTIONS = {"A": "Monsters", "B": "Inc", "C": "Children of the Night"}


@pytest.mark.parametrize(
    ("prediction", "correct"),
    [("Monsters, Inc", True), ("monsters inc.", True), ("(A)", False), ("Monsters", False)],
)
def test_choice_with_a_text_gold(prediction: str, correct: bool) -> None:
    # A few BIG-Bench Hard golds are not letters (movie_recommendation, ruin_names).
    assert judge_choice(prediction, "Monsters, Inc", TEXT_GOLD_OPTIONS).correct is correct


def test_choice_normalized_is_the_letter() -> None:
    assert judge_choice("the answer is b", "(B)").normalized == "(B)"
    assert extract_choice("12/25/1937", OPTIONS) == "B"
    assert extract_choice("nothing here") is None


LABEL_CASES = [
    # prediction, gold, correct
    ("True", "True", True),
    ("true", "True", True),
    ("**True**.", "True", True),
    ("The answer is False.", "False", True),
    ("1", "True", True),
    ("False", "True", False),
    ("Yes", "Yes", True),
    ("yes.", "Yes", True),
    ("no", "yes", False),
    ("True", "yes", True),
    ("False", "No", True),
    ("So the answer is: No", "No", True),
    ("valid", "valid", True),
    ("invalid", "valid", False),
    ("Invalid.", "invalid", True),
    ("The argument is not valid", "invalid", True),
    ("The answer is valid. (It is not invalid.)", "valid", True),
    ("True", "valid", True),
    ("maybe", "Yes", False),
    ("", "True", False),
    (None, "True", False),
]


@pytest.mark.parametrize(("prediction", "gold", "correct"), LABEL_CASES)
def test_judge_label_cases(prediction: object, gold: str, correct: bool) -> None:
    assert judge_label(prediction, gold).correct is correct


def test_label_normalized_and_bad_gold() -> None:
    assert judge_label("TRUE", "True").normalized == "true"
    assert judge_label("True", "yes").normalized == "yes"
    assert judge_label("yes", "(A)").reason is not None


WORD_CASES = [
    # prediction, gold, correct
    ("apple banana cherry", "apple banana cherry", True),
    ("apple, banana, cherry", "apple banana cherry", True),
    ("apple\nbanana\ncherry", "apple banana cherry", True),
    ("['apple', 'banana', 'cherry']", "apple banana cherry", True),
    ('("apple", "banana", "cherry")', "apple banana cherry", True),
    ("Apple Banana Cherry", "apple banana cherry", True),
    ("The answer is apple banana cherry.", "apple banana cherry", True),
    ("apple cherry banana", "apple banana cherry", False),
    ("apple banana", "apple banana cherry", False),
    ("apple banana cherry cherry", "apple banana cherry", False),
    ("", "apple banana cherry", False),
    (None, "apple", False),
]


@pytest.mark.parametrize(("prediction", "gold", "correct"), WORD_CASES)
def test_judge_words_cases(prediction: object, gold: str, correct: bool) -> None:
    assert judge_words(prediction, gold).correct is correct


DYCK_CASES = [
    # prediction, gold, correct
    (") ) >", ") ) >", True),
    ("))>", ") ) >", True),
    (" ) )  > ", ") ) >", True),
    ("[')', ')', '>']", ") ) >", True),
    ("The answer is ) ) >", ") ) >", True),
    ("`] ]`", "] ]", True),
    ("] ]", "] ]", True),
    ("]]", "] ] ]", False),
    (") >", ") ) >", False),
    ("> ) )", ") ) >", False),
    ("[ [ ] ]", "] ]", False),
    ("no idea", ") ) >", False),
    (None, ")", False),
]


@pytest.mark.parametrize(("prediction", "gold", "correct"), DYCK_CASES)
def test_judge_dyck_cases(prediction: object, gold: str, correct: bool) -> None:
    assert judge_dyck(prediction, gold).correct is correct
