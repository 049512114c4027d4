"""bench/keep.py: a results file small enough to commit, which report, revote and
``--resume`` still read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    {"id": "q1", "question": "A crate holds 3 rows of 14 apples. How many apples?", "answer": "42"},
    {"id": "q2", "question": "Tom has 9 pens and loses 2. How many are left?", "answer": "7"},
]


def printing(value: int) -> str:
    return f"```python\nprint({value})\n```"


POT = str(Path(sys.executable).with_name("pot"))


def run(*command: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_kept_copy_drops_the_texts_and_is_read_and_resumed(tmp_path: Path) -> None:
    problems = tmp_path / "two.jsonl"
    problems.write_text("".join(json.dumps(row) + "\n" for row in QUESTIONS))
    out = tmp_path / "runs" / "auto.jsonl"
    scripted = "scripted:" + json.dumps([printing(42), printing(42)])
    base = [str(problems), "--mode", "auto", "--out"]
    run(POT, "eval", *base, str(out), "--model", scripted, "--ids", "file/two/q1")
    full = json.loads(out.read_text())
    assert full["trace"]["question"].startswith("A crate") and full["gold"] == "42"

    kept = tmp_path / "kept" / "auto.jsonl"
    done = run(sys.executable, "bench/keep.py", str(out), str(kept))
    assert done.stdout.startswith(f"{kept}: 1 records")
    text = kept.read_text()
    record = json.loads(text)
    assert "crate" not in text and "print(42)" not in text and record["gold"] == ""
    assert record["correct"] is True and record["prediction"] == "42"
    answers = [step["answer"]["value"] for step in record["trace"]["steps"]]
    assert answers == ["42", "42"]
    assert (kept.parent / "auto.record.json").is_file()

    # the report counts it; a resumed run appends to the copy and solves only what is left
    report = run(POT, "report", str(kept))
    assert "│ 1 │ auto/scripted │ 1 │ 100.0 │" in report.stdout
    scripted = "scripted:" + json.dumps([printing(7), printing(8), *[printing(7)] * 8])
    run(POT, "eval", *base, str(kept), "--model", scripted, "--resume")
    ids = [json.loads(line)["id"] for line in kept.read_text().splitlines()]
    assert ids == ["file/two/q1", "file/two/q2"]
    run(sys.executable, "bench/keep.py", str(kept), str(kept))
    assert "Tom has" not in kept.read_text()

    # its answers are judged again with the golds read from the task, as they were
    rejudged = run(POT, "report", "--rejudge", str(kept))
    assert "2 answers, 0 verdicts changed" in rejudged.stdout + rejudged.stderr

    # the vote is taken again with the question read from the task
    revote = run(sys.executable, "bench/revote.py", str(kept), "--task", str(problems))
    assert "2 auto problems: as run 2/2" in revote.stdout
