"""Show steps and traces: rich renderables for terminals, HTML for notebooks."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from pot.answers import AnswerSource
from pot.executors.collect import clean_text as visible
from pot.trace import Answer, CodeStep, FinalAnswer, SampleAnswer, Step, TextStep, Trace, Vote


def prose_of(step: CodeStep) -> str:
    """What the model wrote before the code of a step."""
    return step.text[: step.text.rfind("```python")].strip()


def sample_suffix(sample: int) -> str:
    """What a step's heading adds for its sample: " · sample 3"; nothing for sample 0
    (the only one when a question is solved once)."""
    return f" · sample {sample}" if sample else ""


def text_heading(step: TextStep) -> str:
    """A text step's heading: "step 2 · sample 3", or what the restating turn is."""
    sample = sample_suffix(step.sample)
    if step.restates:
        return "the answer restated in the form the question asks for" + sample
    return f"step {step.index + 1}{sample}"


def step_renderable(step: Step, samples: int | None = None) -> RenderableType:
    """A rich renderable for one stream event (what ``pot solve`` prints live).

    Args:
        step: The event.
        samples: How many samples were drawn (words the answer line of a vote).
    """
    if isinstance(step, CodeStep):
        title = f"step {step.index + 1}{sample_suffix(step.sample)}"
        parts: list[RenderableType] = []
        prose = prose_of(step)
        if prose:
            parts.append(Text(visible(prose), style="dim"))
        parts.append(Syntax(visible(step.code), "python", theme="ansi_dark"))
        for line in step.simulated_lines:
            simulated = visible(f"simulated line {line.lineno}: {line.simulation}")
            parts.append(Text(simulated, style="magenta"))
        style = "green" if step.execution.ok else "red"
        parts.append(Text(visible(step.observation), style=style))
        subtitle = f"model {step.model_seconds:.1f}s · kernel {step.kernel_seconds:.2f}s"
        return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left")
    if isinstance(step, TextStep):
        text = Text(visible(step.text.strip()) or "(empty reply)")
        if step.nudge:
            text.append(f"\nnudged: {step.nudge}", style="yellow")
        return Panel(text, title=f"model · {text_heading(step)}", title_align="left")
    if isinstance(step, SampleAnswer):
        return Text(visible(f"sample {step.sample}: {answer_line(step.answer)}"), style="cyan")
    if isinstance(step, FinalAnswer):
        line = answer_text(step.answer, step.vote, samples)
        line.append(
            f"\n{step.wall_seconds:.1f}s (model {step.model_seconds:.1f}s, "
            f"kernel {step.kernel_seconds:.2f}s, {step.completion_tokens} tokens)",
            style="dim",
        )
        return line
    raise TypeError(f"not a step: {type(step).__name__}")


def trace_renderable(trace: Trace) -> RenderableType:
    """A rich renderable for a whole trace."""
    final = trace.final
    heading = Text(f"{visible(trace.question)}\n", style="bold")
    steps = (step_renderable(step) for step in trace.steps)
    return Group(heading, *steps, step_renderable(final, trace.samples))


SOURCE_WORDS = {
    AnswerSource.PRINTED: "printed by the program",
    AnswerSource.BOXED: "stated by the model",
    AnswerSource.ANSWER_IS: "stated by the model",
}


def drawn(vote: Vote, samples: int | None = None) -> int:
    """How many samples a vote was taken over: the vote's own count (auto mode draws
    more than the ``samples`` setting), else ``samples``, never fewer than voted."""
    answered = sum(count.votes for count in vote.counts)
    return max(vote.samples or samples or 0, answered)


def answer_origin(answer: Answer, vote: Vote | None = None, samples: int | None = None) -> str:
    """Where an answer came from, in words: "printed by the program", "stated by the
    model", "majority of 5 samples, 3 agreeing"."""
    if answer.source is AnswerSource.VOTE and vote is not None and vote.counts:
        words = f"majority of {drawn(vote, samples)} samples, {vote.counts[0].votes} agreeing"
        ruled_out = sum(count.votes for count in vote.counts[1:] if count.ruled_out)
        words += f", {ruled_out} ruled out by the question" if ruled_out else ""
        return words + (f", tie broken by {vote.tie_break}" if vote.tie_break else "")
    if answer.source is AnswerSource.VOTE:
        return "majority vote of the samples"
    if answer.source is AnswerSource.RESTATED:
        return answer.detail or "restated in the form the question asks for"
    return SOURCE_WORDS.get(answer.source, answer.source.value)


def disagreement(vote: Vote | None, samples: int | None = None) -> str:
    """A line naming the answers the samples disagreed on, or "" when they agreed."""
    if vote is None:
        return ""
    silent = drawn(vote, samples) - sum(count.votes for count in vote.counts)
    if len(vote.counts) < 2 and not silent:
        return ""
    parts = [
        f"{count.answer} ×{count.votes}"
        + (" (ruled out by the question)" if count.ruled_out else "")
        for count in vote.counts
    ]
    if silent:
        parts.append(f"no answer ×{silent}")
    return "samples disagree: " + ", ".join(parts)


def answer_line(answer: Answer, vote: Vote | None = None, samples: int | None = None) -> str:
    """One line: the answer and where it came from in words, or why there is none."""
    if answer.value is None:
        reason = answer.reason.value if answer.reason else "none"
        return f"No answer ({reason}): {answer.detail}"
    return f"Answer: {answer.normalized} ({answer_origin(answer, vote, samples)})"


def answer_text(answer: Answer, vote: Vote | None = None, samples: int | None = None) -> Text:
    """The answer line for a terminal: the value in bold, its origin plain, and a
    second line when the samples disagreed (no colour that would make a guess look sure)."""
    if answer.value is None:
        return Text(visible(answer_line(answer)), style="bold red")
    line = Text.assemble(
        ("Answer: ", "bold"),
        (visible(str(answer.normalized)), "bold"),
        f" ({answer_origin(answer, vote, samples)})",
    )
    split = disagreement(vote, samples)
    if split:
        line.append(f"\n{split}", style="yellow")
    return line
