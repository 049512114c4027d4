"""What the reasoning loop asks its driver for, and what it gets back.

The loop (``Solver._reason``, :func:`pot.chain.run_chain`) is a generator: it
yields a :class:`Generate`, :class:`Execute` or :class:`Reset` request and is
sent the reply, or yields a step record to pass on. The blocking and the
asyncio drivers answer the same requests, so the loop is written once.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from pot.executors import ExecutionResult
from pot.models.base import Conversation, Generation
from pot.trace import LineRun, Step


@dataclass(frozen=True)
class Generate:
    """Generate ``n`` replies to ``conversation`` (greedy when ``greedy``)."""

    conversation: Conversation
    n: int = 1
    greedy: bool = False


@dataclass(frozen=True)
class Execute:
    """Run ``code`` in the executor."""

    code: str


@dataclass(frozen=True)
class Reset:
    """Reset the executor's namespace."""


@dataclass(frozen=True)
class Generated:
    """The reply to :class:`Generate`: the samples and the seconds the call took."""

    samples: list[Generation]
    seconds: float


@dataclass(frozen=True)
class Executed:
    """The reply to :class:`Execute`: the result and the seconds the call took."""

    result: ExecutionResult
    seconds: float


@dataclass
class Ran:
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
