"""Many problems in flight: the asyncio runner against a real HTTP server (SimulatedServer)
and real kernels, local and through a real kernel gateway, including either going away."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest

from pot.evaluate import evaluate
from pot.executors import KernelPool
from pot.models.openai import OpenAIModel
from pot.simulated import SimulatedServer
from pot.tasks import Problem, ResultRecord, scan_results
from tests.conftest import GATEWAY_TOKEN, free_port, start_gateway, stop_gateway


def sums(count: int) -> list[Problem]:
    return [
        Problem(
            id=f"sum/{index}",
            question=f"What is {index} + 1?",
            answer=str(index + 1),
            meta={"task": "gsm8k", "index": index},
        )
        for index in range(count)
    ]


def program_for(body: dict[str, Any]) -> str:
    """The simulated model's reply: a program that answers the question it was asked."""
    question = body["messages"][-1]["content"]
    number = re.findall(r"What is (\d+) \+ 1\?", question)[-1]
    return f"```python\nprint({number} + 1)\n```"


def quick_model(url: str) -> OpenAIModel:
    """Few, short retries, so a server that went away fails fast."""
    return OpenAIModel("simulated", base_url=url, max_retries=1, backoff=0.05, timeout=30)


def test_hundreds_in_flight_on_two_kernels_without_a_thread_each(
    session_pool: KernelPool, tmp_path: Path
) -> None:
    in_flight, count = 128, 256
    threads: list[int] = []
    before = threading.active_count()
    with SimulatedServer(program_for, delay=1.0) as server:
        summary = evaluate(
            sums(count),
            OpenAIModel("simulated", base_url=server.url),
            tmp_path / "many.jsonl",
            concurrency=in_flight,
            pool=session_pool,
            on_record=lambda _record: threads.append(threading.active_count()),
        )
    records = scan_results(tmp_path / "many.jsonl").records
    assert sorted(record.id for record in records) == sorted(p.id for p in sums(count))
    assert all(record.correct for record in records), [r.error for r in records][:5]
    assert (summary.finished, summary.correct, summary.interrupted) == (count, count, False)
    # many more requests waited on the server at once than there are kernels
    assert server.max_in_flight >= in_flight // 2 > session_pool.size
    # asyncio, not a thread per problem (a few are judges' and kernels' helpers)
    assert max(threads) < before + 16 < in_flight


def test_a_server_that_goes_away_gives_errors_then_resume_finishes(
    session_pool: KernelPool, tmp_path: Path
) -> None:
    out, port, count = tmp_path / "gone.jsonl", free_port(), 24
    server = SimulatedServer(program_for, delay=0.2, port=port).start()

    def stop_after_five(record: ResultRecord) -> None:
        if len(scan_results(out).records) == 5:
            server.stop()

    model = quick_model(server.url)
    first = evaluate(  # max_errors=0: no stop, so every problem gets its record
        sums(count),
        model,
        out,
        concurrency=4,
        pool=session_pool,
        on_record=stop_after_five,
        max_errors=0,
    )
    records = scan_results(out).records
    assert len(records) == count  # every problem has a record: none dropped
    assert first.correct >= 5 and first.errors["model_error"] >= 1
    failed = {record.id for record in records if record.error}
    assert {record.error for record in records if record.error} == {"model_error"}
    assert all("cannot reach" in str(r.model_dump().get("detail")) for r in records if r.error)

    with SimulatedServer(program_for, delay=0.2, port=port):  # back, at the same address
        again = evaluate(sums(count), model, out, concurrency=4, pool=session_pool, resume=True)
    assert (again.skipped, again.finished) == (count - len(failed), len(failed))
    scan = scan_results(out)
    assert len(scan.records) == count and scan.duplicates == 0
    assert scan.retried == len(failed)
    assert all(record.correct for record in scan.records)


@pytest.mark.slow
def test_a_gateway_that_goes_away_gives_errors_then_resume_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POT_GATEWAY_TOKEN", GATEWAY_TOKEN)
    out, port, count = tmp_path / "gateway.jsonl", free_port(), 16
    gateway, url = start_gateway(tmp_path, port=port)
    stopped = threading.Event()

    def kill_after_four(record: ResultRecord) -> None:
        if len(scan_results(out).records) == 4 and not stopped.is_set():
            stopped.set()
            gateway.kill()  # the gateway and, with it, the kernels' connections

    try:
        with SimulatedServer(program_for, delay=0.3) as server:
            model = quick_model(server.url)
            options: dict[str, Any] = dict(
                concurrency=4, kernels=2, executor=f"gateway:{url}", timeout=20, max_errors=0
            )  # max_errors=0: no stop, so every problem gets its record
            first = evaluate(sums(count), model, out, on_record=kill_after_four, **options)
            records = scan_results(out).records
            assert len(records) == count
            assert first.correct >= 4 and first.errors["kernel_error"] >= 1
            assert {r.error for r in records if r.error} == {"kernel_error"}
            failed = first.errors["kernel_error"]
            gateway.wait()
            gateway.log.close()  # type: ignore[attr-defined]
            gateway, url = start_gateway(tmp_path, port=port)  # back, at the same address
            again = evaluate(sums(count), model, out, resume=True, **options)
        assert again.finished == failed and again.correct == failed
        scan = scan_results(out)
        assert len(scan.records) == count and scan.duplicates == 0
        assert all(record.correct for record in scan.records)
    finally:
        stop_gateway(gateway)
