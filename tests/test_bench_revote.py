"""bench/revote.py: a finished auto run's samples voted on again with today's rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pot import Solver
from pot.consistency import vote
from pot.executors import JupyterExecutor
from pot.testing import ScriptedModel

ROOT = Path(__file__).resolve().parents[1]
QUESTION = (
    "Find the shortest path from * to # in the grid below.\n"
    "Your output should be a sequence of directions, e.g. right right down down up left\n"
    "* O\nX #\n"
)
COPY = "right right down down up left"


def printing(value: str) -> str:
    return f"```python\nprint({value!r})\n```"


def test_a_run_made_before_a_rule_is_voted_on_again(
    kernel: JupyterExecutor, tmp_path: Path
) -> None:
    problems = tmp_path / "paths.jsonl"
    row = {"id": "p1", "question": QUESTION, "answer": "right down", "judge": "exact"}
    problems.write_text(json.dumps(row) + "\n")
    model = ScriptedModel(
        [
            *(printing("right down"), printing("up"), f"\\boxed{{{COPY}}}"),
            *(printing("right down"), printing("left"), printing("down")),
            *[f"\\boxed{{{COPY}}}"] * 3,
            "{right down}",
        ]
    )
    trace = Solver(model, kernel, mode="auto").solve(QUESTION)
    assert trace.answer.value == "right down"
    # the run as the vote without the rule made it: the example's four votes won
    answers = [step.answer for step in trace.steps if type(step).__name__ == "SampleAnswer"]
    answer, ballot = vote(answers, 2)
    assert answer.value == COPY
    before = trace.model_copy(update={"answer": answer, "vote": ballot})
    run = tmp_path / "run.jsonl"
    record = {"id": "file/paths/p1", "trace": before.model_dump(mode="json"), "correct": False}
    run.write_text(json.dumps(record) + "\n")
    done = subprocess.run(
        [sys.executable, "bench/revote.py", str(run), "--task", str(problems)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"file/paths/p1: '{COPY}' -> 'right down' (gold 'right down') False -> True" in out
    assert (
        "1 auto problems: as run 0/1, the vote now without ruling out 0/1, the vote now 1/1" in out
    )
    assert "only as run / only now: 0 / 1" in out
    assert "only without ruling out / only now: 0 / 1" in out


def test_the_chain_of_thoughts_tie_break_can_be_left_out(
    kernel: JupyterExecutor, tmp_path: Path
) -> None:
    question = "How many apples are left?"
    problems = tmp_path / "apples.jsonl"
    row = {"id": "a1", "question": question, "answer": "22", "judge": "number"}
    problems.write_text(json.dumps(row) + "\n")
    model = ScriptedModel(  # 12, 7, 22 and 5 two votes each; the chain said 22
        [
            *(printing("12"), printing("7"), "\\boxed{22}"),
            *(printing("12"), printing("22"), printing("5")),
            *("\\boxed{7}", "\\boxed{5}", "\\boxed{9}"),
        ]
    )
    trace = Solver(model, kernel, mode="auto").solve(question)
    assert trace.answer.value == "22"
    assert trace.vote is not None and trace.vote.counts[0].votes == 2
    run = tmp_path / "run.jsonl"
    record = {"id": "file/apples/a1", "trace": trace.model_dump(mode="json"), "correct": True}
    run.write_text(json.dumps(record) + "\n")
    command = [sys.executable, "bench/revote.py", str(run), "--task", str(problems)]
    done = subprocess.run(
        [*command, "--without", "chain-tie"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (
        "1 auto problems: as run 1/1, the vote now without the chain's tie-break 0/1, "
        "the vote now 1/1" in done.stdout
    )
    assert "only without the chain's tie-break / only now: 0 / 1" in done.stdout
