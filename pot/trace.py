"""The records of one solve: step events as they happen, and the trace that collects them.

``Solver.stream`` yields :data:`Step` events (each made once, when its step is
over); ``Solver.solve`` gathers them into a :class:`Trace`, which round-trips
through JSON, replays as a notebook and displays itself in Jupyter.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pot.answers import AnswerSource, FoundAnswer, normalize_answer
from pot.executors import ExecutionResult
from pot.modes import Mode

if TYPE_CHECKING:
    from rich.console import RenderableType


class NoAnswerReason(str, Enum):
    """Why a solve ended without an answer."""

    NO_CODE = "no_code"
    """The model wrote no code, even after a nudge."""
    CODE_FAILED = "code_failed"
    """The program kept failing until the repair budget was spent."""
    NOTHING_PRINTED = "nothing_printed"
    """The program ran but printed nothing, even after a nudge."""
    NO_FINAL_ANSWER = "no_final_answer"
    """The model stopped without stating an answer."""
    MAX_STEPS = "max_steps"
    """The step budget ran out."""
    NO_MAJORITY = "no_majority"
    """No sample produced an answer to vote on."""
    CONTEXT_FULL = "context_full"
    """The sample's conversation (repairs, outputs) outgrew the model's context."""


_AS_WRITTEN = (AnswerSource.PRINTED, AnswerSource.BOXED)
"""Answers kept as written (a sentence's full stop, aligned spaces): a program's printed
line, a ``\\boxed{}``'s content; an answer stated in the model's prose loses its full
stop (a program's ``Answer: ...`` line is kept as written: :meth:`Answer.found`)."""


class Answer(BaseModel):
    """The outcome of a solve (or of one sample): an answer, or the reason there is none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str | None = Field(default=None, description="The raw answer as found.")
    normalized: str | None = Field(default=None, description="normalize_answer(value).")
    source: AnswerSource = AnswerSource.NONE
    reason: NoAnswerReason | None = Field(default=None, description="Set when value is None.")
    detail: str = Field(default="", description="A human-readable note on the outcome.")

    @classmethod
    def found(cls, found: FoundAnswer, detail: str = "", printed: bool = False) -> Answer:
        """The answer for a value found in the model's text or, ``printed``, in the
        program's output: kept as written there, after a label too (``Answer: He left.``
        keeps its full stop, as the program printed it)."""
        written = printed or found.source in _AS_WRITTEN
        return cls(
            value=found.value,
            normalized=normalize_answer(found.value, as_written=written),
            source=found.source,
            detail=detail,
        )

    @property
    def ok(self) -> bool:
        """True when there is an answer."""
        return self.value is not None


class LineRun(BaseModel):
    """One top-level statement of a Chain-of-Code program: run, or simulated by the model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lineno: int = Field(description="First line of the statement in the program (1-based).")
    end_lineno: int
    source: str
    how: Literal["ran", "simulated", "failed"]
    simulation: str = Field(default="", description="Code the model wrote to stand in for it.")
    error: str = Field(default="", description="Why it could not run (for simulated/failed).")


class CodeStep(BaseModel):
    """The model wrote code and the kernel ran it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["code"] = "code"
    sample: int = 0
    index: int = Field(description="Step number within the sample, from 0.")
    text: str = Field(description="The model's reply up to and including the code block.")
    code: str
    execution: ExecutionResult
    observation: str = Field(description="What the model was shown of the execution.")
    setup: str = Field(
        default="",
        description="Code pot ran just before (the question's long data as `data`, for "
        "the program to parse: pot.question_data); replays run it first.",
    )
    lines: list[LineRun] = Field(default_factory=list, description="Chain of Code only.")
    model_seconds: float = 0.0
    kernel_seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def simulated_lines(self) -> list[LineRun]:
        """The statements the model simulated instead of running."""
        return [line for line in self.lines if line.how == "simulated"]


class TextStep(BaseModel):
    """The model replied without code: reasoning, a final answer, or a reply that was nudged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["text"] = "text"
    sample: int = 0
    index: int
    text: str
    nudge: str = Field(
        default="",
        description="What pot added to get on: a message sent back, or the start of a "
        "final answer for the model to complete.",
    )
    restates: bool = Field(
        default=False,
        description="``auto``'s last turn: the winning answer restated in the form the "
        "question asks for, not a step of the sample's reasoning.",
    )
    model_seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class SampleAnswer(BaseModel):
    """How one of several self-consistency samples ended."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["sample_answer"] = "sample_answer"
    sample: int
    answer: Answer


class VoteCount(BaseModel):
    """One candidate answer in a vote."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(description="answer_key of the answers counted together.")
    answer: str = Field(description="The normalised answer shown for this key.")
    votes: int
    samples: list[int]
    ruled_out: bool = Field(
        default=False,
        description="An answer the question rules out (its own example, none of its "
        "options): ranked below every other answer.",
    )


class Vote(BaseModel):
    """A self-consistency vote: counts per answer and the rule that picked the winner."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    counts: list[VoteCount] = Field(description="Most votes first, ties in tie-break order.")
    winner: str | None
    tie_break: str = Field(default="", description="Set when several answers tied for first.")
    samples: int = Field(
        default=0,
        description="Samples drawn, with or without an answer (0 in older records).",
    )


class FinalAnswer(BaseModel):
    """The last event of every stream: the answer, the vote (if any) and the totals."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["final"] = "final"
    answer: Answer
    vote: Vote | None = None
    wall_seconds: float = 0.0
    model_seconds: float = 0.0
    kernel_seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0


Step = Annotated[CodeStep | TextStep | SampleAnswer | FinalAnswer, Field(discriminator="kind")]
"""One event of ``Solver.stream``."""


class Trace(BaseModel):
    """Everything about one solve, replayable and serialisable.

    Example:
        >>> trace = solver.solve("What is 6 * 7?")
        >>> trace.answer.normalized
        '42'
        >>> Trace.model_validate_json(trace.model_dump_json()) == trace
        True
    """

    model_config = ConfigDict(extra="forbid")

    question: str
    mode: Mode
    model: str
    samples: int = 1
    steps: list[CodeStep | TextStep | SampleAnswer] = Field(default_factory=list)
    answer: Answer
    vote: Vote | None = None
    wall_seconds: float = 0.0
    model_seconds: float = 0.0
    kernel_seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    setup: str = Field(
        default="",
        description="Code the kernel ran before the first step (its preload); a notebook "
        "replay runs it first.",
    )

    @property
    def final(self) -> FinalAnswer:
        """The stream's last event, as the live view showed it: answer, vote and totals."""
        return FinalAnswer(
            answer=self.answer,
            vote=self.vote,
            wall_seconds=self.wall_seconds,
            model_seconds=self.model_seconds,
            kernel_seconds=self.kernel_seconds,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
        )

    @property
    def code_steps(self) -> list[CodeStep]:
        """The steps that ran code."""
        return [step for step in self.steps if isinstance(step, CodeStep)]

    @classmethod
    def from_events(
        cls,
        question: str,
        mode: Mode,
        model: str,
        samples: int,
        events: list[Step],
        setup: str = "",
    ) -> Trace:
        """Collect the events of one stream (the last one a :class:`FinalAnswer`);
        ``setup`` is the code the kernel ran before the first step (its preload)."""
        final = events[-1] if events else None
        if not isinstance(final, FinalAnswer):
            raise ValueError("a stream ends with a FinalAnswer event")
        steps = [event for event in events[:-1] if not isinstance(event, FinalAnswer)]
        return cls(
            question=question,
            mode=mode,
            model=model,
            # auto decides how many samples it votes over as it goes
            samples=max(samples, sum(isinstance(step, SampleAnswer) for step in steps)),
            steps=steps,
            setup=setup,
            **final.model_dump(exclude={"kind"}),
        )

    def to_json(self, indent: int | None = 2) -> str:
        """The trace as JSON (read it back with ``Trace.model_validate_json``)."""
        return self.model_dump_json(indent=indent)

    def save(self, path: str | Path) -> Path:
        """Write the trace as JSON to ``path``."""
        target = Path(path)
        target.write_text(self.to_json(), encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path) -> Trace:
        """Read a trace written by :meth:`save`."""
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))

    def to_notebook(self, path: str | Path) -> Path:
        """Write an .ipynb whose cells replay the steps, with their outputs.

        Chain-of-Code steps become one cell in which each simulated statement is
        replaced by the values the model gave it, so re-running the notebook
        reproduces the reasoning.
        """
        from pot.notebook import write_notebook

        return write_notebook(self, Path(path))

    def _repr_html_(self) -> str:
        from pot.step_html import trace_html

        return trace_html(self)

    def __rich__(self) -> RenderableType:
        from pot.render import trace_renderable

        return trace_renderable(self)
