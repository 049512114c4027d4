"""bench/pair.py: auto's two first programs as one batch against two calls in a row."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_pair_is_timed_both_ways_and_differing_replies_are_counted(tmp_path: Path) -> None:
    problems = tmp_path / "two.jsonl"
    rows = [{"question": "What is 6 times 7?", "answer": "42"}, {"question": "2+2?", "answer": "4"}]
    problems.write_text("".join(json.dumps(row) + "\n" for row in rows))
    # warm-up; question 0 apart then batch; question 1 batch then apart (one reply differs)
    replies = ["w", "a", "b", "a", "b", "c", "d", "c", "D"]
    done = subprocess.run(
        [
            sys.executable,
            "bench/pair.py",
            "--model",
            "scripted:" + json.dumps(replies),
            "--task",
            str(problems),
            "--limit",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["#", "one", "by", "one", "s", "one", "batch", "s", "ratio"]
    assert [line.split()[0] for line in lines[1:3]] == ["0", "1"]
    assert "2 questions" in lines[-1]
    assert lines[-1].endswith("replies that differ between the two ways: 1 of 4")
