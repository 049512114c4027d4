"""The report against the plain and cot baselines: which runs are paired, per-task
differences, and real runs of the evaluation runner reported through the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pot.cli import app
from pot.evaluate import evaluate
from pot.executors import KernelPool
from pot.tasks import (
    Problem,
    ResultWriter,
    TaskOptions,
    load_problems,
    read_results,
    render_report,
    report,
)
from pot.tasks.compare import choose_pairs, is_baseline
from pot.testing import ScriptedModel

runner = CliRunner()


def _write(path: Path, run: str, verdicts: dict[str, bool], **fields: object) -> Path:
    with ResultWriter(path) as writer:
        for problem_id, correct in verdicts.items():
            task = problem_id.rsplit("/", 1)[0]
            writer.write(
                {"id": problem_id, "task": task, "run": run, "gold": "1", "correct": correct}
                | fields
            )
    return path


def _verdicts(**by_task: str) -> dict[str, bool]:
    """``bbh_navigate="1100"`` -> {"bbh/navigate/0": True, ..., "bbh/navigate/3": False}."""
    return {
        f"{task.replace('_', '/', 1)}/{index}": mark == "1"
        for task, marks in by_task.items()
        for index, mark in enumerate(marks)
    }


def test_every_run_is_paired_with_the_baselines_of_its_model(tmp_path: Path) -> None:
    verdicts = _verdicts(gsm8k_x="1010")
    files = [
        _write(tmp_path / f"{mode}-{model}.jsonl", f"{mode}/{model}", verdicts)
        for model in ("small", "large")
        for mode in ("pot", "tir", "cot", "plain", "cot+mine")
    ]
    files.append(_write(tmp_path / "coc-other.jsonl", "coc/other", verdicts))
    files.append(_write(tmp_path / "pot-other.jsonl", "pot/other", verdicts))
    result = report(files)
    modes = {run.run: run.mode for run in result.runs}
    assert modes["cot+mine/small"] == "cot" and modes["plain/large"] == "plain"
    assert [run.run for run in result.runs if is_baseline(run)] == [
        "cot/small",
        "plain/small",
        "cot/large",
        "plain/large",
    ]
    pairs = [(item.first, item.second, item.baseline) for item in result.comparisons]
    small = [pair for pair in pairs if pair[1].endswith("/small")]
    assert small == [
        ("plain/small", "pot/small", "plain"),
        ("plain/small", "tir/small", "plain"),
        ("plain/small", "cot/small", "plain"),
        ("plain/small", "cot+mine/small", "plain"),
        ("cot/small", "pot/small", "cot"),
        ("cot/small", "tir/small", "cot"),
        ("cot/small", "cot+mine/small", "cot"),
    ]
    assert len([pair for pair in pairs if pair[1].endswith("/large")]) == 7
    # a model without a baseline: its runs against each other, never across models
    assert ("coc/other", "pot/other", None) in pairs
    assert not any(
        first.endswith("/other") != second.endswith("/other") for first, second, _ in pairs
    )
    assert len(report(files, pairs="all").comparisons) == 12 * 11 // 2


def test_without_baselines_every_pair_is_compared(tmp_path: Path) -> None:
    verdicts = _verdicts(gsm8k_x="1010")
    files = [_write(tmp_path / f"{m}.jsonl", f"{m}/m", verdicts) for m in ("pot", "tir", "coc")]
    result = report(files)
    assert [(c.first, c.second) for c in result.comparisons] == [
        ("pot/m", "tir/m"),
        ("pot/m", "coc/m"),
        ("tir/m", "coc/m"),
    ]
    assert choose_pairs(result.runs) == [
        (a, b, None) for a, b in [("pot/m", "tir/m"), ("pot/m", "coc/m"), ("tir/m", "coc/m")]
    ]


def test_grouped_by_file_the_records_name_the_mode(tmp_path: Path) -> None:
    verdicts = _verdicts(gsm8k_x="1010")
    plain = _write(tmp_path / "a.jsonl", "plain/m", verdicts, mode="plain", model="m")
    pot = _write(tmp_path / "b.jsonl", "pot/m", verdicts, mode="pot", model="m")
    result = report([plain, pot], by="file")
    assert [(run.run, run.mode, run.model) for run in result.runs] == [
        ("a.jsonl", "plain", "m"),
        ("b.jsonl", "pot", "m"),
    ]
    assert [(c.first, c.baseline) for c in result.comparisons] == [("a.jsonl", "plain")]


def test_the_label_names_the_model_when_there_is_one(tmp_path: Path) -> None:
    """One model loaded from two paths: ``model_label`` gave both runs the same label."""
    verdicts = _verdicts(gsm8k_x="1010")
    plain = _write(tmp_path / "a.jsonl", "plain/m", verdicts, mode="plain", model="./m")
    pot = _write(tmp_path / "b.jsonl", "pot/m", verdicts, mode="pot", model="/work/m")
    result = report([plain, pot])
    assert [run.model for run in result.runs] == ["m", "m"]
    assert [(c.first, c.second, c.baseline) for c in result.comparisons] == [
        ("plain/m", "pot/m", "plain")
    ]


def test_a_regression_on_one_task_shows_when_the_total_improves(tmp_path: Path) -> None:
    plain = _verdicts(bbh_navigate="0000000000", bbh_snarks="111111", rg_gcd="0101")
    pot = _verdicts(bbh_navigate="1111111111", bbh_snarks="000000", rg_gcd="0101")
    files = [
        _write(tmp_path / "plain.jsonl", "plain/m", plain),
        _write(tmp_path / "pot.jsonl", "pot/m", pot),
    ]
    (comparison,) = report(files).comparisons
    assert (comparison.pairs, comparison.only_first, comparison.only_second) == (20, 6, 10)
    assert comparison.difference == pytest.approx(0.2)
    tasks = {entry.task: entry for entry in comparison.tasks}
    assert list(tasks) == ["bbh/navigate", "bbh/snarks", "rg/gcd"]
    assert tasks["bbh/snarks"].difference == pytest.approx(-1.0)
    assert (tasks["bbh/snarks"].only_first, tasks["bbh/snarks"].only_second) == (6, 0)
    assert tasks["bbh/snarks"].p_value == pytest.approx(2 / 64)
    assert tasks["bbh/navigate"].p_value == pytest.approx(2 / 1024)
    assert (tasks["rg/gcd"].both, tasks["rg/gcd"].neither, tasks["rg/gcd"].p_value) == (2, 2, 1.0)
    buffer = io.StringIO()
    render_report(report(files), Console(file=buffer, width=80, color_system=None))
    lines = buffer.getvalue().splitlines()
    assert max(map(len, lines)) <= 80
    snarks = next(line for line in lines if "bbh/snarks" in line and "6/0" in line)
    assert "-100.0 6/0*" in snarks
    assert any("+100.0 0/10*" in line for line in lines)


def test_the_report_as_markdown_tables(tmp_path: Path) -> None:
    plain = _verdicts(bbh_navigate="0000000000", bbh_snarks="111111", rg_gcd="0101")
    pot = _verdicts(bbh_navigate="1111111111", bbh_snarks="000000", rg_gcd="0101")
    files = [
        str(_write(tmp_path / "plain.jsonl", "plain/m", plain, completion_tokens=40)),
        str(_write(tmp_path / "pot.jsonl", "pot/m", pot, completion_tokens=90)),
    ]
    result = runner.invoke(app, ["report", *files, "--markdown"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    tables = [line for line in lines if line.startswith("| ---")]
    assert len(tables) == 4  # runs, paired, by task, paired by task
    assert "| `plain/m` | 20 | 40.0 (21.9-61.3) | 40 | 0.0 | - |" in lines
    assert "| `pot/m` | 20 | 60.0 (38.7-78.1) | 90 | 0.0 | - |" in lines
    paired = next(line for line in lines if line.startswith("| `plain/m` | `pot/m` |"))
    assert "| 20 | 40.0 | 60.0 | +20.0 (" in paired and "| 6 / 10 |" in paired
    assert "| bbh/snarks | 100.0 (6) | 0.0 (6) |" in lines  # a column a run, in order
    assert "| bbh/snarks | -100.0 (6 / 0) * |" in lines
    assert "| rg/gcd | +0.0 (0 / 0) |" in lines
    assert all(line.count("|") == tables[0].count("|") for line in lines[2:5])
    both = runner.invoke(app, ["report", *files, "--markdown", "--json"])
    assert both.exit_code == 2 and "choose one of --json and --markdown" in both.output


def test_narrow_and_wide_terminals(tmp_path: Path) -> None:
    """Eight runs with long labels over four tasks: every line fits 80 columns; the
    per-task tables are split; a wide terminal names the runs instead of numbering them."""
    verdicts = _verdicts(
        bbh_navigate="1100", bbh_word_sorting="1010", rg_basic_arithmetic="0111", rg_gcd="1"
    )
    files = [
        _write(tmp_path / f"{index}.jsonl", f"{mode}/qwen2.5-coder-{size}", verdicts)
        for index, (mode, size) in enumerate(
            (mode, size)
            for size in ("1.5b", "0.5b")
            for mode in ("plain", "cot", "pot+pal-k5", "tir")
        )
    ]
    result = report(files)
    narrow = io.StringIO()
    render_report(result, Console(file=narrow, width=80, color_system=None))
    lines = narrow.getvalue().splitlines()
    assert max(map(len, lines)) <= 80
    text = narrow.getvalue()
    assert "Accuracy by task: % (judged) (1/2)" in text and "#1 vs #3" in text
    assert "rg/basic_arithmetic" in text  # task names are folded, never cut
    wide = io.StringIO()
    render_report(result, Console(file=wide, width=200, color_system=None))
    assert "vs pot+pal-k5/qwen2.5-coder-1.5b" in wide.getvalue()
    assert max(map(len, wide.getvalue().splitlines())) <= 200


def program(value: object) -> str:
    return f"```python\nprint({value!r})\n```"


def test_real_runs_through_the_cli(
    shared_data: Path, session_pool: KernelPool, tmp_path: Path
) -> None:
    """plain, cot and pot runs of the evaluation runner, then ``pot report`` on their files.

    pot is right on all of GSM8K and wrong on SVAMP; plain the reverse but one; pot's
    replies run out on the last problem (a model error: not judged, not paired).
    """
    gsm8k = load_problems("gsm8k", data_dir=shared_data, limit=4)
    svamp = load_problems("svamp", data_dir=shared_data, limit=2)
    problems: list[Problem] = [*gsm8k, *svamp, *load_problems("gsm8k", data_dir=shared_data)[4:5]]
    wrong = "no idea"
    plain_replies = [program(wrong), program(wrong), program(wrong)]
    plain_replies += [program(problem.answer) for problem in problems[3:]]
    pot_replies = [program(problem.answer) for problem in gsm8k] + [program(wrong)] * 2
    cot_replies = [f"So \\boxed{{{problem.answer}}}." for problem in problems]
    files = []
    for mode, replies in (("plain", plain_replies), ("cot", cot_replies), ("pot", pot_replies)):
        out = tmp_path / f"{mode}.jsonl"
        evaluate(problems, ScriptedModel(replies, name="tiny-m"), out, mode=mode, pool=session_pool)
        files.append(str(out))
    result = runner.invoke(app, ["report", *files, "--json"])
    assert result.exit_code == 0, result.output
    runs = {run["run"]: run for run in json.loads(result.stdout)["runs"]}
    assert set(runs) == {"plain/tiny-m", "cot/tiny-m", "pot/tiny-m"}
    pot = runs["pot/tiny-m"]
    assert (pot["mode"], pot["model"], pot["problems"], pot["judged"]) == ("pot", "tiny-m", 7, 6)
    assert pot["not_judged"] == {"model_error": 1} and pot["correct"] == 4
    assert (runs["plain/tiny-m"]["correct"], runs["cot/tiny-m"]["correct"]) == (4, 7)
    comparisons = json.loads(result.stdout)["comparisons"]
    against_plain = {c["second"]: c for c in comparisons if c["first"] == "plain/tiny-m"}
    assert against_plain["pot/tiny-m"]["pairs"] == 6
    tasks = {entry["task"]: entry for entry in against_plain["pot/tiny-m"]["tasks"]}
    assert (tasks["gsm8k"]["only_first"], tasks["gsm8k"]["only_second"]) == (0, 3)
    assert (tasks["svamp"]["only_first"], tasks["svamp"]["only_second"]) == (2, 0)
    assert [c["first"] for c in comparisons].count("cot/tiny-m") == 1  # pot; plain is done
    table = runner.invoke(app, ["report", *files], env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert max(map(len, lines)) <= 80
    assert "model_error 1" in table.stdout and "Paired by task" in table.stdout


def test_reasoning_gym_scores_through_the_runner(tmp_path: Path) -> None:
    """Real reasoning-gym problems and scorers through the runner: only a score of
    exactly 1 is correct (spell_backward scores a wrong answer that starts with the
    right one 1.0000000000000002); a partial score is wrong and shows as a mean score."""
    problems = load_problems("rg:spell_backward,gcd", options=TaskOptions(size=2, seed=0))
    spell, gcd = problems[:2], problems[2:]
    replies = [f"\\boxed{{{spell[0].answer}x}}", f"\\boxed{{{spell[1].answer}}}"]
    replies += [f"\\boxed{{{gcd[0].answer}}}", f"\\boxed{{{gcd[1].answer}x}}"]
    out = tmp_path / "rg.jsonl"
    evaluate(problems, ScriptedModel(replies, name="tiny-m"), out, mode="cot")
    scores = {record.id: getattr(record, "score", None) for record in read_results(out)}
    assert scores[spell[0].id] == 1.0000000000000002 and scores[spell[1].id] == 1.0
    assert 0 < scores[gcd[1].id] < 1
    result = runner.invoke(app, ["report", str(out), "--json"])
    assert result.exit_code == 0, result.output
    (run,) = json.loads(result.stdout)["runs"]
    tasks = {summary["task"]: summary for summary in run["tasks"]}
    assert (tasks["rg/spell_backward"]["correct"], tasks["rg/spell_backward"]["partial"]) == (1, 0)
    assert (tasks["rg/gcd"]["correct"], tasks["rg/gcd"]["partial"]) == (1, 1)
    assert tasks["rg/gcd"]["mean_score"] == pytest.approx((1 + scores[gcd[1].id]) / 2)
    assert (run["correct"], run["judged"], run["accuracy"]) == (2, 4, 0.5)
    table = runner.invoke(app, ["report", str(out)], env={"COLUMNS": "80"})
    assert "Mean score by task" in table.stdout and "rg/spell_backward" in table.stdout
