"""`pot eval` and `pot report` with typer's CliRunner (scripted models, real kernels)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pot.api import forget_models as forget_scripted
from pot.cli import app
from pot.tasks import ResultRecord, ResultWriter, scan_results

runner = CliRunner()


def program(value: str) -> str:
    return f"```python\nprint({value})\n```"


def scripted(*replies: str) -> str:
    return "scripted:" + json.dumps(list(replies))


pytestmark = pytest.mark.usefixtures("fresh_scripted_models")


@pytest.fixture
def data_args(shared_data: Path) -> list[str]:
    return ["--data", str(shared_data)]


def test_eval_writes_results_and_prints_the_summary(data_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "gsm8k.jsonl"
    model = scripted(program("18"), program("3"), program("7"))
    result = runner.invoke(
        app, ["eval", "gsm8k", "--limit", "3", "--model", model, "--out", str(out), *data_args]
    )
    assert result.exit_code == 0, result.output
    assert "pot/scripted" in result.stdout and "66.7" in result.stdout
    assert f"results: {out}" in result.stdout
    assert "3/3" in result.stderr  # the progress bar
    assert [record.correct for record in scan_results(out).records] == [True, True, False]


def test_eval_per_task_takes_the_first_of_each_bbh_task(
    data_args: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "bbh.jsonl"
    model = scripted(program("1"), program("2"))
    spec = "bbh:navigate,word_sorting"
    result = runner.invoke(
        app, ["eval", spec, "--per-task", "1", "--model", model, "--out", str(out), *data_args]
    )
    assert result.exit_code == 0, result.output
    ids = sorted(record.id for record in scan_results(out).records)
    assert ids == ["bbh/navigate/0", "bbh/word_sorting/0"]


def test_eval_refuses_to_overwrite_then_resumes(data_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "gsm8k.jsonl"
    base = ["eval", "gsm8k", "--out", str(out), *data_args]
    first = runner.invoke(app, [*base, "--limit", "1", "--model", scripted(program("18"))])
    assert first.exit_code == 0, first.output
    forget_scripted()
    again = runner.invoke(app, [*base, "--limit", "2", "--model", scripted(program("3"))])
    assert again.exit_code == 2
    assert "already holds results" in again.stderr and "--resume" in again.stderr
    forget_scripted()
    resumed = runner.invoke(
        app, [*base, "--limit", "2", "--resume", "--model", scripted(program("3"))]
    )
    assert resumed.exit_code == 0, resumed.output
    assert "1 problems were already finished" in resumed.stderr
    records = scan_results(out).records
    assert [(record.id, record.correct) for record in records] == [
        ("gsm8k/0", True),
        ("gsm8k/1", True),
    ]
    other_mode = runner.invoke(app, [*base, "--resume", "--mode", "tir", "--model", scripted()])
    assert other_mode.exit_code == 2 and "pot/scripted" in other_mode.stderr


def test_default_out_is_under_runs(
    data_args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        [
            "eval",
            "bbh:object_counting",
            "-n",
            "1",
            "--mode",
            "cot",
            "--model",
            scripted(r"\boxed{8}"),
            *data_args,
        ],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "runs" / "bbh_object_counting-cot-scripted.jsonl"
    assert [record.correct for record in scan_results(out).records] == [True]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["eval", "nosuchtask"], "Unknown task"),
        (["eval", "bbh:nosuchsubtask"], "nosuchsubtask"),
        (["eval", "gsm8k", "--shard", "3/2"], "0 <= I < N"),
        (["eval", "gsm8k", "--shard", "half"], "not I/N"),
        (["eval", "gsm8k", "--model", "scripted:/no/such/replies.json"], "scripted:"),
        (["eval", "gsm8k", "--model", "scripted:[1]"], "list of strings"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    arguments: list[str], message: str, data_args: list[str], tmp_path: Path
) -> None:
    extra = ["--out", str(tmp_path / "x.jsonl"), "-n", "1", *data_args]
    if "--model" not in arguments:
        extra += ["--model", scripted(program("1"))]
    result = runner.invoke(app, [*arguments, *extra])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.jsonl").exists()


def test_missing_data_folder_and_bad_mode(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["eval", "gsm8k", "--data", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    empty = runner.invoke(app, ["eval", "gsm8k", "--data", str(tmp_path)])
    assert empty.exit_code == 2 and "POT_DATA" in empty.stderr
    bad_mode = runner.invoke(app, ["eval", "gsm8k", "--mode", "magic"])
    assert bad_mode.exit_code == 2 and "magic" in bad_mode.output


def test_shards_split_and_merge_in_report(data_args: list[str], tmp_path: Path) -> None:
    golds = ["18", "3", "70000", "540"]
    files = []
    for index in range(2):
        forget_scripted()
        out = tmp_path / f"shard{index}.jsonl"
        replies = [program(gold) for gold in golds[index::2]]
        result = runner.invoke(
            app,
            [
                "eval",
                "gsm8k",
                "-n",
                "4",
                "--shard",
                f"{index}/2",
                "--out",
                str(out),
                "--model",
                scripted(*replies),
                *data_args,
            ],
        )
        assert result.exit_code == 0, result.output
        files.append(out)
    assert [r.id for r in scan_results(files[0]).records] == ["gsm8k/0", "gsm8k/2"]
    merged = runner.invoke(app, ["report", *map(str, files), "--json"])
    assert merged.exit_code == 0, merged.output
    runs = json.loads(merged.stdout)["runs"]
    assert [(run["run"], run["problems"], run["correct"]) for run in runs] == [
        ("pot/scripted", 4, 4)
    ]
    by_file = runner.invoke(app, ["report", *map(str, files), "--by", "file", "--json"])
    assert [run["run"] for run in json.loads(by_file.stdout)["runs"]] == [
        "shard0.jsonl",
        "shard1.jsonl",
    ]
    table = runner.invoke(app, ["report", *map(str, files)])
    assert table.exit_code == 0 and "pot/scripted" in table.stdout and "100.0" in table.stdout


def test_ids_pick_problems_from_a_list_or_a_results_file(
    data_args: list[str], tmp_path: Path
) -> None:
    """``--ids`` reruns chosen problems: named, or the ids of a results file's lines
    (say, the wrong ones); unknown ids and unreadable lists are one clear line."""
    first = tmp_path / "first.jsonl"
    model = scripted(program("18"), program("4"), program("70000"))
    args = ["--model", model, *data_args]
    result = runner.invoke(
        app, ["eval", "gsm8k", "--ids", "gsm8k/2, gsm8k/0,gsm8k/1", "--out", str(first), *args]
    )
    assert result.exit_code == 0, result.output
    records = scan_results(first).records
    assert [r.id for r in records] == ["gsm8k/0", "gsm8k/1", "gsm8k/2"]  # the task's order
    assert [r.correct for r in records] == [True, False, True]
    record = json.loads(first.with_suffix(".record.json").read_text())
    assert record["sessions"][-1]["options"]["ids"] == ["gsm8k/2", "gsm8k/0", "gsm8k/1"]
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(
        "".join(line + "\n" for line in first.read_text().splitlines() if '"correct":false' in line)
    )
    forget_scripted()
    again = tmp_path / "again.jsonl"
    rerun = runner.invoke(
        app,
        [
            "eval",
            "gsm8k",
            "--ids",
            f"@{wrong}",
            "--out",
            str(again),
            "--model",
            scripted(program("3")),
            *data_args,
        ],
    )
    assert rerun.exit_code == 0, rerun.output
    assert [(r.id, r.correct) for r in scan_results(again).records] == [("gsm8k/1", True)]
    (tmp_path / "ids.txt").write_text("gsm8k/1\n\ngsm8k/99999\n")
    for ids, message in [
        (f"@{tmp_path / 'ids.txt'}", "1 id(s) not in gsm8k: gsm8k/99999"),
        (f"@{tmp_path / 'none.txt'}", "cannot read"),
        (" , ", "names no problem id"),
    ]:
        bad = runner.invoke(
            app, ["eval", "gsm8k", "--ids", ids, "--out", str(tmp_path / "x.jsonl"), *args]
        )
        assert bad.exit_code == 2 and message in bad.stderr, bad.output
        assert len(bad.stderr.strip().splitlines()) == 1


def write_run(path: Path, run: str, verdicts: list[bool]) -> None:
    with ResultWriter(path) as writer:
        for index, correct in enumerate(verdicts):
            writer.write(
                ResultRecord(id=f"gsm8k/{index}", task="gsm8k", run=run, gold="1", correct=correct)
            )


def test_report_compares_two_runs(tmp_path: Path) -> None:
    write_run(tmp_path / "cot.jsonl", "cot/m", [True, False, False, False, True, False])
    write_run(tmp_path / "pot.jsonl", "pot/m", [True, True, True, True, True, False])
    files = [str(tmp_path / "cot.jsonl"), str(tmp_path / "pot.jsonl")]
    result = runner.invoke(app, ["report", *files])
    assert result.exit_code == 0, result.output
    assert "Paired" in result.stdout and "McNemar" in result.stdout
    assert "+50.0" in result.stdout and "0/3" in result.stdout
    as_json = json.loads(
        runner.invoke(app, ["report", *map(str, sorted(tmp_path.iterdir())), "--json"]).stdout
    )
    comparison = as_json["comparisons"][0]
    assert (comparison["pairs"], comparison["only_first"], comparison["only_second"]) == (6, 0, 3)


def test_report_bad_files(data_args: list[str], tmp_path: Path) -> None:
    missing = runner.invoke(app, ["report", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "no such results file" in missing.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    nothing = runner.invoke(app, ["report", str(empty)])
    assert nothing.exit_code == 1 and "no results" in nothing.stderr
    corrupt = tmp_path / "corrupt.jsonl"
    write_run(corrupt, "pot/m", [True, False])
    corrupt.write_text("not json\n" + corrupt.read_text())
    broken = runner.invoke(app, ["report", str(corrupt)])
    assert broken.exit_code == 2 and "corrupt results file" in broken.stderr
    resumed = runner.invoke(
        app, ["eval", "gsm8k", "--out", str(corrupt), "--resume", "--model", "pot/m", *data_args]
    )
    assert resumed.exit_code == 2 and "not a valid result" in resumed.stderr


def test_report_reads_the_runs_folder_pot_eval_wrote_by_default(
    data_args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    nothing = runner.invoke(app, ["report"])
    assert nothing.exit_code == 1
    assert "no results files named and no runs/ folder here" in nothing.output
    for mode, reply in (("pot", "```python\nprint(18)\n```"), ("plain", "18")):
        model = scripted(reply, reply)
        args = ["eval", "gsm8k", "-n", "2", "--mode", mode, "--model", model, *data_args]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    written = sorted(path.name for path in (tmp_path / "runs").glob("*.jsonl"))
    assert written == ["gsm8k-plain-scripted.jsonl", "gsm8k-pot-scripted.jsonl"]
    for args in (["report", "--json"], ["report", "runs", "--json"]):  # the default, a folder
        report = runner.invoke(app, args)
        assert report.exit_code == 0, report.output
        runs = json.loads(report.stdout)["runs"]
        assert sorted(run["run"] for run in runs) == ["plain/scripted", "pot/scripted"]
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(app, ["report", "empty"])
    assert empty.exit_code == 1
    assert "no results files (*.jsonl) in empty" in empty.output
