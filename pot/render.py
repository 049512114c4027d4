"""Show steps and traces: rich renderables for terminals, HTML for notebooks."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from pot.trace import Answer, CodeStep, FinalAnswer, SampleAnswer, Step, TextStep, Trace

if TYPE_CHECKING:
    from rich.console import RenderableType


def step_renderable(step: Step) -> RenderableType:
    """A rich renderable for one stream event (what ``pot solve`` prints live)."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.text import Text

    if isinstance(step, CodeStep):
        title = f"step {step.index + 1}" + (f" · sample {step.sample}" if step.sample else "")
        parts: list[RenderableType] = []
        prose = step.text[: step.text.rfind("```python")].strip()
        if prose:
            parts.append(Text(prose, style="dim"))
        parts.append(Syntax(step.code, "python", theme="ansi_dark"))
        for line in step.simulated_lines:
            parts.append(Text(f"simulated line {line.lineno}: {line.simulation}", style="magenta"))
        style = "green" if step.execution.ok else "red"
        parts.append(Text(step.observation, style=style))
        subtitle = f"model {step.model_seconds:.1f}s · kernel {step.kernel_seconds:.2f}s"
        return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left")
    if isinstance(step, TextStep):
        text = Text(step.text.strip() or "(empty reply)")
        if step.nudge:
            text.append(f"\nnudged: {step.nudge}", style="yellow")
        return Panel(text, title=f"model · step {step.index + 1}", title_align="left")
    if isinstance(step, SampleAnswer):
        return Text(f"sample {step.sample}: {answer_line(step.answer)}", style="cyan")
    if isinstance(step, FinalAnswer):
        line = Text(answer_line(step.answer), style="bold green" if step.answer.ok else "bold red")
        if step.vote is not None:
            counts = ", ".join(f"{count.answer} ×{count.votes}" for count in step.vote.counts)
            line.append(f"\nvote: {counts}", style="cyan")
        line.append(
            f"\n{step.wall_seconds:.1f}s (model {step.model_seconds:.1f}s, "
            f"kernel {step.kernel_seconds:.2f}s, {step.completion_tokens} tokens)",
            style="dim",
        )
        return line
    raise TypeError(f"not a step: {type(step).__name__}")


def trace_renderable(trace: Trace) -> RenderableType:
    """A rich renderable for a whole trace."""
    from rich.console import Group
    from rich.text import Text

    final = FinalAnswer(
        answer=trace.answer,
        vote=trace.vote,
        wall_seconds=trace.wall_seconds,
        model_seconds=trace.model_seconds,
        kernel_seconds=trace.kernel_seconds,
        prompt_tokens=trace.prompt_tokens,
        completion_tokens=trace.completion_tokens,
    )
    heading = Text(f"{trace.question}\n", style="bold")
    return Group(heading, *(step_renderable(step) for step in trace.steps), step_renderable(final))


def answer_line(answer: Answer) -> str:
    """One line: the answer and its source, or why there is none."""
    if answer.value is None:
        reason = answer.reason.value if answer.reason else "none"
        return f"No answer ({reason}): {answer.detail}"
    return f"Answer: {answer.normalized} (from {answer.source.value})"


def trace_html(trace: Trace) -> str:
    """HTML for a trace, shown by Jupyter (``Trace._repr_html_``)."""
    escape = html.escape
    parts = [
        "<div class='pot-trace'>",
        f"<p><b>{escape(trace.mode.value)}</b> · {escape(trace.model)}</p>",
        f"<blockquote>{escape(trace.question)}</blockquote>",
    ]
    for step in trace.steps:
        if isinstance(step, CodeStep):
            colour = "#2e7d32" if step.execution.ok else "#c62828"
            simulated = "".join(
                f"<div style='color:#8e24aa'>simulated line {line.lineno}: "
                f"<code>{escape(line.simulation)}</code></div>"
                for line in step.simulated_lines
            )
            parts.append(
                f"<details open><summary>step {step.index + 1}"
                f"{f' · sample {step.sample}' if trace.samples > 1 else ''}</summary>"
                f"<pre>{escape(step.code)}</pre>{simulated}"
                f"<pre style='color:{colour}'>{escape(step.observation)}</pre></details>"
            )
        elif isinstance(step, TextStep):
            parts.append(f"<pre style='white-space:pre-wrap'>{escape(step.text.strip())}</pre>")
    parts.append(f"<p><b>{escape(answer_line(trace.answer))}</b></p>")
    if trace.vote is not None:
        counts = ", ".join(f"{count.answer}: {count.votes}" for count in trace.vote.counts)
        parts.append(f"<p>vote: {escape(counts)}</p>")
    parts.append("</div>")
    return "".join(parts)
