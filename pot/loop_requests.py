"""What the reasoning loop asks its driver for, and what it gets back.

The loop (:mod:`pot.loops`, :func:`pot.coc_run.run_chain`) is a generator: it
yields a :class:`Generate`, :class:`Execute` or :class:`Reset` request and is
sent the reply, or yields a step record to pass on. The blocking and the
asyncio drivers answer the same requests, so the loop is written once.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from pot.executors import ExecutionResult
from pot.models.base import ContextOverflowError, Conversation, Generation
from pot.trace import Answer, FinalAnswer, LineRun, Step, Vote


@dataclass(frozen=True)
class Generate:
    """Generate ``n`` replies to ``conversation``.

    Greedy when ``greedy``; sampled at ``temperature`` (with ``seed_offset`` added
    to the solver's seed) when that is set; otherwise at the solver's temperature.
    ``max_new_tokens`` caps this reply below the solver's budget. ``more`` are other
    conversations generated in the same call, with the same settings (``n`` each): one
    batch instead of one call after another; the reply holds the samples of
    ``conversation`` first, then those of each of ``more`` in turn.
    """

    conversation: Conversation
    n: int = 1
    greedy: bool = False
    temperature: float | None = None
    seed_offset: int = 0
    max_new_tokens: int | None = None
    more: tuple[Conversation, ...] = ()

    @property
    def conversations(self) -> list[Conversation]:
        """Every conversation of the call, ``conversation`` first."""
        return [self.conversation, *self.more]


@dataclass(frozen=True)
class Execute:
    """Run ``code`` in the executor."""

    code: str


@dataclass(frozen=True)
class Reset:
    """Reset the executor's namespace."""


@dataclass(frozen=True)
class GenerateReply:
    """The reply to :class:`Generate`: the samples and the seconds the call took."""

    samples: list[Generation]
    seconds: float

    def each(self) -> list[GenerateReply]:
        """One reply a sample, each with its share of the seconds: a batch's samples are
        then reasoned one by one, each as if it had been generated alone."""
        share = self.seconds / len(self.samples) if self.samples else 0.0
        return [GenerateReply([sample], share) for sample in self.samples]


@dataclass(frozen=True)
class ExecuteReply:
    """The reply to :class:`Execute`: the result and the seconds the call took."""

    result: ExecutionResult
    seconds: float


@dataclass
class ProgramRun:
    """What running one program took, Chain-of-Code simulations included."""

    result: ExecutionResult
    kernel_seconds: float
    lines: list[LineRun] = field(default_factory=list)
    model_seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0


Request = Generate | Execute | Reset
Loop = Generator[Request | Step, Any, Any]
"""A loop generator: yields requests and steps, is sent replies, returns its outcome."""


def fitting(request: Generate) -> Generator[Request, Any, GenerateReply | ContextOverflowError]:
    """The reply to ``request``, or the error the driver throws in where its conversation
    does not fit the model's context (each caller decides what that ends)."""
    try:
        reply: GenerateReply = yield request
    except ContextOverflowError as error:
        return error
    return reply


@dataclass
class Totals:
    """A driver's running sums over one solve: model and kernel time, tokens."""

    model_seconds: float = 0.0
    kernel_seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def generated(self, batch: list[list[Generation]], seconds: float) -> GenerateReply:
        """Count one generation call (its conversations' samples) and wrap its reply: the
        samples of every conversation in the call's order."""
        samples = [sample for each in batch for sample in each]
        self.model_seconds += seconds
        self.prompt_tokens += sum(each[0].prompt_tokens for each in batch if each)
        self.completion_tokens += sum(sample.completion_tokens for sample in samples)
        return GenerateReply(samples, seconds)

    def executed(self, result: ExecutionResult, seconds: float) -> ExecuteReply:
        """Count one code run and wrap its reply."""
        self.kernel_seconds += seconds
        return ExecuteReply(result, seconds)

    def final(self, outcome: tuple[Answer, Vote | None], wall: float) -> FinalAnswer:
        """The solve's last event: the answer, the vote and these sums."""
        answer, ballot = outcome
        return FinalAnswer(
            answer=answer,
            vote=ballot,
            wall_seconds=wall,
            model_seconds=self.model_seconds,
            kernel_seconds=self.kernel_seconds,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
        )
