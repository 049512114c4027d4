"""A negative number where the question asks "how many" or "how much": sent back once."""

from __future__ import annotations

import pytest

from pot.consistency import vote
from pot.executors import JupyterExecutor
from pot.plausible import doubted_in_vote, negative_amount
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Answer, Mode, NoAnswerReason

FEED = (
    "Every day Wendi feeds each of her 20 chickens 3 cups of feed in three meals. She gives "
    "15 cups in the morning and 25 in the afternoon. How many cups does she give in the "
    "final meal?"
)


@pytest.mark.parametrize(
    ("question", "value", "asked"),
    [
        (FEED, "-20", "how many"),
        (FEED, "-20.0", "how many"),
        (FEED, "-$20", "how many"),
        ("How much money is left?", "-5", "how much"),
        ("HOW MANY apples?", "-3 apples", "how many"),
        (FEED, "20", None),
        (FEED, "0", None),
        (FEED, "-x", None),  # no number
        (FEED, "[-1, 2]", None),
        ("What is 3 - 5?", "-2", None),  # not a count
        ("The low was -3 degrees. How many degrees colder is it now?", "-5", None),
        ("The temperature dropped 8 degrees. How many degrees is it now?", "-5", None),
        ("How much does Tom owe after paying 5 of his 9 dollars of debt?", "-4", None),
        ("How many is 2 minus 7?", "-5", None),
        ("How much is negative four plus one?", "-3", None),
    ],
)
def test_negative_amounts(question: str, value: str, asked: str | None) -> None:
    assert negative_amount(question, value) == asked


def test_a_negative_count_is_sent_back_once(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        [
            "```python\nprint(15 + 25 - 3 * 20)\n```",
            "```python\nprint(3 * 20 - (15 + 25))\n```",
        ]
    )
    trace = Solver(model, kernel).solve(FEED)
    assert trace.answer.normalized == "20"
    repair = model.calls[1].conversations[0][-1].content
    assert "printed -20" in repair and "how many" in repair and "cannot be negative" in repair
    assert [step.execution.stdout for step in trace.code_steps] == ["-20\n", "20\n"]


def test_a_negative_count_printed_again_is_believed(kernel: JupyterExecutor) -> None:
    """Asked once: the model that prints a negative number again keeps it (nothing lost)."""
    model = ScriptedModel(
        ["```python\nprint(15 + 25 - 3 * 20)\n```", "```python\nprint(40 - 60)\n```"]
    )
    trace = Solver(model, kernel).solve(FEED)
    assert trace.answer.normalized == "-20"
    assert len(model.calls) == 2


def test_no_doubt_on_the_last_step_or_in_plain(kernel: JupyterExecutor) -> None:
    """With no step left to repair in, the answer stands; ``plain`` never repairs."""
    program = "```python\nprint(15 + 25 - 3 * 20)\n```"
    last = Solver(ScriptedModel([program]), kernel, max_steps=1).solve(FEED)
    assert last.answer.normalized == "-20"
    plain = Solver(ScriptedModel([program]), kernel, mode=Mode.PLAIN).solve(FEED)
    assert plain.answer.normalized == "-20"


def test_a_doubt_no_repair_answers_keeps_the_doubted_answer(kernel: JupyterExecutor) -> None:
    """The 1.5B answered one such request with a program of comments only, twice: the
    sample still answers what it printed before the doubt."""
    model = ScriptedModel(
        [
            "```python\nprint(15 + 25 - 3 * 20)\n```",
            "```python\nprint(1/0)\n```",
            "```python\n# The question asks how many\n```",
        ]
    )
    answer = Solver(model, kernel, max_steps=3).solve(FEED).answer
    assert answer.normalized == "-20"
    assert answer.detail.startswith("printed before the doubt; then ")
    failing = Solver(ScriptedModel(["```python\nprint(1/0)\n```"] * 3), kernel, max_steps=2)
    assert failing.solve(FEED).answer.reason is NoAnswerReason.CODE_FAILED  # no doubt: none


def test_a_vote_rules_out_a_negative_count() -> None:
    doubted = doubted_in_vote(FEED)
    assert doubted("-20") and not doubted("20") and not doubted("twenty")
    answers = [Answer(value=value, normalized=value) for value in ("-20", "-20", "20")]
    winner, ballot = vote(answers, doubted=doubted)
    assert winner.value == "20" and ballot.counts[-1].ruled_out
    assert not doubted_in_vote("What is 3 minus 23?")("-20")  # the question speaks of negatives


