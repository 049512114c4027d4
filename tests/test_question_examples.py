"""A program that works on the question's own example of its answer's form is not run."""

from __future__ import annotations

import pytest

from pot.consistency import vote
from pot.executors import JupyterExecutor
from pot.loops import RESAMPLE_TEMPERATURE
from pot.question_examples import (
    EXAMPLE_NOTE,
    EXAMPLE_OUTPUT,
    copies_example,
    example_spans,
    uses_question_example,
)
from pot.render import answer_origin, disagreement
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Answer, TextStep

SORTING = (
    "Sort these numbers in descending order: 29.35, -71.1, 46.79\n"
    "Let all your answers be a list of numbers. Instead of reporting your answer as "
    "-69, -13, 1, 7, 61, use ['-69', '-13', '1', '7', '61'] instead\n"
)
FACTORS = (
    "Find the prime factorization of 246. Write the factors separated by × "
    "(Example: for 12 the answer would be: 2 × 2 × 3)"
)
KNIGHTS = (
    "You meet 2 inhabitants: Ella, and Lily. So who is a hero and who is a villain? "
    '(Format your answer like: "Ella is a hero/villain, and Lily is a hero/villain")'
)
HANOI = (
    "Solve the Tower of Hanoi with 2 disks and 3 pegs.\n"
    "- Each line should be formatted as 'Move disk X from Peg Y to Peg Z'"
)
ON_EXAMPLE = "numbers = ['-69', '-13', '1', '7', '61']\nprint(sorted(numbers, reverse=True))"
ON_DATA = "numbers = [29.35, -71.1, 46.79]\nprint(sorted(numbers, reverse=True))"


def test_the_examples_of_a_question_run_to_their_line_or_bracket_end() -> None:
    spans = [SORTING[start:end] for start, end in example_spans(SORTING)]
    assert spans == [
        "Instead of reporting your answer as -69, -13, 1, 7, 61, use "
        "['-69', '-13', '1', '7', '61'] instead"
    ]
    spans = [FACTORS[start:end] for start, end in example_spans(FACTORS)]
    assert spans == ["Example: for 12 the answer would be: 2 × 2 × 3"]
    assert example_spans("What is 6 times 7?") == []
    worded = "Answer with the weekday (e.g., Monday, Tuesday, etc.). What day is it?"
    assert [worded[start:end] for start, end in example_spans(worded)] == [
        "e.g., Monday, Tuesday, etc."
    ]


@pytest.mark.parametrize(
    ("code", "question", "flagged"),
    [
        (ON_EXAMPLE, SORTING, True),
        ("print(sorted([-69, -13, 1, 7, 61], reverse=True))", SORTING, True),
        (ON_DATA, SORTING, False),  # the problem's own numbers
        # the example's numbers beside the problem's: the problem's data is used
        ("print(sorted([29.35, -71.1, 46.79, -69, -13], reverse=True))", SORTING, False),
        ("n = 246\nprint(n)", FACTORS, False),
        # a template's words are a program's to use: only answers may not repeat one
        ("print(f'Move disk {1} from Peg {1} to Peg {3}')", HANOI, False),
        ("n = 12\nprint(' × '.join(['2', '2', '3']))", FACTORS, False),  # one datum only
        ("print(12 * 2)", "What is 12 * 2?", False),  # no example in the question
    ],
)
def test_a_program_on_the_questions_example(code: str, question: str, flagged: bool) -> None:
    assert uses_question_example(code, question) is flagged


def test_pot_does_not_run_a_program_on_the_example_and_asks_again(
    kernel: JupyterExecutor,
) -> None:
    replies = [f"```python\n{ON_EXAMPLE}\n```", f"```python\n{ON_DATA}\n```"]
    model = ScriptedModel(replies)
    trace = Solver(model, kernel, mode="pot", max_steps=3).solve(SORTING)
    assert trace.answer.normalized == "[46.79, 29.35, -71.1]"
    first = trace.steps[0]
    assert isinstance(first, TextStep) and first.nudge == EXAMPLE_NOTE
    assert [step.code for step in trace.code_steps] == [ON_DATA]  # the first never ran
    assert model.calls[1].conversations[0][-1].content == EXAMPLE_NOTE


