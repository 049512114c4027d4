"""bench/restate.py --replay: a run's own restating turns judged again, with no model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pot import Solver
from pot.executors import JupyterExecutor
from pot.testing import ScriptedModel

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Reverse the order of the words and separate them with commas: test a is"


def test_replay_judges_the_runs_own_turn_again(kernel: JupyterExecutor, tmp_path: Path) -> None:
    problems = tmp_path / "words.jsonl"
    row = {"id": "w1", "question": QUESTION, "answer": "is, a, test", "judge": "exact"}
    problems.write_text(json.dumps(row) + "\n")
    printed = "print(['is', 'a', 'test'])"
    model = ScriptedModel([f"```python\n{printed}\n```"] * 2 + ["{is, a, test}"])
    trace = Solver(model, kernel, mode="auto").solve(QUESTION)
    assert trace.answer.value == "is, a, test"  # the turn's written-out list
    run = tmp_path / "run.jsonl"
    record = {"id": "file/words/w1", "trace": trace.model_dump(mode="json"), "correct": False}
    run.write_text(json.dumps(record) + "\n")
    done = subprocess.run(
        [sys.executable, "bench/restate.py", str(run), "--task", str(problems), "--replay"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "1 problems, 1 restated, 1 changed" in out
    assert "without the turn 0/1" in out and "the turn now     1/1" in out
    assert "'is, a, test' (gold 'is, a, test') False -> True" in out
