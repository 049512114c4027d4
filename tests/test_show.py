"""`pot show`: a saved trace or one problem of a results file, in the live view."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from pot.cli import app
from pot.executors import JupyterExecutor
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Trace

runner = CliRunner()


@pytest.fixture
def trace(kernel: JupyterExecutor) -> Trace:
    model = ScriptedModel(["Count them.\n```python\nbags = (3 * 14 - 9) // 6\nprint(bags)\n```"])
    return Solver(model, kernel).solve("How many full bags [/x]?")


def test_show_a_saved_trace_and_export_it(trace: Trace, tmp_path: Path) -> None:
    saved = trace.save(tmp_path / "t.json")
    result = runner.invoke(app, ["show", str(saved), "--notebook", str(tmp_path / "t.ipynb")])
    assert result.exit_code == 0, result.output
    assert "How many full bags [/x]?" in result.output
    assert "bags = (3 * 14 - 9) // 6" in result.output
    assert "Answer: 5 (printed by the program)" in result.output
    notebook = nbformat.read(tmp_path / "t.ipynb", as_version=4)
    assert any("print(bags)" in cell.source for cell in notebook.cells)


def test_show_one_problem_of_a_results_file(trace: Trace, tmp_path: Path) -> None:
    results = tmp_path / "runs.jsonl"
    records = [
        {"id": "gsm8k/16", "task": "gsm8k", "gold": "1", "correct": False, "error": "timeout"},
        {
            "id": "gsm8k/17",
            "task": "gsm8k",
            "run": "pot/scripted",
            "gold": "5",
            "prediction": "5",
            "correct": True,
            "trace": json.loads(trace.to_json()),
        },
    ]
    results.write_text("".join(json.dumps(record) + "\n" for record in records))
    result = runner.invoke(app, ["show", str(results), "--id", "gsm8k/17"])
    assert result.exit_code == 0, result.output
    assert "gsm8k/17 · pot/scripted · right" in result.output
    assert "Answer: 5" in result.output and "gold answer: 5" in result.output
    as_json = runner.invoke(app, ["show", str(results), "--id", "gsm8k/17", "--json"])
    assert Trace.model_validate_json(as_json.stdout) == trace

    for arguments, words in [
        ([str(results)], "holds 2 problems: pick one with --id (gsm8k/16, gsm8k/17...)"),
        ([str(results), "--id", "gsm8k/99"], "has no problem 'gsm8k/99'"),
        ([str(results), "--id", "gsm8k/16"], "has no trace (it ended with timeout)"),
        ([str(tmp_path / "none.json")], "no such file"),
    ]:
        refused = runner.invoke(app, ["show", *arguments])
        assert refused.exit_code == 2, refused.output
        assert words in refused.output
        assert "Traceback" not in refused.output
