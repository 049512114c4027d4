"""Write a trace as a Jupyter notebook whose cells replay the reasoning.

The notebook runs top to bottom in a plain Python kernel and gives the outputs
it shows: it starts with the code pot's kernel ran before the first step (the
preload, :attr:`Trace.setup`), resets the namespace where pot reset the kernel
(between self-consistency samples, after a kernel restart), defines the question's
data where pot did for a program to parse (:attr:`CodeStep.setup`), tags the cells that
raised so that ``jupyter nbconvert --execute`` goes on past them, and keeps a
step that was stopped at its timeout as text instead of running it again.
A ``%%pot --here`` trace ran in your notebook's namespace: its replay needs your
variables, which the trace does not hold.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import nbformat
from nbformat import v4

from pot.executors.base import ExecutionResult, KernelEvent
from pot.render import answer_origin, disagreement, text_heading
from pot.trace import CodeStep, TextStep, Trace


def write_notebook(trace: Trace, path: Path) -> Path:
    """Write ``trace`` to ``path`` as an nbformat-4 notebook and return the path.

    A markdown cell holds the question; each code step becomes the model's
    prose (markdown) and a code cell with the outputs it really produced; the
    last cell states the answer and how it was chosen.
    """
    cells = [
        v4.new_markdown_cell(
            f"**Question** ({trace.mode.value}, {trace.model})\n\n{_quote(trace.question)}"
        )
    ]
    execution_count = 0
    if trace.setup.strip():
        execution_count += 1
        cells.append(_setup_cell(trace.setup, execution_count, ""))
    sample, defined = 0, ""
    for step in trace.steps:
        heading = f"sample {step.sample}, " if trace.samples > 1 else ""
        if step.sample != sample:  # pot reset the kernel between samples
            sample = step.sample
            execution_count += 1
            note = f"# sample {sample}: pot reset the kernel between samples\n%reset -f\n"
            cells.append(_setup_cell(trace.setup, execution_count, note))
            defined = ""
        if isinstance(step, CodeStep) and step.setup and step.setup != defined:
            execution_count += 1
            note = "# pot defined the problem's data for the program to parse\n"
            cells.append(_setup_cell("", execution_count, note + step.setup))
            defined = step.setup
        if isinstance(step, CodeStep):
            prose = step.text[: step.text.rfind("```python")].strip()
            if prose:
                cells.append(v4.new_markdown_cell(prose))
            result = step.execution
            if result.kernel is not KernelEvent.OK:  # stopped at its timeout, or the kernel died
                cells.append(_not_rerun(step))
                if result.state_lost:
                    execution_count += 1
                    note = "# the kernel was restarted here: its variables were lost\n%reset -f\n"
                    cells.append(_setup_cell(trace.setup, execution_count, note))
                    defined = ""  # pot defines it again before the next program
                continue
            execution_count += 1
            metadata: dict[str, Any] = {"pot": {"sample": step.sample, "step": step.index}}
            if result.error is not None:  # nbclient and nbconvert go on past it
                metadata["tags"] = ["raises-exception"]
            cell = v4.new_code_cell(
                replay_source(step),
                execution_count=execution_count,
                outputs=_outputs(result, execution_count),
                metadata=metadata,
            )
            cells.append(cell)
        elif isinstance(step, TextStep):
            note = f"\n\n*Nudged:* {step.nudge}" if step.nudge else ""
            who = f"model, {text_heading(step)}" if step.restates else f"{heading}model"
            cells.append(v4.new_markdown_cell(f"*{who}:*\n\n{step.text.strip()}{note}"))
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


def _setup_cell(setup: str, execution_count: int, note: str) -> Any:
    source = note + (
        f"# what pot's kernel ran before the first step\n{setup.strip()}" if setup.strip() else ""
    )
    return v4.new_code_cell(
        source.strip(), execution_count=execution_count, metadata={"pot": {"setup": True}}
    )


def _not_rerun(step: CodeStep) -> Any:
    result = step.execution
    what = (
        f"was stopped after {result.elapsed:.0f} s"
        if result.kernel is KernelEvent.INTERRUPTED
        else f"lost the kernel ({result.kernel.value})"
    )
    observation = "\n".join(f"    {line}" for line in step.observation.splitlines())
    return v4.new_markdown_cell(
        f"*This step {what}; it is shown, not run again:*\n\n```python\n{step.code}\n```"
        f"\n\n{observation}"
    )


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
    origin = answer_origin(answer, trace.vote, trace.samples)
    text = f"**Answer:** {answer.normalized} ({origin})"
    split = disagreement(trace.vote, trace.samples)
    if split:
        text += f"\n\n{split[0].upper()}{split[1:]}"
    if answer.detail:
        text += f"\n\n{answer.detail}"
    return text


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines())
