"""HTML for steps and traces: one renderer for the live view of ``%%pot`` and for a
trace shown in a notebook (``Trace._repr_html_``), so both look the same."""

from __future__ import annotations

import base64
import html

from pygments import highlight as pygmentize
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from pot.executors.collect import clean_text
from pot.render import answer_line, disagreement, prose_of, sample_suffix, text_heading
from pot.trace import CodeStep, FinalAnswer, SampleAnswer, Step, TextStep, Trace

_OK, _FAILED, _SIMULATED = "#2e7d32", "#c62828", "#8e24aa"
_BOX = "border-left:3px solid {};padding:2px 8px;margin:6px 0"
_PRE = "white-space:pre-wrap;margin:2px 0;padding:4px;background:rgba(127,127,127,0.08)"


def highlight(code: str) -> str:
    """Python code as HTML with inline colours (pygments), so no stylesheet is needed."""
    formatter = HtmlFormatter(noclasses=True, nobackground=True, style="default")
    return pygmentize(code, PythonLexer(), formatter)


def step_html(step: Step, samples: int | None = None) -> str:
    """HTML for one event of ``Solver.stream`` (``samples``: how many were drawn)."""

    def escape(text: str) -> str:  # control characters too, not only markup
        return html.escape(clean_text(text))

    if isinstance(step, CodeStep):
        result = step.execution
        colour = _OK if result.ok else _FAILED
        sample = sample_suffix(step.sample)
        parts = [
            f"<div class='pot-step' style='{_BOX.format(colour)}'>",
            f"<div><b>step {step.index + 1}</b>{sample} "
            f"<span style='opacity:0.6'>model {step.model_seconds:.1f}s · "
            f"kernel {step.kernel_seconds:.2f}s</span></div>",
            f"<div>{escape(prose_of(step))}</div>" if prose_of(step) else "",
            highlight(step.code),
        ]
        for line in step.simulated_lines:
            parts.append(
                f"<div style='color:{_SIMULATED}'>simulated line {line.lineno}: "
                f"<code>{escape(line.simulation)}</code></div>"
            )
        parts.append(f"<pre style='{_PRE};color:{colour}'>{escape(step.observation)}</pre>")
        for display in result.displays:
            if display.png is not None:
                encoded = base64.b64encode(display.png).decode("ascii")
                parts.append(f"<img src='data:image/png;base64,{encoded}' style='max-width:100%'>")
        parts.append("</div>")
        return "".join(parts)
    if isinstance(step, TextStep):
        nudge = f"<div style='opacity:0.6'>nudged: {escape(step.nudge)}</div>" if step.nudge else ""
        text = escape(step.text.strip() or "(empty reply)")
        return (
            f"<div class='pot-step' style='{_BOX.format('#90a4ae')}'>"
            f"<div style='opacity:0.6'>model · {escape(text_heading(step))}</div>"
            f"<pre style='{_PRE}'>{text}</pre>{nudge}</div>"
        )
    if isinstance(step, SampleAnswer):
        line = escape(answer_line(step.answer))
        return f"<div style='color:#00838f'>sample {step.sample}: {line}</div>"
    if isinstance(step, FinalAnswer):
        # no green: a wrong answer must not look confirmed
        colour = "inherit" if step.answer.ok else _FAILED
        split = disagreement(step.vote, samples)
        vote = f"<div style='color:#b26a00'>{escape(split)}</div>" if split else ""
        return (
            f"<div class='pot-answer' style='color:{colour};font-weight:bold'>"
            f"{escape(answer_line(step.answer, step.vote, samples))}</div>{vote}"
            f"<div style='opacity:0.6'>{step.wall_seconds:.1f}s (model {step.model_seconds:.1f}s, "
            f"kernel {step.kernel_seconds:.2f}s, {step.completion_tokens} tokens)</div>"
        )
    raise TypeError(f"not a step: {type(step).__name__}")


def trace_html(trace: Trace) -> str:
    """HTML for a whole trace: the question, its steps as the live view showed them, and
    the answer line."""
    final = trace.final
    heading = html.escape(clean_text(f"{trace.mode.value} · {trace.model}"))
    question = html.escape(clean_text(trace.question))
    steps = "".join(step_html(step, trace.samples) for step in [*trace.steps, final])
    return (
        f"<div class='pot-trace'><div><b>{question}</b> "
        f"<span style='opacity:0.6'>{heading}</span></div>{steps}</div>"
    )
