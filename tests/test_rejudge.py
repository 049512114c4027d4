"""`pot report --rejudge`: a results file's answers judged again with today's judges
(a real `pot eval` of a problem file with a scripted model and real kernels)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pot.cli import app
from pot.tasks import scan_results
from pot.tasks.record import record_path
from pot.tasks.rejudge import RejudgeError, rejudge

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("fresh_scripted_models")


def printed(value: str) -> str:
    return f"```python\nprint({value!r})\n```"


@pytest.fixture
def old_run(tmp_path: Path) -> tuple[Path, Path, str]:
    """A run of four sums whose second answer, ``x + 2``, an older judge took for 2."""
    problems = tmp_path / "sums.jsonl"
    rows = [{"question": f"What is {i} + 1?", "answer": str(i + 1)} for i in range(4)]
    problems.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "run.jsonl"
    replies = [printed("1"), printed("x + 2"), printed("3"), printed("nope")]
    model = "scripted:" + json.dumps(replies)
    args = ["eval", str(problems), "--mode", "plain", "--out", str(out), "--model", model]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [record["correct"] for record in records] == [True, False, True, False]
    records[1]["correct"] = True  # what the judge of before wrote
    out.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return problems, out, records[1]["id"]


def test_rejudge_gives_todays_verdicts_and_says_which_changed(
    old_run: tuple[Path, Path, str],
) -> None:
    _, out, changed = old_run
    before = runner.invoke(app, ["report", "--json", str(out)])
    assert json.loads(before.stdout)["runs"][0]["correct"] == 3
    after = runner.invoke(app, ["report", "--json", "--rejudge", str(out)])
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout)["runs"][0]["correct"] == 2
    assert f"4 answers, 1 verdict changed ({changed} now wrong)" in after.stderr
    assert scan_results(out).records[1].correct is True  # the file is left as it was


def test_rejudge_of_the_records_in_python(old_run: tuple[Path, Path, str]) -> None:
    _, out, changed = old_run
    records = scan_results(out).records
    done = rejudge(out, records)
    assert done.judged == 4 and done.changed == [(changed, "wrong")]
    assert [record.correct for record in done.records] == [True, False, True, False]
    assert done.records[1].normalized is None and records[1].correct is True


def test_rejudge_refuses_a_changed_problem_file(old_run: tuple[Path, Path, str]) -> None:
    problems, out, _ = old_run
    problems.write_text(problems.read_text(encoding="utf-8").replace('"2"', '"7"'))
    result = runner.invoke(app, ["report", "--rejudge", str(out)])
    assert result.exit_code == 2
    assert "cannot re-judge" in result.stderr and "changed since the run" in result.stderr


def test_rejudge_needs_the_run_record(old_run: tuple[Path, Path, str]) -> None:
    _, out, _ = old_run
    record_path(out).unlink()
    with pytest.raises(RejudgeError, match="no run record"):
        rejudge(out, scan_results(out).records)
    result = runner.invoke(app, ["report", "--rejudge", str(out)])
    assert result.exit_code == 2 and "no run record beside it" in result.stderr


def test_rejudge_generates_reasoning_gym_problems_again(tmp_path: Path) -> None:
    from pot.tasks import TaskOptions, load_problems

    problems = load_problems("rg:gcd", options=TaskOptions(size=2, seed=3))
    replies = [printed(problems[0].answer), printed("x * 2")]
    out = tmp_path / "rg.jsonl"
    args = ["eval", "rg:gcd", "--size", "2", "--seed", "3", "--mode", "plain", "--out", str(out)]
    result = runner.invoke(app, [*args, "--model", "scripted:" + json.dumps(replies)])
    assert result.exit_code == 0, result.output
    done = rejudge(out, scan_results(out).records)
    assert done.judged == 2 and done.changed == []
    assert [getattr(record, "score", None) for record in done.records] == [1.0, 0.0]
