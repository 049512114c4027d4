"""`pot report --samples`: every sample's answer of a run that voted, judged (a real `pot
eval` of a problem file with a scripted model and real kernels)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pot.auto import AUTO_ESCALATION, AUTO_WORDS_ESCALATION
from pot.cli import app
from pot.tasks.record import record_path
from pot.tasks.samples import summarize_samples

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("fresh_scripted_models")


def program(value: str) -> str:
    return f"```python\nprint({value})\n```"


def words(value: str) -> str:
    return f"So the answer is \\boxed{{{value}}}."


def evaluate(tmp_path: Path, golds: list[str], replies: list[str], *flags: str) -> Path:
    problems = tmp_path / "problems.jsonl"
    rows = [
        {"question": f"Problem {i}: what is it?", "answer": gold} for i, gold in enumerate(golds)
    ]
    problems.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "run.jsonl"
    model = "scripted:" + json.dumps(replies)
    args = ["eval", str(problems), "--out", str(out), "--model", model, "-c", "1", *flags]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def auto_run(tmp_path: Path) -> Path:
    """Two problems in ``auto``: the first settled by two programs, the second escalated,
    where pot's program (41) was the one wrong sample of the programs' vote."""
    replies = [
        program("7"),
        program("7"),  # agreed on a whole number: no restating turn
        program("41"),
        program("42"),
        words("42"),
        program("42"),
        program("40"),
        program("42"),
        words("42"),
        words("40"),
        words("39"),
    ]
    return evaluate(tmp_path, ["7", "42"], replies, "--mode", "auto")


def test_samples_of_auto_are_judged_one_by_one_and_named(auto_run: Path) -> None:
    result = runner.invoke(app, ["report", "--json", "--samples", str(auto_run)])
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.stdout)["samples"]
    assert summary["problems"] == 2 and summary["escalated"] == 1
    assert summary["covered"] == 2 and summary["correct"] == 2
    by_sample = {count["sample"]: count for count in summary["samples"]}
    assert len(by_sample) == 3 + AUTO_ESCALATION + AUTO_WORDS_ESCALATION
    assert by_sample[0]["name"] == "pot's program (greedy)"
    assert (by_sample[0]["problems"], by_sample[0]["correct"]) == (2, 1)
    assert (by_sample[1]["problems"], by_sample[1]["correct"]) == (2, 2)
    assert by_sample[2]["name"] == "chain of thought (greedy)"
    assert [by_sample[i]["correct"] for i in (3, 4, 5)] == [1, 0, 1]
    assert by_sample[8]["name"].startswith("chain of thought sampled (3 of")
    assert by_sample[8]["problems"] == 1 and by_sample[8]["correct"] == 0


def test_the_samples_table_reads_in_the_terminal(auto_run: Path) -> None:
    result = runner.invoke(app, ["report", "--samples", str(auto_run)])
    assert result.exit_code == 0, result.output
    assert "Samples of auto/" in result.stdout
    assert "some sample right on 2, the final answer on 2" in " ".join(result.stdout.split())


def test_the_samples_table_in_markdown(auto_run: Path) -> None:
    result = runner.invoke(app, ["report", "--samples", "--markdown", str(auto_run)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    caption = next(line for line in lines if line.startswith("**Samples of `auto/"))
    assert "some sample right on 2, the final answer on 2" in caption
    assert "| 0 | pot's program (greedy) | 2 | 2 | 1 | 50.0 |" in lines
    assert "| 2 | chain of thought (greedy) | 1 | 1 | 1 | 100.0 |" in lines


def test_a_vote_that_missed_a_right_sample_shows_as_coverage(tmp_path: Path) -> None:
    replies = [program("5"), program("6"), program("5")]  # the gold is 6
    out = evaluate(tmp_path, ["6"], replies, "--mode", "pot", "--samples", "3")
    (summary,) = summarize_samples([out])
    assert (summary.problems, summary.escalated, summary.covered, summary.correct) == (1, 1, 1, 0)
    assert [(count.name, count.correct) for count in summary.samples] == [
        ("sample 0", 0),
        ("sample 1", 1),
        ("sample 2", 0),
    ]


def test_a_run_without_votes_adds_nothing(tmp_path: Path) -> None:
    out = evaluate(tmp_path, ["6"], [program("6")], "--mode", "plain")
    result = runner.invoke(app, ["report", "--json", "--samples", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["samples"] == []
    assert "nothing to add" in result.stderr


def test_samples_need_the_run_record(auto_run: Path) -> None:
    record_path(auto_run).unlink()
    result = runner.invoke(app, ["report", "--samples", str(auto_run)])
    assert result.exit_code == 2
    assert "cannot judge the samples" in result.stderr and "no run record" in result.stderr
