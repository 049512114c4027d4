"""The results file: append + fsync, a reader that survives kills, resume, shard merge."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pot.tasks import (
    ResultRecord,
    ResultsFileError,
    ResultWriter,
    finished_ids,
    read_results,
    scan_results,
    select_shard,
)


def _record(index: int, **fields: object) -> ResultRecord:
    values: dict[str, object] = {
        "id": f"gsm8k/{index}",
        "task": "gsm8k",
        "gold": str(index),
        "prediction": str(index),
        "correct": True,
    }
    values.update(fields)
    return ResultRecord.model_validate(values)


def test_write_then_read(tmp_path: Path) -> None:
    path = tmp_path / "out" / "run.jsonl"
    trace = {"question": "q", "steps": [{"code": "print(1)", "output": "1"}]}
    with ResultWriter(path) as writer:
        writer.write(_record(0, steps=2, seconds=1.5, trace=trace, timings={"model": 1.0}))
        writer.write({"id": "gsm8k/1", "task": "gsm8k", "gold": "1", "error": "timeout"})
    records = read_results(path)
    assert [record.id for record in records] == ["gsm8k/0", "gsm8k/1"]
    assert records[0].trace == trace
    assert records[0].timings == {"model": 1.0}
    assert records[1].error == "timeout" and not records[1].correct
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["id"] for line in lines)


def test_unknown_fields_survive(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(json.dumps({"id": "a/1", "task": "a", "gold": "1", "new_field": 3}) + "\n")
    assert read_results(path)[0].model_dump()["new_field"] == 3


def test_truncated_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with ResultWriter(path) as writer:
        for index in range(3):
            writer.write(_record(index))
    full = path.read_bytes()
    path.write_bytes(full + full.splitlines(keepends=True)[0][:25])  # killed mid-write
    scan = scan_results(path)
    assert [record.id for record in scan.records] == ["gsm8k/0", "gsm8k/1", "gsm8k/2"]
    assert scan.truncated == 1


def test_writer_cuts_the_partial_tail_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with ResultWriter(path) as writer:
        writer.write(_record(0))
    with path.open("ab") as stream:
        stream.write(b'{"id": "gsm8k/1", "task": "gs')
    with ResultWriter(path) as writer:
        writer.write(_record(1))
    scan = scan_results(path)
    assert [record.id for record in scan.records] == ["gsm8k/0", "gsm8k/1"]
    assert scan.truncated == 0


def test_a_file_that_is_only_a_partial_line(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_bytes(b'{"id": "gsm')
    assert read_results(path) == []
    with ResultWriter(path) as writer:
        writer.write(_record(5))
    assert path.read_text().count("\n") == 1
    assert finished_ids(path) == {"gsm8k/5"}


def test_duplicates_keep_the_first(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with ResultWriter(path) as writer:
        writer.write(_record(0, correct=False, prediction="wrong"))
        writer.write(_record(1))
        writer.write(_record(0, correct=True))
    scan = scan_results(path)
    assert [record.id for record in scan.records] == ["gsm8k/0", "gsm8k/1"]
    assert scan.records[0].prediction == "wrong"
    assert scan.duplicates == 1


def test_corruption_before_the_last_line_raises(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text('{"id": "a/1", "task": "a", "gold": "1"}\nnot json\n{"id": "a/2"}\n')
    with pytest.raises(ResultsFileError, match="record 2 of 3"):
        read_results(path)


def test_missing_file_means_nothing_finished(tmp_path: Path) -> None:
    assert finished_ids(tmp_path / "absent.jsonl") == set()


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with ResultWriter(path) as writer:

        def work(offset: int) -> None:
            for index in range(offset, 200, 4):
                writer.write(_record(index, trace={"blob": "x" * 5000}))

        threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    scan = scan_results(path)
    assert len(scan.records) == 200 and scan.truncated == 0 and scan.duplicates == 0


_KILLED_WRITER = """
import sys, time
from pot.tasks import ResultWriter, ResultRecord, finished_ids
path = sys.argv[1]
done = finished_ids(path)
with ResultWriter(path) as writer:
    for index in range(400):
        problem_id = f"gsm8k/{index}"
        if problem_id in done:
            continue
        writer.write(ResultRecord(id=problem_id, task="gsm8k", gold="1", trace={"x": "y" * 2000}))
        print(index, flush=True)
        time.sleep(0.002)
"""


def test_resume_after_sigkill_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    script = tmp_path / "writer.py"
    script.write_text(_KILLED_WRITER)
    process = subprocess.Popen(
        [sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    reported = [process.stdout.readline() for _ in range(50)]  # 50 records are on disk
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    before = finished_ids(path)
    assert {f"gsm8k/{int(line)}" for line in reported} <= before  # fsync'd before print
    finished = subprocess.run(
        [sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    scan = scan_results(path)
    assert [record.id for record in scan.records] == [f"gsm8k/{i}" for i in range(400)]
    assert scan.duplicates == 0 and scan.truncated == 0


def test_shards_written_apart_merge_back(tmp_path: Path) -> None:
    ids = list(range(23))
    paths = []
    for shard in range(3):
        path = tmp_path / f"shard{shard}.jsonl"
        with ResultWriter(path) as writer:
            for index in select_shard(ids, f"{shard}/3"):
                writer.write(_record(index, started_at=time.time()))
        paths.append(path)
    merged = read_results(paths)
    assert sorted(int(record.id.split("/")[1]) for record in merged) == ids
    assert finished_ids(paths) == {f"gsm8k/{index}" for index in ids}
