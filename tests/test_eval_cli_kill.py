"""`pot eval` in a real subprocess: SIGKILL then --resume, and Ctrl-C (SIGINT)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pot.tasks import scan_results

POT = Path(sys.executable).with_name("pot")
PROBLEMS = 6


def default_sigint() -> None:
    """Let the child take Ctrl-C even when this suite runs as a background job
    (a non-interactive shell starts those with SIGINT ignored, and children inherit it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def replies(tmp_path: Path) -> Path:
    """A scripted model: two quick programs, then slow ones, so that a run is surely
    still going when the test stops it after the first records (one at a time)."""
    path = tmp_path / "replies.json"
    program = "```python\nimport time\ntime.sleep({})\nprint(18)\n```"
    path.write_text(json.dumps([program.format(0.1)] * 2 + [program.format(2)] * (PROBLEMS - 2)))
    return path


@pytest.fixture
def launch(shared_data: Path, replies: Path, tmp_path: Path) -> Iterator[object]:
    """Start ``pot eval`` on the first GSM8K problems in its own process group."""
    started: list[subprocess.Popen[str]] = []

    def start(out: Path, *extra: str) -> subprocess.Popen[str]:
        command = [str(POT), "eval", "gsm8k", "-n", str(PROBLEMS), "--out", str(out)]
        command += ["--model", f"scripted:{replies}", "--data", str(shared_data), "-c", "1"]
        command += extra
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            cwd=tmp_path,
            preexec_fn=default_sigint,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def wait_for_records(out: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while len(scan_results(out).records) < count:
        if process.poll() is not None:
            pytest.fail(f"pot eval ended early: {process.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {count} records in {out} after 120 s")
        time.sleep(0.05)


def test_sigkill_then_resume_loses_nothing_and_duplicates_nothing(
    launch: object, tmp_path: Path
) -> None:
    out = tmp_path / "killed.jsonl"
    process = launch(out)  # type: ignore[operator]
    wait_for_records(out, 2, process)
    os.killpg(process.pid, signal.SIGKILL)  # the run and its kernels, mid-problem
    process.communicate()
    before = scan_results(out).records
    assert 2 <= len(before) < PROBLEMS
    resumed = launch(out, "--resume")  # type: ignore[operator]
    _stdout, stderr = resumed.communicate(timeout=180)
    assert resumed.returncode == 0, stderr
    assert f"{len(before)} problems were already finished" in stderr
    scan = scan_results(out)
    assert scan.duplicates == 0 and scan.truncated == 0
    assert sorted(record.id for record in scan.records) == sorted(
        f"gsm8k/{index}" for index in range(PROBLEMS)
    )
    assert scan.records[: len(before)] == before  # finished records untouched
    assert len(out.read_text().splitlines()) == PROBLEMS


def test_ctrl_c_stops_cleanly_and_keeps_finished_problems(launch: object, tmp_path: Path) -> None:
    out = tmp_path / "interrupted.jsonl"
    process = launch(out)  # type: ignore[operator]
    wait_for_records(out, 1, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "--resume" in stderr and "Traceback" not in stderr
    scan = scan_results(out)
    assert 1 <= len(scan.records) < PROBLEMS and scan.truncated == 0
