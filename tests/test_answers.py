"""Answer finding and normalisation tables."""

from __future__ import annotations

import pytest

from pot.answers import AnswerSource, answer_key, find_answer, normalize_answer, printed_answer

FOUND = [
    ("So she makes \\boxed{18} dollars.", "18", AnswerSource.BOXED),
    ("\\boxed{\\frac{1}{2}} and later \\boxed{3}", "3", AnswerSource.BOXED),
    ("\\boxed{x^{2}+1}", "x^{2}+1", AnswerSource.BOXED),
    ("The answer is 42.", "42", AnswerSource.ANSWER_IS),
    ("So the final answer is: (B). Done.", "(B)", AnswerSource.ANSWER_IS),
    ("Answer: 3.5", "3.5", AnswerSource.ANSWER_IS),
    ("the answer is **Yes**", "**Yes**", AnswerSource.ANSWER_IS),
]


@pytest.mark.parametrize(("text", "value", "source"), FOUND)
def test_find_answer(text: str, value: str, source: AnswerSource) -> None:
    found = find_answer(text)
    assert found is not None
    assert (found.value, found.source) == (value, source)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I am not sure.",
        "\\boxed{}",
        "The answer is",
        # a placeholder copied from the instructions is no answer
        "The final answer is \\boxed{answer}.",
        "\\boxed{\\text{Final Answer}}",
        "The answer is: your answer",
        "Answer: ...",
        # an answer box that never closed
        "The final answer is \\boxed{Hmm, let me think",
    ],
)
def test_find_no_answer(text: str) -> None:
    assert find_answer(text) is None


PRINTED = [
    ("18\n", None, "18"),
    ("step 1\nstep 2\n42\n\n", None, "42"),
    ("Total cost: $18\n", None, "$18"),
    ("x = 5\n", None, "5"),
    ("10:30\n", None, "10:30"),
    ("", "Rational(1, 2)", "Rational(1, 2)"),
    ("The answer is 7\n", None, "7"),
]


@pytest.mark.parametrize(("stdout", "result", "value"), PRINTED)
def test_printed_answer(stdout: str, result: str | None, value: str) -> None:
    found = printed_answer(stdout, result)
    assert found is not None
    assert found.value == value


def test_nothing_printed() -> None:
    assert printed_answer("", None) is None
    assert printed_answer("  \n", "  ") is None


NORMALIZED = [
    ("18", "18"),
    ("18.0", "18"),
    ("18.50", "18.5"),
    ("$1,234", "1234"),
    ("1,234.5 dollars", "1234.5"),
    ("-3", "-3"),
    ("25%", "25"),
    ("\\boxed{42}", "42"),
    ("$\\frac{3}{4}$", "3/4"),
    ("6/8", "3/4"),
    ("\\text{Yes}", "Yes"),
    ("'valid'", "valid"),
    ("(b)", "(B)"),
    ("C)", "(C)"),
    ("True.", "True"),
    ("05/01/2021", "05/01/2021"),
    ("  x^2 +   1 ", "x^2 + 1"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "normalized"), NORMALIZED)
def test_normalize_answer(raw: str, normalized: str) -> None:
    assert normalize_answer(raw) == normalized


def test_answer_keys_are_exact_for_numbers_and_fold_case() -> None:
    assert answer_key("0.5") == answer_key("1/2") == answer_key("\\frac{1}{2}")
    assert answer_key("1,000") == answer_key("1000.00")
    assert answer_key("Yes") == answer_key("yes")
    assert answer_key("(A)") == answer_key("(a)")
    assert answer_key("0.33") != answer_key("1/3")
