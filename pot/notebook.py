"""Write a trace as a Jupyter notebook whose cells replay the reasoning."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pot.executors import ExecutionResult
    from pot.trace import CodeStep, Trace


def write_notebook(trace: Trace, path: Path) -> Path:
    """Write ``trace`` to ``path`` as an nbformat-4 notebook and return the path.

    A markdown cell holds the question; each code step becomes the model's
    prose (markdown) and a code cell with the outputs it really produced; the
    last cell states the answer and how it was chosen.
    """
    import nbformat
    from nbformat import v4

    from pot.trace import CodeStep, TextStep

    cells = [
        v4.new_markdown_cell(
            f"**Question** ({trace.mode.value}, {trace.model})\n\n{_quote(trace.question)}"
        )
    ]
    execution_count = 0
    for step in trace.steps:
        heading = f"sample {step.sample}, " if trace.samples > 1 else ""
        if isinstance(step, CodeStep):
            prose = step.text[: step.text.rfind("```python")].strip()
            if prose:
                cells.append(v4.new_markdown_cell(prose))
            execution_count += 1
            cell = v4.new_code_cell(
                replay_source(step),
                execution_count=execution_count,
                outputs=_outputs(step.execution, execution_count),
                metadata={"pot": {"sample": step.sample, "step": step.index}},
            )
            cells.append(cell)
        elif isinstance(step, TextStep):
            note = f"\n\n*Nudged:* {step.nudge}" if step.nudge else ""
            cells.append(v4.new_markdown_cell(f"*{heading}model:*\n\n{step.text.strip()}{note}"))
    cells.append(v4.new_markdown_cell(_answer_text(trace)))
    notebook = v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "pot": {"mode": trace.mode.value, "model": trace.model},
        },
    )
    nbformat.validate(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


def replay_source(step: CodeStep) -> str:
    """The code of a step as it can be re-run: simulated statements become their values."""
    if not any(line.how == "simulated" for line in step.lines):
        return step.code
    parts = []
    for line in step.lines:
        if line.how == "simulated":
            original = "\n".join(f"# {text}" for text in line.source.splitlines())
            parts.append(f"# simulated by the model:\n{original}\n{line.simulation}")
        else:
            parts.append(line.source)
    return "\n".join(parts)


def _outputs(result: ExecutionResult, execution_count: int) -> list[Any]:
    import base64

    from nbformat import v4

    outputs = []
    if result.stdout:
        outputs.append(v4.new_output("stream", name="stdout", text=result.stdout))
    if result.stderr:
        outputs.append(v4.new_output("stream", name="stderr", text=result.stderr))
    for display in result.displays:
        data = dict(display.data)
        data.update(
            (mime, base64.b64encode(blob).decode("ascii")) for mime, blob in display.blobs.items()
        )
        outputs.append(v4.new_output("display_data", data=data))
    if result.result is not None:
        outputs.append(
            v4.new_output(
                "execute_result",
                data={"text/plain": result.result},
                execution_count=execution_count,
            )
        )
    if result.error is not None:
        outputs.append(
            v4.new_output(
                "error",
                ename=result.error.name,
                evalue=result.error.value,
                traceback=result.error.traceback.splitlines(),
            )
        )
    return outputs


def _answer_text(trace: Trace) -> str:
    answer = trace.answer
    if answer.value is None:
        reason = answer.reason.value if answer.reason else "none"
        return f"**No answer** ({reason}): {answer.detail}"
    text = f"**Answer:** {answer.normalized} (from {answer.source.value})"
    if trace.vote is not None:
        counts = ", ".join(f"{count.answer}: {count.votes}" for count in trace.vote.counts)
        text += f"\n\nVote: {counts}"
    if answer.detail:
        text += f"\n\n{answer.detail}"
    return text


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines())
