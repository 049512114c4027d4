"""Self-consistency, the async twin, and solvers in threads sharing one model."""

from __future__ import annotations

import threading

import pytest

from pot.answers import AnswerSource
from pot.consistency import vote
from pot.executors import JupyterExecutor, KernelPool
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Answer, NoAnswerReason, SampleAnswer


def _program(value: str) -> str:
    return f"```python\nprint({value})\n```"


def test_samples_are_one_batch_and_the_majority_wins(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([_program("7"), _program("8"), _program("7.0")])
    trace = Solver(model, kernel, samples=3).solve("?")
    assert len(model.calls) == 1
    assert model.calls[0].config.n == 3
    assert model.calls[0].config.temperature > 0
    assert trace.answer.normalized == "7"
    assert trace.answer.source is AnswerSource.VOTE
    assert trace.vote is not None
    assert [(count.answer, count.votes, count.samples) for count in trace.vote.counts] == [
        ("7", 2, [0, 2]),
        ("8", 1, [1]),
    ]
    assert trace.vote.tie_break == ""
    assert [step.sample for step in trace.steps if isinstance(step, SampleAnswer)] == [0, 1, 2]


def test_a_tie_goes_to_the_earliest_sample(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        [_program("'no'"), _program("'yes'"), _program("'Yes'"), _program("'No'")]
    )
    trace = Solver(model, kernel, samples=4).solve("?")
    assert trace.answer.normalized == "no"
    assert trace.vote is not None
    assert trace.vote.tie_break == "earliest sample"
    assert "tie broken" in trace.answer.detail


def test_samples_do_not_share_a_namespace(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        ["```python\nsecret = 5\nprint(secret)\n```", _program("secret"), _program("4")]
    )
    trace = Solver(model, kernel, samples=2, max_steps=2).solve("?")
    assert trace.code_steps[1].execution.error is not None
    assert trace.answer.normalized == "5"


def test_repairs_within_a_sample_and_failed_samples_do_not_vote(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([_program("1/0"), _program("2"), _program("1/0")])
    trace = Solver(model, kernel, samples=2, max_steps=2).solve("?")
    assert trace.answer.normalized == "2"
    assert trace.vote is not None
    assert [count.samples for count in trace.vote.counts] == [[1]]
    assert len(model.calls) == 2


def test_no_sample_with_an_answer_means_no_majority() -> None:
    answer, ballot = vote([Answer(reason=NoAnswerReason.NO_CODE)] * 2)
    assert answer.reason is NoAnswerReason.NO_MAJORITY
    assert ballot.winner is None


def printed(value: str) -> Answer:
    return Answer(value=value, normalized=value, source=AnswerSource.PRINTED)


def test_an_empty_result_loses_a_tie_but_not_a_majority() -> None:
    # a program whose search found nothing prints [] or None: in a tie the answer wins
    sentence = "Ava is a sage, and Luke is a fool"
    answer, ballot = vote([printed("[]"), printed(sentence)])
    assert answer.value == sentence
    assert [count.answer for count in ballot.counts] == [sentence, "[]"]
    assert ballot.tie_break == "earliest sample"
    answer, _ = vote([printed("None"), printed("set()"), printed("7"), printed("None")])
    assert answer.value == "None"  # two votes beat one
    answer, _ = vote([printed("0"), printed("[]")])
    assert answer.value == "0"  # zero is an answer, not an empty result


@pytest.mark.parametrize(
    ("values", "winner", "rule"),
    [
        (["221.0", "2971", "125", "125", "221", "2971"], "125", "the chain of thought"),
        (["1", "1.5", "0", "False"], "0", "the chain of thought"),  # numbers, all alone
        (["hippopotamuses", "Mia", "Kimi", "None"], "Kimi", "the chain of thought"),
        (["0 1\n1 0", "[[0, 1]]", "\\text{distance_matrix}"], "0 1\n1 0", "earliest sample"),
        (["0", "x", "No"], "0", "earliest sample"),  # words against a number: not its kind
        (["5", "6", "7", "5"], "5", ""),  # two votes beat the chain of thought
        (["[]", "[1]", "[]", "[1]"], "[1]", "earliest sample"),  # empty still loses
    ],
)
def test_a_tie_breaker_wins_ties_against_answers_of_its_kind(
    values: list[str], winner: str, rule: str
) -> None:
    answer, ballot = vote([printed(value) for value in values], tie_breaker=2)
    assert answer.value == winner
    assert ballot.tie_break == rule


async def test_asolve_matches_solve(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        ["```python\nx = 6\nprint(x * 7)\n```", "```python\nprint(x)\n```", "\\boxed{6}"]
    )
    trace = await Solver(model, kernel).asolve("6*7?")
    assert trace.answer.normalized == "42"
    events = [event async for event in Solver(model, kernel, mode="tir").astream("x?")]
    assert [event.kind for event in events] == ["code", "text", "final"]
    assert events[0].execution.stdout == "6\n"


def test_solvers_in_threads_share_one_model(session_pool: KernelPool) -> None:
    model = ScriptedModel([_program(str(i)) for i in range(4)])
    answers: list[str | None] = []
    lock = threading.Lock()

    def work() -> None:
        with session_pool.lend(timeout=60) as executor:
            for _ in range(2):
                trace = Solver(model, executor).solve("?")
                with lock:
                    answers.append(trace.answer.normalized)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers, key=str) == ["0", "1", "2", "3"]


def test_a_batch_splits_into_one_reply_a_sample_with_its_share_of_the_time() -> None:
    from pot.loop_requests import GenerateReply
    from pot.models import Generation, StopReason

    texts = ["a", "b", "c", "d"]
    batch = GenerateReply([Generation(text=t, stop_reason=StopReason.END) for t in texts], 2.0)
    each = batch.each()
    assert [[sample.text for sample in reply.samples] for reply in each] == [[t] for t in texts]
    assert [reply.seconds for reply in each] == [0.5] * 4
    assert GenerateReply([], 1.0).each() == []
