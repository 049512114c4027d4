"""A notebook export replays: it runs top to bottom in a plain kernel (nbclient) and
gives the outputs it shows, in every mode, with samples, a failing step and a timeout."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pot.executors import JupyterExecutor
from pot.preload import PRELOAD
from pot.solver import Solver
from pot.testing import ScriptedModel


def code(text: str) -> str:
    return f"```python\n{text}\n```"


CASES = {
    # uses the preload's Rational without importing it; the first program fails
    "pot": (
        {},
        [code("half = Rational(1, 2)\nprint(half * missing)"), code("print(Rational(3, 4) * 8)")],
        "6",
    ),
    "tir": (
        {},
        [
            "First the root.\n" + code("n = sqrt(16)\nprint(n)"),
            code("print(n + 1)"),  # a later step sees the earlier variable
            "So the answer is \\boxed{5}.",
        ],
        "5",
    ),
    "coc": (
        {},
        [
            code(
                "words = ['apple', 'chair', 'cherry']\n"
                "fruits = [w for w in words if is_fruit(w)]\nprint(len(fruits))"
            ),
            code("fruits = ['apple', 'cherry']"),
        ],
        "2",
    ),
    "cot": ({}, ["Three and four make seven: \\boxed{7}."], "7"),
    # sample 2 must not see sample 0's variable: pot reset the kernel in between
    "samples": (
        {"samples": 3},
        [
            code("t = 7\nprint(t)"),
            code("t = 7\nprint(t)"),
            code("print(globals().get('t', 8))"),
        ],
        "7",
    ),
    "timeout": (
        {"timeout": 1.0},
        [code("while True:\n    pass"), code("print(2)")],
        "2",
    ),
}


def shown(cell: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """What a code cell shows: stream text, plain results, error names."""
    found = []
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            found.append((output["name"], output["text"]))
        elif kind == "execute_result":
            found.append(("result", output["data"]["text/plain"]))
        elif kind == "error":
            found.append(("error", output["ename"]))
    return found


@pytest.mark.parametrize("case", list(CASES))
def test_an_exported_notebook_replays_with_the_same_outputs(
    case: str, preloaded: JupyterExecutor, tmp_path: Path
) -> None:
    options, replies, answer = CASES[case]
    mode = case if case in ("pot", "tir", "coc", "cot") else "pot"
    preloaded.reset()
    solver = Solver(ScriptedModel(replies), preloaded, mode, **options)
    trace = solver.solve("A question whose replay must work")
    assert trace.answer.normalized == answer
    assert trace.setup == PRELOAD
    path = trace.to_notebook(tmp_path / "replay.ipynb")

    notebook = nbformat.read(path, as_version=4)
    recorded = [shown(cell) for cell in notebook.cells if cell.cell_type == "code"]
    assert "import sympy" in notebook.cells[1].source  # the preload comes first
    client = NotebookClient(
        notebook,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError if a cell fails that did not fail before
    replayed = [shown(cell) for cell in notebook.cells if cell.cell_type == "code"]
    assert replayed == recorded
    assert f"**Answer:** {answer}" in notebook.cells[-1].source
    if case == "samples":
        assert [output for outputs in replayed for output in outputs] == [
            ("stdout", "7\n"),
            ("stdout", "7\n"),
            ("stdout", "8\n"),
        ]
        assert "majority of 3 samples, 2 agreeing" in notebook.cells[-1].source
    if case == "timeout":
        assert any("not run again" in cell.source for cell in notebook.cells)
