"""Multiple-choice questions: an answer that is none of the options is repaired."""

from __future__ import annotations

import pytest

from pot.choices import Choices, in_option_words, question_choices
from pot.executors import JupyterExecutor
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import NoAnswerReason

MOVIES = (
    "Find a movie similar to Heat, The Fugitive, Forrest Gump:\nOptions:\n"
    "(A) Death Race 2\n(B) Independence Day\n(C) Slumber Party Massacre II"
)
CAUSE = "Did the black wire cause the short circuit?\nOptions:\n- Yes\n- No"


def test_lettered_and_bulleted_options_are_read() -> None:
    assert question_choices(MOVIES) == Choices(
        {"A": "Death Race 2", "B": "Independence Day", "C": "Slumber Party Massacre II"}
    )
    assert question_choices(CAUSE) == Choices({}, ("Yes", "No"))
    assert question_choices("How many legs do 3 spiders have?") is None
    # one option, letters not from A, or dashes that are not after "Options:" are no options
    assert question_choices("Pick:\n(A) only one") is None
    assert question_choices("(B) x\n(C) y") is None
    assert question_choices("Steps:\n- add 2\n- double it") is None


@pytest.mark.parametrize(
    ("answer", "held"),
    [
        ("(B)", True),
        ("B", True),
        ("b)", True),
        ("Independence Day", True),
        ("(B) Independence Day", True),
        ("(D)", False),
        ("Heat", False),
        ("None", False),
        ("[]", False),
    ],
)
def test_an_answer_names_an_option_or_does_not(answer: str, held: bool) -> None:
    choices = question_choices(MOVIES)
    assert choices is not None and choices.holds(answer) is held


SYLLOGISM = (
    "Consider these statements:\n1. All elephants are horses\n2. No horses are artists\n\n"
    "Does it logically follow that:\nNo elephants are artists?\n(Answer Yes or No)"
)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        (SYLLOGISM, ("Yes", "No")),
        ('Is 7 prime? Answer with "yes" or "no".', ("yes", "no")),
        ("Is 7 prime (yes/no)?", ("yes", "no")),
        (
            "Return True if you can finish all courses considering the prerequisites, "
            "or False otherwise.",
            ("True", "False"),
        ),
        ("Is this argument valid? Answer valid or invalid.", ("valid", "invalid")),
        ("Answer yes or maybe.", None),  # not a pair of opposites
        ("How many apples? Answer: 5 or 6", None),
        ("Will it rain? If yes, or if no, say why.", None),  # not named as the answer
    ],
)
def test_two_answers_a_question_names_in_words(
    question: str, named: tuple[str, str] | None
) -> None:
    choices = question_choices(question)
    assert (choices.words if choices else None) == named


def test_a_yes_or_no_question_takes_a_boolean_either_way() -> None:
    for question in (SYLLOGISM, "Return True if it halts, or False otherwise."):
        choices = question_choices(question)
        assert choices is not None
        assert all(choices.holds(answer) for answer in ("Yes", "no", "True", "false"))
        assert not choices.holds("No elephants are artists") and not choices.holds("horses")


def test_a_vote_doubts_an_answer_that_is_none_of_the_options(kernel: JupyterExecutor) -> None:
    """The 0.5B's chain of thought and a program answered a syllogism with a sentence."""
    model = ScriptedModel(
        [
            "```python\nprint('Yes')\n```",
            "```python\nprint('horses')\n```",
            "```python\nprint('No')\n```",  # after the repair: none of the options
            "So \\boxed{No elephants are artists}.",
            *(f"```python\nprint({value!r})\n```" for value in ("Yes", "No", "Yes")),
            *(f"\\boxed{{{value}}}" for value in ["No elephants are artists"] * 3),
            "{Yes}",
        ]
    )
    trace = Solver(model, kernel, mode="auto").solve(SYLLOGISM)
    assert "none of the options (Yes, No)" in model.calls[1].conversations[0][-1].content
    assert trace.answer.value == "Yes"
    assert trace.vote is not None and trace.vote.counts[-1].votes == 4  # the sentence


def test_word_options_are_matched_whole() -> None:
    choices = question_choices(CAUSE)
    assert choices is not None
    assert choices.holds("Yes") and choices.holds("no.") and not choices.holds("Maybe")
    assert choices.holds("True") and choices.holds("False")  # as the judges read them
    assert choices.named() == "Yes, No"


def test_a_program_that_prints_no_option_is_repaired(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        [
            "```python\nmovies = ['Heat', 'The Fugitive']\nprint(movies[0])\n```",
            "```python\nprint('(B)')\n```",
        ]
    )
    trace = Solver(model, kernel).solve(MOVIES)
    assert trace.answer.value == "(B)"
    repair = model.calls[1].conversations[0][-1].content
    assert "Heat, which is none of the options ((A), (B), (C))" in repair
    stuck = Solver(ScriptedModel(["```python\nprint('Maybe')\n```"] * 3), kernel, max_steps=2)
    answer = stuck.solve(CAUSE).answer
    assert answer.value is None and answer.reason is NoAnswerReason.NOTHING_PRINTED
    assert "none of the options" in answer.detail


def test_plain_takes_what_its_program_printed(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint('Heat')\n```"])
    assert Solver(model, kernel, mode="plain").solve(MOVIES).answer.value == "Heat"


@pytest.mark.parametrize(
    ("question", "value", "written"),
    [
        (SYLLOGISM, "False", "No"),
        (SYLLOGISM, "True", "Yes"),
        (SYLLOGISM, "false.", "No"),
        (SYLLOGISM, "No", None),  # already the question's word
        (SYLLOGISM, "horses", None),
        ("Return True if it halts, or False otherwise.", "no", "False"),
        ("Is the argument valid? Answer valid or invalid.", "True", "valid"),
        (CAUSE, "False", "No"),  # bulleted options too
        ("Is 7 prime?", "True", None),  # no options named
        (MOVIES, "True", None),  # lettered options are no yes or no
    ],
)
def test_a_yes_or_no_in_the_questions_own_words(
    question: str, value: str, written: str | None
) -> None:
    assert in_option_words(question, value) == written


@pytest.mark.parametrize("mode", ["pot", "auto"])
def test_a_printed_boolean_is_answered_with_the_questions_word(
    kernel: JupyterExecutor, mode: str
) -> None:
    """No restating turn is asked for: pot writes it (the 1.5B's calendar programs
    printed False to "Answer with Yes or No", twice in 10)."""
    program = "```python\nprint(2023 % 4 == 0)\n```"
    model = ScriptedModel([program, program])
    trace = Solver(model, kernel, mode=mode).solve("Is 2023 a leap year? Answer with Yes or No.")
    assert trace.answer.value == "No"
    assert trace.answer.detail.startswith("False as the question's word for it")
    assert len(model.calls) == 1  # auto: its two programs in one batch
