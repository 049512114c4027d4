"""Traces: JSON round-trip, notebook replay, rich and HTML display."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from rich.console import Console

from pot.executors import DisplayData, ExecutionResult, JupyterExecutor
from pot.render import step_renderable
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import CodeStep, Mode, Trace

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


def _tir_trace(kernel: JupyterExecutor) -> Trace:
    model = ScriptedModel(
        [
            "Count first.\n```python\nfrom IPython.display import HTML, display\n"
            "display(HTML('<b>hi</b>'))\nn = 3 * 14\nprint(n)\n```",
            "```python\nprint(n - 9)\nn / 0\n```",
            "```python\nprint((n - 9) // 6)\n```",
            "So \\boxed{5}.",
        ]
    )
    return Solver(model, kernel, mode="tir").solve("How many full bags?")


def test_trace_round_trips_through_json(kernel: JupyterExecutor, tmp_path: Path) -> None:
    trace = _tir_trace(kernel)
    assert trace.mode is Mode.TIR
    assert trace.model == "scripted"
    assert Trace.model_validate_json(trace.to_json()) == trace
    assert Trace.load(trace.save(tmp_path / "trace.json")) == trace
    assert trace.model_seconds >= 0
    assert trace.kernel_seconds >= sum(step.kernel_seconds for step in trace.code_steps) * 0.99


def test_display_bytes_survive_json() -> None:
    step = CodeStep(
        index=0,
        text="```python\nplot()\n```",
        code="plot()",
        execution=ExecutionResult(displays=[DisplayData(blobs={"image/png": PNG})]),
        observation="(no output)",
    )
    again = CodeStep.model_validate_json(step.model_dump_json())
    assert again.execution.displays[0].png == PNG


def test_notebook_replays_the_steps_with_their_outputs(
    kernel: JupyterExecutor, tmp_path: Path
) -> None:
    trace = _tir_trace(kernel)
    path = trace.to_notebook(tmp_path / "nested" / "trace.ipynb")
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.source for cell in code_cells] == [step.code for step in trace.code_steps]
    first_outputs = {output.output_type for output in code_cells[0].outputs}
    assert first_outputs == {"stream", "display_data"}
    assert code_cells[1].outputs[-1].output_type == "error"
    assert code_cells[1].outputs[-1].ename == "ZeroDivisionError"
    assert notebook.cells[0].source.startswith("**Question**")
    assert "**Answer:** 5" in notebook.cells[-1].source
    assert any(cell.source == "Count first." for cell in notebook.cells)


def test_notebook_images_are_base64(tmp_path: Path) -> None:
    step = CodeStep(
        index=0,
        text="```python\nplot()\n```",
        code="plot()",
        execution=ExecutionResult(displays=[DisplayData(blobs={"image/png": PNG})]),
        observation="",
    )
    trace = Trace.from_events("q", Mode.POT, "m", 1, [step, _final()])
    notebook = nbformat.read(trace.to_notebook(tmp_path / "t.ipynb"), as_version=4)
    image = notebook.cells[1].outputs[0].data["image/png"]
    import base64

    assert base64.b64decode(image) == PNG


def test_rich_and_html_displays(kernel: JupyterExecutor) -> None:
    trace = _tir_trace(kernel)
    html = trace._repr_html_()
    text_of_html = re.sub(r"<[^>]+>", "", html)  # the code is highlighted, token by token
    assert "How many full bags?" in html
    assert "n = 3 * 14" in text_of_html
    assert "Answer: 5" in html
    assert html.count("class='pot-step'") == len(trace.steps)  # the live view's renderer
    console = Console(record=True, width=100)
    console.print(trace)
    text = console.export_text()
    assert "print((n - 9) // 6)" in text
    assert "ZeroDivisionError" in text
    assert "Answer: 5 (stated by the model)" in text
    console.print(step_renderable(_final()))


def test_from_events_needs_a_final_answer() -> None:
    import pytest

    with pytest.raises(ValueError):
        Trace.from_events("q", Mode.POT, "m", 1, [])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        Trace.from_events("q", Mode.POT, "m", 1, [_step()])


def _step() -> CodeStep:
    return CodeStep(index=0, text="", code="1", execution=ExecutionResult(), observation="")


def _final():  # type: ignore[no-untyped-def]
    from pot.trace import Answer, FinalAnswer

    return FinalAnswer(answer=Answer(value="1", normalized="1"))
