"""Markdown for steps, as the ``@PoT`` persona posts them in JupyterLab's chat."""

from __future__ import annotations

import base64

from pot.render import answer_line, prose_of, sample_suffix, text_heading
from pot.trace import CodeStep, FinalAnswer, SampleAnswer, Step, TextStep

MAX_IMAGE_BYTES = 2_000_000
"""Larger images are mentioned, not embedded (the chat document holds every message)."""


def fence(text: str, language: str = "") -> str:
    """A fenced block that the text itself cannot close."""
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{language}\n{text.rstrip()}\n{ticks}\n"


def step_markdown(step: Step) -> str:
    """Markdown for one event of ``Solver.stream``, ending with a blank line."""
    if isinstance(step, CodeStep):
        result = step.execution
        sample = sample_suffix(step.sample)
        mark = "✓" if result.ok else "✗"
        prose = prose_of(step)
        parts = [
            f"**Step {step.index + 1}**{sample} {mark} "
            f"<sub>model {step.model_seconds:.1f}s · kernel {step.kernel_seconds:.2f}s</sub>\n\n",
            f"{prose}\n\n" if prose else "",
            fence(step.code, "python"),
        ]
        for line in step.simulated_lines:
            parts.append(f"\n*simulated line {line.lineno}:* `{line.simulation.strip()}`\n")
        parts.append("\n" + fence(step.observation, "text"))
        for number, display in enumerate(result.displays, 1):
            png = display.png
            if png is None:
                continue
            if len(png) > MAX_IMAGE_BYTES:
                parts.append(f"\n*(figure {number}: {len(png)} bytes, too large to show)*\n")
                continue
            encoded = base64.b64encode(png).decode("ascii")
            parts.append(f"\n![figure {number}](data:image/png;base64,{encoded})\n")
        return "".join(parts) + "\n"
    if isinstance(step, TextStep):
        text = step.text.strip() or "(empty reply)"
        nudge = f"\n\n*nudged:* {step.nudge}" if step.nudge else ""
        heading = f"*{text_heading(step)}:*\n\n" if step.restates else ""
        return f"{heading}{text}{nudge}\n\n"
    if isinstance(step, SampleAnswer):
        return f"*sample {step.sample}:* {answer_line(step.answer)}\n\n"
    if isinstance(step, FinalAnswer):
        text = f"**{answer_line(step.answer)}**"
        if step.vote is not None:
            counts = ", ".join(f"{count.answer} ×{count.votes}" for count in step.vote.counts)
            text += f"\n\nvote: {counts}"
        return (
            f"{text}\n\n<sub>{step.wall_seconds:.1f}s (model {step.model_seconds:.1f}s, "
            f"kernel {step.kernel_seconds:.2f}s, {step.completion_tokens} tokens)</sub>\n"
        )
    raise TypeError(f"not a step: {type(step).__name__}")
