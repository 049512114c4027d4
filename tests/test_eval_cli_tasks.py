"""`pot eval` on reasoning-gym and on your own files, `pot tasks`, the run record and
--max-errors, through typer's CliRunner (scripted models, real kernels, a real HTTP server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pot.api import forget_models as forget_scripted
from pot.cli import app
from pot.tasks import SUITE, TaskOptions, interleave, load_problems, scan_results
from pot.tasks.record import read_record
from tests.test_openai import FaultyServer, completion

runner = CliRunner()


def printed(value: str) -> str:
    return f"```python\nprint({value!r})\n```"


def scripted(*replies: str) -> str:
    return "scripted:" + json.dumps(list(replies))


pytestmark = pytest.mark.usefixtures("fresh_scripted_models")


@pytest.fixture
def sums(tmp_path: Path) -> Path:
    path = tmp_path / "sums.jsonl"
    rows = [{"question": f"What is {i} + 1?", "answer": str(i + 1)} for i in range(4)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_eval_rg_generates_judges_and_records(tmp_path: Path) -> None:
    problems = load_problems("rg:gcd,spell_backward", options=TaskOptions(size=2, seed=1))
    replies = [printed(problem.answer) for problem in problems[:3]] + [printed("nope")]
    out = tmp_path / "rg.jsonl"
    args = ["eval", "rg:gcd,spell_backward", "--size", "2", "--seed", "1", "--out", str(out)]
    result = runner.invoke(app, [*args, "--model", scripted(*replies)])
    assert result.exit_code == 0, result.output
    records = scan_results(out).records
    assert [record.id for record in records] == [problem.id for problem in problems]
    assert records[0].id == "rg/gcd/1/0" and records[2].task == "rg/spell_backward"
    assert [record.correct for record in records] == [True, True, True, False]
    assert [getattr(record, "score", None) for record in records[:3]] == [1.0, 1.0, 1.0]
    record = read_record(out)
    assert record is not None
    task = record.settings.task
    assert (task.spec, task.size, task.seed) == ("rg:gcd,spell_backward", 2, 1)
    assert task.package is not None
    forget_scripted()
    other_seed = runner.invoke(
        app,
        [*args[:5], "2", "--out", str(out), "--resume", "--model", scripted()],
    )
    assert other_seed.exit_code == 2
    assert "task.seed 1 -> 2" in other_seed.stderr and len(other_seed.stderr.splitlines()) == 1


def test_interleave_takes_each_generator_in_turn_and_resumes_either_way(tmp_path: Path) -> None:
    problems = load_problems("rg:gcd,spell_backward", options=TaskOptions(size=3, seed=1))
    answers = {problem.id: problem.answer for problem in problems}
    order = ["rg/gcd/1/0", "rg/spell_backward/1/0", "rg/gcd/1/1", "rg/spell_backward/1/1"]
    order += ["rg/gcd/1/2", "rg/spell_backward/1/2"]
    assert [problem.id for problem in interleave(problems)] == order
    out = tmp_path / "rg.jsonl"
    args = ["eval", "rg:gcd,spell_backward", "--size", "3", "--seed", "1", "--out", str(out)]
    first = [printed(answers[id_]) for id_ in order[:5]]
    result = runner.invoke(app, [*args, "--interleave", "-n", "5", "--model", scripted(*first)])
    assert result.exit_code == 0, result.output
    # --limit takes the first 5 in task order (gcd 0-2, spell 0-1), interleaved
    expected = [*order[:4], "rg/gcd/1/2"]
    records = scan_results(out).records
    assert [record.id for record in records] == expected
    assert all(record.correct for record in records)  # each asked in that order
    forget_scripted()
    rest = [printed(answers["rg/spell_backward/1/2"])]
    resumed = runner.invoke(app, [*args, "--resume", "--model", scripted(*rest)])  # in order
    assert resumed.exit_code == 0, resumed.output
    records = scan_results(out).records
    assert sorted(record.id for record in records) == sorted(order)
    assert records[-1].id == "rg/spell_backward/1/2" and records[-1].correct


def test_eval_rg_default_names_and_misplaced_options(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (problem,) = load_problems("rg:gcd", options=TaskOptions(size=1, seed=4))
    args = ["eval", "rg:gcd", "--size", "1", "--seed", "4", "--mode", "cot"]
    result = runner.invoke(app, [*args, "--model", scripted(f"\\boxed{{{problem.answer}}}")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "runs" / "rg_gcd-seed4-n1-cot-scripted.record.json").is_file()
    misplaced = runner.invoke(app, ["eval", "gsm8k", "--seed", "3", "--model", scripted()])
    assert misplaced.exit_code == 2 and "--seed apply to rg: tasks only" in misplaced.stderr
    unknown = runner.invoke(app, ["eval", "rg:gdc", "--model", scripted()])
    assert unknown.exit_code == 2 and "Did you mean gcd" in unknown.stderr


def boxed(value: str) -> str:
    return f"So the answer is \\boxed{{{value}}}."


def test_eval_a_file_says_which_judge_it_guessed(sums: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    model = scripted(*(boxed(str(i + 1)) for i in range(3)), boxed("9"))
    args = ["eval", str(sums), "--mode", "cot"]
    result = runner.invoke(app, [*args, "--model", model, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "judge: number for 4 problems (guessed from the gold answers" in result.stderr
    assert [record.correct for record in scan_results(out).records] == [True] * 3 + [False]
    record = read_record(out)
    assert record is not None and record.settings.task.file_sha256 is not None
    forget_scripted()
    chosen = tmp_path / "chosen.jsonl"
    model = scripted(boxed("The answer is 1"))  # the number judge would take it
    exact = runner.invoke(
        app, [*args, "--judge", "exact", "-n", "1", "--out", str(chosen), "--model", model]
    )
    assert exact.exit_code == 0, exact.output
    assert "judge: exact for 1 problem (as given)" in exact.stderr
    assert [record.correct for record in scan_results(chosen).records] == [False]


def test_a_bad_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "Q?", "answer": 1}\n{"question": "R?"}\n', encoding="utf-8")
    result = runner.invoke(app, ["eval", str(bad), "--model", scripted()])
    assert result.exit_code == 2
    assert f"{bad}, line 2: 'answer' is missing" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    missing = runner.invoke(app, ["eval", str(tmp_path / "none.csv"), "--model", scripted()])
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_pot_tasks_lists_tasks_subtasks_and_the_suite() -> None:
    result = runner.invoke(app, ["tasks"])
    assert result.exit_code == 0, result.output
    for name in ("gsm8k", "bbh", "navigate", "rg", "suite (20", "caesar_cipher", "FILE"):
        assert name in result.stdout
    rows = {row["name"]: row for row in json.loads(runner.invoke(app, ["tasks", "--json"]).stdout)}
    assert rows["rg"]["suite"] == list(SUITE) and rows["rg"]["installed"]
    assert len(rows["rg"]["subtasks"]) > 100 and rows["rg"]["kinds"]["gcd"] == "arithmetic"
    assert len(rows["bbh"]["subtasks"]) == 27


def test_pot_tasks_without_reasoning_gym_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "reasoning_gym", None)
    result = runner.invoke(app, ["tasks"])
    assert result.exit_code == 0, result.output
    assert (
        "pip install 'pot-reasoning[rg]'" in result.stdout and "basic_arithmetic" in result.stdout
    )


def test_a_failing_server_stops_with_exit_3_and_resume_finishes(sums: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = ["eval", str(sums), "--mode", "cot", "--out", str(out), "--max-errors", "2"]
    missing_model = FaultyServer(lambda number, body: (404, {}, {"error": "no model qwen"}))
    with missing_model as server:
        result = runner.invoke(app, [*args, "--model", f"openai:qwen@{server.url}"])
    assert result.exit_code == 3, result.output
    assert "2 problems in a row failed in the model" in result.stderr
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error.endswith("fix it and continue with --resume")
    assert [record.error for record in scan_results(out).records] == ["model_error"] * 2

    def answer(number: int, body: dict) -> tuple[int, dict[str, str], dict]:
        value = int(body["messages"][-1]["content"].split("What is ")[1].split(" +")[0]) + 1
        return 200, {}, completion(f"\\boxed{{{value}}}")

    with FaultyServer(answer) as server:
        resumed = runner.invoke(app, [*args, "--resume", "--model", f"openai:qwen@{server.url}"])
    assert resumed.exit_code == 0, resumed.output
    assert "not judged" not in resumed.stdout
    assert [record.correct for record in scan_results(out).records] == [True] * 4
    record = read_record(out)
    assert record is not None and [s.outcome for s in record.sessions] == ["stopped", "finished"]
    assert record.sessions[0].model_spec != record.sessions[1].model_spec  # another server


def test_the_scorer_judges_the_answer_pot_gives_normalised(tmp_path: Path) -> None:
    # reasoning-gym's own scorer wants '54', a program printing 54.0 answered 54
    [problem] = load_problems("rg:gcd", options=TaskOptions(size=1, seed=3))
    float_reply = f"```python\nprint(float({problem.answer}))\n```"
    out = tmp_path / "rg.jsonl"
    args = ["eval", "rg:gcd", "--size", "1", "--seed", "3", "--out", str(out)]
    result = runner.invoke(app, [*args, "--model", scripted(float_reply)])
    assert result.exit_code == 0, result.output
    [record] = scan_results(out).records
    assert record.prediction == f"{problem.answer}.0"
    assert record.correct and record.normalized == problem.answer
