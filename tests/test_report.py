"""The report: numbers on hand-made files, Wilson and McNemar on known values, rendering."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from pot.tasks import (
    ResultWriter,
    mcnemar_exact,
    paired_difference,
    render_report,
    report,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),  # the textbook example
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (50, 100, 0.4038, 0.5962),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_wilson_interval_known_values(successes: int, total: int, low: float, high: float) -> None:
    assert wilson_interval(successes, total) == pytest.approx((low, high), abs=1e-4)


def test_wilson_interval_of_nothing() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("only_first", "only_second", "p_value"),
    [
        (0, 0, 1.0),
        (3, 3, 1.0),
        (1, 5, 14 / 64),  # 2 * (1 + 6) / 2**6
        (5, 1, 14 / 64),
        (2, 10, 2 * 79 / 4096),  # 2 * (1 + 12 + 66) / 2**12
        (0, 6, 2 / 64),
        (0, 1, 1.0),
        (4, 5, 1.0),
        (10, 30, 0.0022214),  # 2 * P(Binomial(40, 1/2) <= 10)
    ],
)
def test_mcnemar_exact_known_values(only_first: int, only_second: int, p_value: float) -> None:
    assert mcnemar_exact(only_first, only_second) == pytest.approx(p_value, rel=1e-3)


def test_mcnemar_large_counts_stay_exact() -> None:
    assert 0 < mcnemar_exact(900, 1100) < 1e-5
    assert mcnemar_exact(1000, 1000) == 1.0
    with pytest.raises(ValueError):
        mcnemar_exact(-1, 2)


def test_paired_difference_counts() -> None:
    first = [True, True, False, False, True, False]
    second = [True, False, True, True, True, False]
    paired = paired_difference(first, second)
    assert (paired.both, paired.only_first, paired.only_second, paired.neither) == (2, 1, 2, 1)
    assert paired.difference == pytest.approx(1 / 6)
    assert paired.low < paired.difference < paired.high
    assert paired.p_value == 1.0
    with pytest.raises(ValueError):
        paired_difference([True], [])


def _write(path: Path, run: str, rows: list[dict[str, object]]) -> Path:
    with ResultWriter(path) as writer:
        for row in rows:
            writer.write({"task": "gsm8k", "gold": "1", "run": run, **row})
    return path


# Ten problems: pot gets 8 right (one timeout, one wrong), cot gets 5 right.
POT_CORRECT = [True] * 8 + [False, False]
COT_CORRECT = [True, True, True, True, True, False, False, False, False, True]


def _pot_rows() -> list[dict[str, object]]:
    return [
        {
            "id": f"gsm8k/{index}",
            "correct": correct,
            "error": "timeout" if index == 9 else None,
            "steps": 2 if index % 2 else 1,
            "seconds": 2.0,
            "completion_tokens": 100,
            "started_at": 1000.0 + index,
            "finished_at": 1002.0 + index,
        }
        for index, correct in enumerate(POT_CORRECT)
    ]


def test_report_numbers_on_a_hand_made_run(tmp_path: Path) -> None:
    path = _write(tmp_path / "pot.jsonl", "pot", _pot_rows())
    result = report([path])
    assert len(result.runs) == 1 and result.comparisons == []
    run = result.runs[0]
    assert (run.run, run.problems, run.correct) == ("pot", 10, 8)
    assert run.accuracy == pytest.approx(0.8)
    assert (run.low, run.high) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert run.errors == {"timeout": 1}
    assert run.mean_steps == pytest.approx(1.5)
    assert run.seconds_per_problem == pytest.approx(2.0)
    assert run.wall_seconds == pytest.approx(11.0)  # 1000 -> 1011
    assert run.problems_per_minute == pytest.approx(60 * 10 / 11)
    assert run.tokens_per_second == pytest.approx(1000 / 11)
    assert run.files == ["pot.jsonl"]


def test_shards_merge_into_one_run(tmp_path: Path) -> None:
    rows = _pot_rows()
    first = _write(tmp_path / "pot-0.jsonl", "pot", rows[0::2])
    second = _write(tmp_path / "pot-1.jsonl", "pot", [*rows[1::2], rows[0]])  # one duplicate
    with second.open("ab") as stream:
        stream.write(b'{"id": "gsm8k/99", "ta')  # a shard killed mid-write
    run = report([first, second]).runs[0]
    assert (run.problems, run.correct) == (10, 8)
    assert run.files == ["pot-0.jsonl", "pot-1.jsonl"]
    assert (run.duplicates, run.truncated) == (1, 1)


def test_two_runs_are_compared_pairwise(tmp_path: Path) -> None:
    pot = _write(tmp_path / "pot.jsonl", "pot", _pot_rows())
    cot_rows = [
        {"id": f"gsm8k/{index}", "correct": correct} for index, correct in enumerate(COT_CORRECT)
    ]
    cot = _write(tmp_path / "cot.jsonl", "cot", [*cot_rows, {"id": "gsm8k/50", "correct": True}])
    result = report([cot, pot])
    assert [run.run for run in result.runs] == ["cot", "pot"]
    (comparison,) = result.comparisons
    assert (comparison.first, comparison.second, comparison.pairs) == ("cot", "pot", 10)
    # cot only: problem 9; pot only: problems 5, 6, 7.
    assert (comparison.only_first, comparison.only_second) == (1, 3)
    assert (comparison.both, comparison.neither) == (5, 1)
    assert comparison.first_accuracy == pytest.approx(0.6)
    assert comparison.second_accuracy == pytest.approx(0.8)
    assert comparison.difference == pytest.approx(0.2)
    assert comparison.p_value == pytest.approx(2 * 5 / 16)  # 2 * (1 + 4) / 2**4


def test_group_by_file(tmp_path: Path) -> None:
    rows = [{"id": f"gsm8k/{index}", "correct": True} for index in range(3)]
    first = _write(tmp_path / "a.jsonl", "", rows)
    second = _write(tmp_path / "b.jsonl", "", rows[:2])
    assert [run.run for run in report([first, second]).runs] == ["run"]
    by_file = report([first, second], by="file")
    assert [run.run for run in by_file.runs] == ["a.jsonl", "b.jsonl"]
    assert by_file.comparisons[0].pairs == 2


def test_per_task_accuracy_and_dict_form(tmp_path: Path) -> None:
    path = tmp_path / "bbh.jsonl"
    with ResultWriter(path) as writer:
        for index in range(4):
            task = "bbh/navigate" if index < 3 else "bbh/snarks"
            writer.write(
                {"id": f"{task}/{index}", "task": task, "gold": "x", "correct": index != 0}
            )
    result = report([path])
    tasks = {summary.task: summary for summary in result.runs[0].tasks}
    assert tasks["bbh/navigate"].accuracy == pytest.approx(2 / 3)
    assert tasks["bbh/snarks"].problems == 1
    as_json = json.loads(result.model_dump_json())
    assert as_json["runs"][0]["tasks"][0]["task"] == "bbh/navigate"


def test_render_prints_the_tables(tmp_path: Path) -> None:
    pot = _write(tmp_path / "pot.jsonl", "pot", _pot_rows())
    cot_rows = [
        {"id": f"gsm8k/{index}", "correct": correct, "task": "gsm8k" if index else "svamp"}
        for index, correct in enumerate(COT_CORRECT)
    ]
    cot = _write(tmp_path / "cot.jsonl", "cot", cot_rows)
    buffer = io.StringIO()
    render_report(report([cot, pot]), Console(file=buffer, width=200, color_system=None))
    text = buffer.getvalue()
    for expected in ("Runs", "pot", "cot", "80.0", "49.0-94.3", "timeout 1", "McNemar", "B-A"):
        assert expected in text
    assert "+20.0" in text
    assert "Accuracy by task" in text


def test_a_narrow_terminal_numbers_the_runs(tmp_path: Path) -> None:
    pot = _write(tmp_path / "pot.jsonl", "pot", _pot_rows())
    cot_rows = [{"id": f"gsm8k/{i}", "correct": c} for i, c in enumerate(COT_CORRECT)]
    cot = _write(tmp_path / "cot.jsonl", "cot", cot_rows)
    buffer = io.StringIO()
    render_report(report([cot, pot]), Console(file=buffer, width=80, color_system=None))
    lines = buffer.getvalue().splitlines()
    assert any("#1 vs #2" in line and "+20.0" in line for line in lines)
    assert max(map(len, lines)) <= 80


def test_model_and_kernel_errors_are_not_counted(tmp_path: Path) -> None:
    rows = _pot_rows()
    rows[0]["error"] = "model_error"  # was right: it must not count either way
    rows[1].update(correct=False, error="kernel_error")
    rows[2].update(correct=False, error="judge_error")  # pot's own failure: wrong
    path = _write(tmp_path / "pot.jsonl", "pot", rows)
    run = report([path]).runs[0]
    assert (run.problems, run.judged, run.correct) == (10, 8, 5)
    assert run.accuracy == pytest.approx(5 / 8)
    assert run.not_judged == {"model_error": 1, "kernel_error": 1}
    assert run.errors == {"judge_error": 1, "timeout": 1}  # failures are wrong answers
    buffer = io.StringIO()
    render_report(report([path]), Console(file=buffer, width=80, color_system=None))
    text = buffer.getvalue()
    assert "model_error 1" in text and "not judged" in text and "62.5" in text


def test_partial_credit_counts_only_a_full_score_as_correct(tmp_path: Path) -> None:
    path = tmp_path / "rg.jsonl"
    scores = {"rg/gcd/0/0": 1.0, "rg/gcd/0/1": 0.5, "rg/gcd/0/2": 0.0, "rg/leg_counting/0/0": 1.0}
    with ResultWriter(path) as writer:
        for problem_id, score in scores.items():
            task = problem_id.rsplit("/", 2)[0]
            # a writer that sets correct from anything but the score is overruled
            writer.write(
                {"id": problem_id, "task": task, "gold": "1", "correct": score > 0, "score": score}
            )
    run = report([path]).runs[0]
    assert (run.correct, run.judged, run.partial) == (2, 4, 1)
    assert run.mean_score == pytest.approx(2.5 / 4)
    tasks = {summary.task: summary for summary in run.tasks}
    assert tasks["rg/gcd"].mean_score == pytest.approx(0.5) and tasks["rg/gcd"].correct == 1
    buffer = io.StringIO()
    render_report(report([path]), Console(file=buffer, width=80, color_system=None))
    text = buffer.getvalue()
    assert "score" in text and "0.625" in text and "Mean score by task" in text
    whole = _write(tmp_path / "whole.jsonl", "pot", _pot_rows())
    buffer = io.StringIO()
    render_report(report([whole]), Console(file=buffer, width=80, color_system=None))
    assert "score" not in buffer.getvalue()  # all-or-nothing scores add no column


def test_median_tokens_and_seconds(tmp_path: Path) -> None:
    rows = _pot_rows()
    for index, row in enumerate(rows):
        row.update(completion_tokens=10 * index, seconds=float(index))
    rows[9]["error"] = "model_error"  # not judged: left out of the medians
    run = report([_write(tmp_path / "pot.jsonl", "pot", rows)]).runs[0]
    assert run.median_completion_tokens == pytest.approx(40.0)  # 0..80
    assert run.median_seconds == pytest.approx(4.0)
    assert run.seconds_per_problem == pytest.approx(4.0)


def test_empty_report(tmp_path: Path) -> None:
    result = report([tmp_path / "absent.jsonl"])
    assert result.runs == [] and result.comparisons == []
    render_report(result, Console(file=io.StringIO()))


def test_labels_and_tasks_print_as_written(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    with ResultWriter(path) as writer:
        for index, task in enumerate(["bbh/[b]", "bbh/[/c]"]):
            writer.write({"id": f"{task}/{index}", "task": task, "run": "pot+[red]/m", "gold": "1"})
    buffer = io.StringIO()
    render_report(report([path]), Console(file=buffer, width=80, color_system=None))
    text = buffer.getvalue()
    assert "pot+[red]/m" in text and "bbh/[/c]" in text and "bbh/[b]" in text
