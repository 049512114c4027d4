"""The evaluation runner with ScriptedModel and real kernels, on the shared GSM8K/BBH files."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from pot.evaluate import aevaluate, evaluate
from pot.executors import KernelPool
from pot.models.base import Conversation, Generation, GenerationConfig
from pot.runs import (
    ResultsExistError,
    RunMismatchError,
    default_out,
    model_label,
    run_label,
)
from pot.tasks import Problem, ResultRecord, load_problems, scan_results
from pot.testing import ScriptedModel


def program(value: str, before: str = "") -> str:
    return f"```python\n{before}print({value})\n```"


@pytest.fixture
def gsm8k(shared_data: Path) -> list[Problem]:
    """The first six GSM8K test problems (gold 18, 3, 70000, 540, 20, 64)."""
    return load_problems("gsm8k", data_dir=shared_data, limit=6)


def test_records_are_written_and_judged(
    gsm8k: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    model = ScriptedModel([program("18"), program("2 + 1"), program("5")])
    out = tmp_path / "gsm8k.jsonl"
    seen: list[ResultRecord] = []
    summary = evaluate(gsm8k[:3], model, out, pool=session_pool, on_record=seen.append)
    records = scan_results(out).records
    assert [record.id for record in records] == ["gsm8k/0", "gsm8k/1", "gsm8k/2"]
    assert [record.id for record in seen] == [record.id for record in records]
    assert [record.correct for record in records] == [True, True, False]
    assert [record.prediction for record in records] == ["18", "3", "5"]
    assert [record.gold for record in records] == ["18", "3", "70000"]
    first = records[0]
    assert first.run == "pot/scripted" and first.task == "gsm8k" and first.error is None
    assert first.steps == 1 and first.completion_tokens > 0
    assert {"model", "kernel", "judge", "wait"} <= set(first.timings)
    assert first.started_at is not None and first.finished_at is not None
    assert first.trace is not None and first.trace["answer"]["value"] == "18"
    assert first.trace["steps"][0]["code"] == "print(18)"
    assert (summary.finished, summary.correct, summary.skipped) == (3, 2, 0)
    assert not summary.interrupted


def test_failures_are_recorded_with_their_kind(
    gsm8k: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    failing = program("1 / 0")
    # gsm8k/0: three failing programs (the repair budget); gsm8k/1: the script runs dry
    model = ScriptedModel([failing, failing, failing])
    out = tmp_path / "errors.jsonl"
    summary = evaluate(gsm8k[:2], model, out, pool=session_pool)
    records = {record.id: record for record in scan_results(out).records}
    assert records["gsm8k/0"].error == "code_failed" and not records["gsm8k/0"].correct
    assert records["gsm8k/0"].trace is not None
    assert records["gsm8k/1"].error == "model_error"
    assert "ScriptedModelExhausted" in records["gsm8k/1"].model_dump()["detail"]
    assert summary.errors == {"code_failed": 1, "model_error": 1}


def test_resume_skips_finished_ids_and_refuses_to_overwrite(
    gsm8k: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    out = tmp_path / "resume.jsonl"
    evaluate(gsm8k[:2], ScriptedModel([program("18"), program("3")]), out, pool=session_pool)
    with pytest.raises(ResultsExistError, match="--resume"):
        evaluate(gsm8k[:4], ScriptedModel(), out, pool=session_pool)
    model = ScriptedModel([program("70000"), program("540")])
    summary = evaluate(gsm8k[:4], model, out, resume=True, pool=session_pool)
    assert (summary.skipped, summary.finished, summary.correct) == (2, 2, 2)
    assert len(model.calls) == 2  # only the two new problems were solved
    scan = scan_results(out)
    assert [record.id for record in scan.records] == [f"gsm8k/{index}" for index in range(4)]
    assert scan.duplicates == 0
    again = evaluate(gsm8k[:4], ScriptedModel(), out, resume=True, pool=session_pool)
    assert (again.skipped, again.finished) == (4, 0)
    with pytest.raises(RunMismatchError, match="pot/scripted"):
        evaluate(gsm8k[:4], ScriptedModel(), out, mode="tir", resume=True, pool=session_pool)


def test_cot_needs_no_kernel(shared_data: Path, tmp_path: Path) -> None:
    problems = load_problems("bbh:object_counting", data_dir=shared_data, limit=2)
    model = ScriptedModel(["I count them: \\boxed{8}", "So \\boxed{14}"])
    out = tmp_path / "cot.jsonl"
    evaluate(problems, model, out, mode="cot")
    records = scan_results(out).records
    assert [record.correct for record in records] == [True, False]
    assert {record.run for record in records} == {"cot/scripted"}
    assert [record.task for record in records] == ["bbh/object_counting"] * 2
    assert all(record.steps == 0 for record in records)


class GatedModel(ScriptedModel):
    """A scripted model whose first ``parties`` calls wait for each other.

    The run can only get past the gate if ``parties`` problems are in flight at once.
    """

    def __init__(self, replies: list[str], parties: int) -> None:
        super().__init__(replies)
        self.barrier = threading.Barrier(parties, timeout=60)
        self.arrivals = 0
        self.lock = threading.Lock()

    def generate(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]:
        with self.lock:
            self.arrivals += 1
            gated = self.arrivals <= self.barrier.parties
        if gated:
            self.barrier.wait()
        return super().generate(conversations, config)


def test_concurrency_three_gives_the_same_records(gsm8k: list[Problem], tmp_path: Path) -> None:
    replies = [program("18")] * len(gsm8k)
    one, three = tmp_path / "c1.jsonl", tmp_path / "c3.jsonl"
    evaluate(gsm8k, ScriptedModel(replies), one, concurrency=1)
    gated = GatedModel(replies, parties=3)
    summary = evaluate(gsm8k, gated, three, concurrency=3)
    assert summary.finished == len(gsm8k) and not summary.errors
    assert not gated.barrier.broken

    def key(path: Path) -> set[tuple[str, str | None, bool, str | None]]:
        records = scan_results(path).records
        assert len(records) == len(gsm8k)
        return {(r.id, r.prediction, r.correct, r.error) for r in records}

    assert key(one) == key(three)
    assert {record.id for record in scan_results(three).records} == {p.id for p in gsm8k}


def test_duplicate_problems_are_solved_once(
    gsm8k: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    model = ScriptedModel([program("18")])
    out = tmp_path / "dup.jsonl"
    summary = evaluate([gsm8k[0], gsm8k[0]], model, out, pool=session_pool)
    assert summary.problems == 1 and len(scan_results(out).records) == 1


def test_labels_and_default_paths() -> None:
    assert model_label(None) == "qwen2.5-coder-1.5b"
    assert model_label("qwen2.5-coder-0.5b") == "qwen2.5-coder-0.5b"
    assert model_label("openai:Qwen/Qwen2.5-Coder-32B@http://gpu:8000/v1") == (
        "Qwen/Qwen2.5-Coder-32B"
    )
    assert model_label("/models/qwen-0.5b.gguf") == "qwen-0.5b"
    assert model_label('scripted:["x"]') == "scripted"
    assert run_label("pot", "m") == "pot/m"
    assert run_label("tir", "m", samples=5) == "tir-k5/m"
    assert default_out("gsm8k", "pot", "qwen2.5-coder-0.5b") == Path(
        "runs/gsm8k-pot-qwen2.5-coder-0.5b.jsonl"
    )
    assert default_out("bbh:navigate,word_sorting", "coc", "Qwen/X", "1/4") == Path(
        "runs/bbh_navigate_word_sorting-coc-Qwen_X-shard1of4.jsonl"
    )


def test_cancelling_a_run_does_not_wait_for_a_running_generation(
    gsm8k: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    """Ctrl-C cancels the run; a blocking model's generation in flight is abandoned
    (its daemon thread finishes on its own) and nothing half-done is written."""
    generating, release = threading.Event(), threading.Event()

    class Stuck(ScriptedModel):
        def generate(
            self, conversations: list[Conversation], config: GenerationConfig
        ) -> list[list[Generation]]:
            generating.set()
            release.wait(60)
            return super().generate(conversations, config)

    out = tmp_path / "cancelled.jsonl"

    async def run_then_cancel() -> bool:
        model = Stuck([program("18"), program("3")])
        task = asyncio.ensure_future(
            aevaluate(gsm8k[:2], model, out, concurrency=2, pool=session_pool)
        )
        assert await asyncio.to_thread(generating.wait, 60), "no generation started"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return release.is_set()

    assert asyncio.run(run_then_cancel()) is False  # it did not wait for the generation
    release.set()
    assert scan_results(out).records == []
