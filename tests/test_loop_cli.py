"""`pot solve` with typer's CliRunner: a scripted model, a real kernel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from pot import api
from pot.cli import app
from pot.executors import ExecutorError, JupyterExecutor
from pot.models.errors import NotEnoughMemoryError, UnknownModelError
from pot.testing import ScriptedModel
from pot.trace import Trace

runner = CliRunner()


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch, kernel: JupyterExecutor) -> ScriptedModel:
    model = ScriptedModel()

    @contextmanager
    def lend(timeout: float = 10.0, executor: str | None = None) -> Iterator[JupyterExecutor]:
        yield kernel

    monkeypatch.setattr(api, "default_model", lambda spec=None: model)
    monkeypatch.setattr(api, "lend_executor", lend)
    return model


def test_solve_shows_steps_and_the_answer(scripted: ScriptedModel) -> None:
    scripted.add("```python\nbags = (3 * 14 - 9) // 6\nprint(bags)\n```")
    result = runner.invoke(app, ["solve", "How many full bags?"])
    assert result.exit_code == 0, result.output
    assert "How many full bags?" in result.output
    assert "bags = (3 * 14 - 9) // 6" in result.output
    assert "Answer: 5 (printed by the program)" in result.output


def test_solve_reads_stdin_and_prints_json(scripted: ScriptedModel) -> None:
    scripted.add("```python\nprint(2 + 2)\n```", "\\boxed{4}")
    result = runner.invoke(app, ["solve", "-", "--json", "--mode", "tir"], input="2 + 2?\n")
    assert result.exit_code == 0, result.output
    trace = Trace.model_validate_json(result.stdout)
    assert trace.question == "2 + 2?"
    assert trace.mode.value == "tir"
    assert trace.answer.normalized == "4"


def test_solve_saves_trace_and_notebook(scripted: ScriptedModel, tmp_path: Path) -> None:
    scripted.add("```python\nprint(7)\n```", "```python\nprint(7)\n```", "```python\nprint(8)\n```")
    trace_path, notebook_path = tmp_path / "t.json", tmp_path / "t.ipynb"
    result = runner.invoke(
        app,
        [
            "solve",
            "Seven?",
            "-k",
            "3",
            "--trace",
            str(trace_path),
            "--notebook",
            str(notebook_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Answer: 7 (majority of 3 samples, 2 agreeing)" in result.output
    assert "samples disagree: 7 ×2, 8 ×1" in result.output
    assert json.loads(trace_path.read_text())["vote"]["winner"] == "7"
    nbformat.validate(nbformat.read(notebook_path, as_version=4))


def test_no_answer_exits_1_with_the_reason(scripted: ScriptedModel) -> None:
    scripted.add("No idea.", "Still no idea.")
    result = runner.invoke(app, ["solve", "What?"])
    assert result.exit_code == 1
    assert "No answer (no_code)" in result.output


def test_empty_question_exits_2(scripted: ScriptedModel) -> None:
    result = runner.invoke(app, ["solve", "   "])
    assert result.exit_code == 2
    assert "the question is empty" in result.output


def test_bad_mode_is_a_usage_error(scripted: ScriptedModel) -> None:
    assert runner.invoke(app, ["solve", "x", "--mode", "magic"]).exit_code == 2


def test_model_errors_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(spec: str | None = None) -> None:
        raise NotEnoughMemoryError("not enough memory to load 'big'")

    monkeypatch.setattr(api, "default_model", fail)
    result = runner.invoke(app, ["solve", "x", "--model", "big"])
    assert result.exit_code == 3
    assert "model error: not enough memory" in result.output


def test_an_unknown_model_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(spec: str | None = None) -> None:
        raise UnknownModelError("no such model 'nope'; run pot models")

    monkeypatch.setattr(api, "default_model", fail)
    result = runner.invoke(app, ["solve", "x", "--model", "nope"])
    assert result.exit_code == 2
    assert "no such model" in result.output


def test_kernel_errors_exit_4(monkeypatch: pytest.MonkeyPatch) -> None:
    @contextmanager
    def broken(timeout: float = 10.0, executor: str | None = None) -> Iterator[JupyterExecutor]:
        raise ExecutorError("kernel could not start")
        yield  # pragma: no cover

    monkeypatch.setattr(api, "default_model", lambda spec=None: ScriptedModel())
    monkeypatch.setattr(api, "lend_executor", broken)
    result = runner.invoke(app, ["solve", "x"])
    assert result.exit_code == 4
    assert "kernel could not start" in result.output


def test_pot_solve_takes_a_model_object(scripted: ScriptedModel) -> None:
    import pot

    mine = ScriptedModel(["```python\nprint(17 * 23)\n```"], name="mine")
    trace = pot.solve("What is 17 * 23?", model=mine)
    assert trace.answer.normalized == "391"
    assert trace.model == "mine"
    scripted.add("```python\nprint(1)\n```")
    assert pot.solve("One?").model == "scripted"


def test_importing_pot_loads_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pot, pot.cli\n"
        "heavy = [m for m in ('torch', 'transformers', 'jupyter_client', 'pot.solver')"
        " if m in sys.modules]\n"
        "print(heavy)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert output.stdout.strip() == "[]", output.stderr
