"""The run record beside each results file, and honest accounting of failing infrastructure:
real kernels, a real HTTP server that is down and then up, scripted models for the loop."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from pot.evaluate import InfrastructureError, evaluate
from pot.executors import KernelPool
from pot.models.openai import OpenAIModel
from pot.run_record import run_settings
from pot.tasks import Problem, TaskOptions, load_problems, scan_results
from pot.tasks.record import (
    RecordMismatchError,
    RunRecord,
    TaskSpec,
    check_settings,
    read_record,
    record_path,
)
from pot.testing import ScriptedModel
from tests.test_openai import FaultyServer, completion


def program(value: str) -> str:
    return f"```python\nprint({value})\n```"


@pytest.fixture
def arithmetic(tmp_path: Path) -> list[Problem]:
    """Six problems from a file of our own: 'What is i + 1?' for i = 0..5."""
    path = tmp_path / "data" / "sums.jsonl"
    path.parent.mkdir()
    rows = [{"question": f"What is {i} + 1?", "answer": i + 1} for i in range(6)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return load_problems(str(path))


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


def test_every_run_writes_a_record_beside_its_results(
    arithmetic: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    out = tmp_path / "runs" / "sums.jsonl"
    model = ScriptedModel([program(str(i + 1)) for i in range(3)], context=2048)
    summary = evaluate(arithmetic[:3], model, out, pool=session_pool, timeout=5.0)
    assert summary.record == record_path(out) == tmp_path / "runs" / "sums.record.json"
    record = read_record(out)
    assert record is not None and record.results == "sums.jsonl" and record.run == "pot/scripted"
    settings = record.settings
    assert settings.task.spec == "file/sums" and settings.mode == "pot"
    assert (settings.model, settings.prompt, settings.timeout) == ("scripted", "pot", 5.0)
    assert (settings.temperature, settings.samples, settings.max_steps) == (0.0, 1, 3)
    assert len(settings.prompt_sha256) == 64
    (session,) = record.sessions
    assert session.outcome == "finished" and (session.problems, session.finished) == (3, 3)
    assert session.pot_version and session.started <= (session.ended or "")
    assert session.machine.cpu_count and session.machine.python
    assert session.git_commit is None or len(session.git_commit) == 40
    assert session.options == {"concurrency": 1, "max_errors": 5}
    assert session.context == 2048  # what a question longer than it was judged against


def test_resume_appends_a_session_and_refuses_other_settings(
    arithmetic: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    out = tmp_path / "sums.jsonl"
    evaluate(arithmetic[:2], ScriptedModel([program("1"), program("2")]), out, pool=session_pool)
    with pytest.raises(RecordMismatchError, match=r"timeout 10\.0 -> 4\.0") as caught:
        evaluate(arithmetic, ScriptedModel([]), out, pool=session_pool, resume=True, timeout=4.0)
    assert "\n" not in str(caught.value) and "another --out" in str(caught.value)
    other_task = run_settings(TaskSpec(spec="rg:gcd", size=5, seed=1), "scripted")
    with pytest.raises(RecordMismatchError, match=r"task\.spec 'file/sums' -> 'rg:gcd'"):
        check_settings(out, other_task)
    assert len(scan_results(out).records) == 2  # nothing was written by the refused runs
    model = ScriptedModel([program(str(i + 1)) for i in range(2, 6)])
    summary = evaluate(arithmetic, model, out, pool=session_pool, resume=True)
    assert (summary.skipped, summary.finished, summary.correct) == (2, 4, 4)
    record = read_record(out)
    assert record is not None and [s.outcome for s in record.sessions] == ["finished"] * 2
    assert [s.skipped for s in record.sessions] == [0, 2]


def test_a_record_that_is_not_one_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    record_path(out).write_text("{}", encoding="utf-8")
    with pytest.raises(RecordMismatchError, match="not a pot run record"):
        check_settings(out, run_settings("gsm8k", "scripted"))


def test_rg_settings_keep_size_seed_and_version() -> None:
    from pot.tasks.registry import describe_task

    settings = run_settings(describe_task("rg:gcd", TaskOptions(size=4, seed=2)), "m", "cot")
    assert (settings.task.size, settings.task.seed) == (4, 2)
    assert settings.task.package is not None
    assert settings.max_steps == 2 and settings.prompt == "cot"
    assert RunRecord(results="r.jsonl", run="cot/m", settings=settings).format == 1


def test_a_down_server_is_not_a_wrong_answer_and_stops_the_run(
    arithmetic: list[Problem], tmp_path: Path
) -> None:
    out = tmp_path / "sums.jsonl"
    down = OpenAIModel("qwen", base_url=closed_port_url(), max_retries=0, backoff=0)
    with pytest.raises(
        InfrastructureError, match="2 problems in a row failed in the model"
    ) as caught:
        evaluate(arithmetic, down, out, mode="cot", max_errors=2)
    stopped = caught.value
    assert stopped.kind == "model_error" and stopped.count == 2
    assert "is the server running" in stopped.detail
    assert (stopped.summary.finished, stopped.summary.judged, stopped.summary.correct) == (2, 0, 0)
    records = scan_results(out).records
    assert [record.error for record in records] == ["model_error", "model_error"]
    record = read_record(out)
    assert record is not None and record.sessions[-1].outcome == "stopped"
    assert record.sessions[-1].errors == {"model_error": 2}

    def answer(number: int, body: dict) -> tuple[int, dict[str, str], dict]:
        question = body["messages"][-1]["content"]
        value = int(question.split("What is ")[1].split(" +")[0]) + 1
        return 200, {}, completion(f"So the answer is \\boxed{{{value}}}.")

    with FaultyServer(answer) as server:
        up = OpenAIModel("qwen", base_url=server.url, max_retries=0)
        summary = evaluate(arithmetic, up, out, mode="cot", resume=True, max_errors=2)
    assert (summary.skipped, summary.finished, summary.judged, summary.correct) == (0, 6, 6, 6)
    merged = scan_results(out)
    assert merged.retried == 2 and all(record.correct for record in merged.records)


def test_failing_kernels_stop_the_run_with_a_kernel_error(
    arithmetic: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    closed = KernelPool(size=1, timeout=10)
    closed.start()
    closed.shutdown()  # every problem that asks it for a kernel fails
    out = tmp_path / "sums.jsonl"
    model = ScriptedModel([program(str(i + 1)) for i in range(6)])
    with pytest.raises(InfrastructureError, match="failed in the kernels") as caught:
        evaluate(arithmetic, model, out, pool=closed, max_errors=3)
    assert caught.value.kind == "kernel_error" and caught.value.summary.judged == 0
    assert len(scan_results(out).records) == 3
    model = ScriptedModel([program(str(i + 1)) for i in range(6)])
    summary = evaluate(arithmetic, model, out, pool=session_pool, resume=True, max_errors=3)
    assert (summary.finished, summary.correct) == (6, 6)


def test_max_errors_counts_failures_in_a_row_only(
    arithmetic: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    # a scripted model without replies fails every generation; ok ones in between reset
    replies = [program("1"), program("2")]
    out = tmp_path / "sums.jsonl"
    with pytest.raises(InfrastructureError) as caught:
        evaluate(arithmetic, ScriptedModel(replies), out, pool=session_pool, max_errors=4)
    assert caught.value.count == 4 and caught.value.summary.correct == 2
    unlimited = tmp_path / "unlimited.jsonl"
    summary = evaluate(arithmetic, ScriptedModel([]), unlimited, pool=session_pool, max_errors=0)
    assert summary.finished == 6 and summary.judged == 0 and summary.infrastructure_errors == 6


def test_resume_refuses_a_model_in_other_weights(
    arithmetic: list[Problem], session_pool: KernelPool, tmp_path: Path
) -> None:
    """The same alias in NF4 and in llama.cpp's GGUF are two models: a run made with
    one is not continued with the other (e.g. after llama-cpp-python was installed)."""

    class Weighed(ScriptedModel):
        def __init__(self, replies: list[str], quantization: str) -> None:
            super().__init__(replies)
            self.quantization = quantization

    out = tmp_path / "sums.jsonl"
    evaluate(arithmetic[:1], Weighed([program("1")], "nf4"), out, pool=session_pool)
    with pytest.raises(RecordMismatchError, match="quantization nf4 and this run loads gguf"):
        evaluate(arithmetic, Weighed([], "gguf"), out, pool=session_pool, resume=True)
    assert len(scan_results(out).records) == 1
    summary = evaluate(
        arithmetic[:2], Weighed([program("2")], "nf4"), out, pool=session_pool, resume=True
    )
    assert (summary.skipped, summary.finished) == (1, 1)