def test_plain_runs_it_as_written(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([f"```python\n{ON_EXAMPLE}\n```"])
    trace = Solver(model, kernel, mode="plain").solve(SORTING)
    assert trace.answer.normalized == "['7', '61', '1', '-69', '-13']"


def test_the_same_program_again_is_asked_for_anew_with_sampling(kernel: JupyterExecutor) -> None:
    # the greedy 1.5B wrote the flagged program three times over; a repeat is resampled
    program = f"```python\n{ON_EXAMPLE}\n```"
    model = ScriptedModel([program, program, f"```python\n{ON_DATA}\n```"])
    trace = Solver(model, kernel, mode="pot", max_steps=4).solve(SORTING)
    assert trace.answer.normalized == "[46.79, 29.35, -71.1]"
    assert model.calls[1].config.temperature == 0
    assert model.calls[2].config.temperature == pytest.approx(RESAMPLE_TEMPERATURE)


def test_a_sample_that_only_repeats_it_gives_no_answer(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([f"```python\n{ON_EXAMPLE}\n```"] * 3)
    trace = Solver(model, kernel, mode="pot", max_steps=4).solve(SORTING)
    assert trace.answer.value is None
    assert trace.answer.detail == (
        "the model worked on the question's example; it repeated that program"
    )
    assert trace.code_steps == []


def test_tir_shows_the_block_was_not_run_and_goes_on(kernel: JupyterExecutor) -> None:
    replies = [
        f"I sort them.\n```python\n{ON_EXAMPLE}\n```",
        f"```python\n{ON_DATA}\n```",
        "The final answer is \\boxed{[46.79, 29.35, -71.1]}.",
    ]
    model = ScriptedModel(replies)
    trace = Solver(model, kernel, mode="tir").solve(SORTING)
    assert trace.answer.normalized == "[46.79, 29.35, -71.1]"
    assert [step.code for step in trace.code_steps] == [ON_DATA]  # the first never ran
    first = trace.steps[0]
    assert isinstance(first, TextStep) and first.nudge == EXAMPLE_OUTPUT
    draft = model.calls[1].conversations[0][-1]
    assert draft.role == "assistant" and EXAMPLE_OUTPUT in draft.content


PATH = (
    "Find the shortest path from * to # in the grid below.\n"
    "Your output should be a sequence of directions that leads from * to #, "
    "e.g. right right down down up left\n"
    "* O X\nO O #\n"
)
BINARY = (
    "Return the minimum number of swaps to make it alternating. For example, the strings "
    '"010" and "1010" are alternating, while the string "0100" is not.\n'
    "Now, for the binary string 1100"
)


@pytest.mark.parametrize(
    ("question", "value", "copied"),
    [
        (PATH, "right right down down up left", True),
        (PATH, "Right right down down up left.", True),  # case and a full stop are form
        (PATH, "right down down up", False),  # a part of the example's value
        (PATH, "right down", False),
        (PATH, "right right down down up left " * 40, False),  # longer than any example
        (PATH, "right down right", False),
        (PATH, "infeasible", False),
        (FACTORS, "2 × 2 × 3", True),
        (FACTORS, "2 × 3 × 41", False),
        (FACTORS, "2", False),  # one number is anyone's
        (SORTING, "['-69', '-13', '1', '7', '61']", True),
        (SORTING, "[46.79, 29.35, -71.1]", False),
        # found in the problem's own data too: not only the example's
        ("Sort 3 1 2 ascending (e.g. 1 2 3 for 3 2 1).", "1 2 3", True),
        ("Sort 1 2 3 descending (e.g. 1 2 3 becomes 3 2 1).", "1 2 3", False),
        (BINARY, "1010", False),  # one token
        (KNIGHTS, "Ella is a hero/villain, and Lily is a hero/villain", True),
        (KNIGHTS, "Ella is a hero, and Lily is a villain.", False),
        (HANOI, "Move disk X from Peg Y to Peg Z", True),
        (HANOI, "Move disk 1 from Peg 1 to Peg 3", False),
        ('Solve it. For example: "-0.3773, 0.4005"', "-0.3773, 0.4005", True),
        ("Answer with the weekday (e.g., Monday, Tuesday, etc.).", "Monday", False),
        ("What is 6 times 7? For 2 times 3 the answer is 6.", "6", False),  # no example
    ],
)
def test_an_answer_that_copies_the_questions_example(
    question: str, value: str, copied: bool
) -> None:
    assert copies_example(question, value) is copied


def test_a_copied_example_ranks_below_every_other_answer_in_a_vote() -> None:
    copy = "right right down down up left"
    answers = [Answer(value=value, normalized=value) for value in (copy, copy, "down right")]
    answers.append(Answer(value=None))

    def doubted(value: str) -> bool:
        return copies_example(PATH, value)

    winner, ballot = vote(answers, doubted=doubted)
    assert winner.value == "down right"
    assert winner.detail == "1 of 4 samples, 2 for an answer the question rules out set aside"
    assert [count.votes for count in ballot.counts] == [1, 2]
    assert vote(answers)[0].value == copy  # without doubts, the majority
    alone, _ = vote(answers[:2], doubted=doubted)
    assert alone.value == copy  # no other answer: the copy stands
    # a tie among believed answers is still a tie; the copy is not one of them
    tied, ballot = vote([*answers[:3], Answer(value="up", normalized="up")], 2, doubted=doubted)
    assert tied.value == "down right" and ballot.tie_break


def test_auto_escalates_past_two_programs_that_print_the_example(
    kernel: JupyterExecutor,
) -> None:
    def printing(value: str) -> str:
        return f"```python\nprint({value!r})\n```"

    copy = "right right down down up left"
    again = f"```python\nanswer = {copy!r}\nprint(answer)\n```"  # sent back, printed again
    model = ScriptedModel(
        [
            *(printing(copy), printing(copy), again, again),  # the pair, then each repair
            "So the path is \\boxed{down right}.",
            *(printing("down right"), printing("right down"), printing("up")),
            *(f"\\boxed{{{value}}}" for value in (copy, "down right", copy)),
            "{down right}",
        ]
    )
    trace = Solver(model, kernel, mode="auto").solve(PATH)
    assert trace.answer.value == "down right"
    assert trace.vote is not None
    assert [count.votes for count in trace.vote.counts] == [3, 1, 1, 4]
    assert "4 for an answer the question rules out set aside" in (trace.answer.detail or "")


def test_a_program_that_prints_the_template_is_sent_back_once(kernel: JupyterExecutor) -> None:
    template = "Ella is a hero/villain, and Lily is a hero/villain"
    right = "Ella is a hero, and Lily is a villain"
    replies = [f"```python\nprint({value!r})\n```" for value in (template, right)]
    model = ScriptedModel(replies)
    trace = Solver(model, kernel, mode="pot").solve(KNIGHTS)
    assert trace.answer.value == right
    repair = model.calls[1].conversations[0][-1].content
    assert f"printed {template}" in repair and "own example" in repair
    again = ScriptedModel([replies[0], replies[0].replace("print(", "print( ")])
    assert Solver(again, kernel, mode="pot").solve(KNIGHTS).answer.value == template  # believed
    plain = Solver(ScriptedModel(replies[:1]), kernel, mode="plain").solve(KNIGHTS)
    assert plain.answer.value == template  # the baseline never repairs


def test_the_vote_marks_and_shows_an_answer_the_question_rules_out() -> None:
    copy = "right right down down up left"
    answers = [Answer(value=value, normalized=value) for value in (copy, copy, "down right")]
    winner, ballot = vote(answers, doubted=lambda value: copies_example(PATH, value))
    assert [count.ruled_out for count in ballot.counts] == [False, True]
    assert answer_origin(winner, ballot) == (
        "majority of 3 samples, 1 agreeing, 2 ruled out by the question"
    )
    assert disagreement(ballot) == (
        "samples disagree: down right ×1, right right down down up left ×2 "
        "(ruled out by the question)"
    )