FACTORS = "Find the prime factorization of 112. Write the factors separated by ×."


@pytest.mark.parametrize(
    ("value", "broken"),
    [
        ("2 ×  × 7 ×", "an empty item between two '×'"),
        ("-0.7868, 0.7868,", "a ',' with no item after it"),
        ("a,,b", "an empty item between two ','"),
        ("; x", "a ';' with no item before it"),
        ("2 × 2 × 7", None),
        ("1,000", None),
        ("Hello, world", None),
        ("(13,)", None),  # a tuple's comma, inside brackets
        ("'a,'", None),
        ("1 0,\n0 1,", None),  # several lines: a layout of its own
    ],
)
def test_broken_lists(value: str, broken: str | None) -> None:
    from pot.plausible import broken_list

    assert broken_list(value) == broken


def test_a_list_joined_wrongly_is_sent_back_once_and_loses_a_tie(kernel: JupyterExecutor) -> None:
    """The 1.5B's program joined ``factor + ' × '`` with ``' × '``; the repair is asked
    what is wrong, and in a vote the broken list ranks last."""
    wrong = "```python\nprint(' × '.join(f + ' × ' for f in ['2', '', '7']))\n```"
    model = ScriptedModel([wrong, "```python\nprint(' × '.join(['2'] * 4 + ['7']))\n```"])
    trace = Solver(model, kernel).solve(FACTORS)
    assert trace.answer.normalized == "2 × 2 × 2 × 2 × 7"
    repair = model.calls[1].conversations[0][-1].content
    assert "an empty item between two '×'" in repair and "joined wrongly" in repair
    doubted = doubted_in_vote(FACTORS)
    answers = [Answer(value=value, normalized=value) for value in ("2 ×  × 7 ×", "2 × 7")]
    winner, ballot = vote([answers[0], answers[0], answers[1]], doubted=doubted)
    assert winner.value == "2 × 7" and ballot.counts[-1].ruled_out


ISLAND = (
    "A very special island is inhabited only by saints and sinners. Saints always tell the "
    "truth, and sinners always lie. David says: Harper is a sinner. Harper says: David is a "
    "sinner. Harper is a sinner. So who is a saint and who is a sinner? (Format your answer "
    'like: "David is a saint/sinner, and Harper is a saint/sinner")'
)


@pytest.mark.parametrize(
    ("value", "choice"),
    [
        ("David is a saint/sinner, and Harper is a sinner", "saint/sinner"),
        ("David is not a Saint/Sinner", "saint/sinner"),
        ("David is a saint, and Harper is a sinner", None),
        ("saint", None),
    ],
)
def test_a_choice_of_the_template_left_open(value: str, choice: str | None) -> None:
    from pot.question_examples import open_choice

    assert open_choice(ISLAND, value) == choice
    assert open_choice("Is it red? Answer yes/no.", "yes/no") is None  # no template


def test_an_open_choice_is_sent_back_once_and_loses_a_tie(kernel: JupyterExecutor) -> None:
    """A program of the 0.5B filled one slot of the template and printed the other's
    ``saint/sinner`` as it stood; the repair is told which choice is open, and in a vote
    the answer ranks below one that chose."""
    open_one = "```python\nprint('David is a saint/sinner, and Harper is a sinner')\n```"
    chosen = "```python\nprint('David is a saint, and Harper is a sinner')\n```"
    model = ScriptedModel([open_one, chosen])
    trace = Solver(model, kernel).solve(ISLAND)
    assert trace.answer.value == "David is a saint, and Harper is a sinner"
    repair = model.calls[1].conversations[0][-1].content
    assert "'saint/sinner'" in repair and "which one it is" in repair
    answers = [
        Answer(value=value, normalized=value)
        for value in (
            "David is a saint/sinner, and Harper is a sinner",
            "David is a saint, and Harper is a sinner",
        )
    ]
    winner, ballot = vote([answers[0], answers[0], answers[1]], doubted=doubted_in_vote(ISLAND))
    assert winner.value == answers[1].value and ballot.counts[-1].ruled_out
