"""Records and errors shared by every task: a problem, a judgement, the error types."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """One benchmark problem, as the model sees it, with its gold answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable, unique id, e.g. 'gsm8k/17' or 'bbh/navigate/3'.")
    question: str = Field(description="The question exactly as the model sees it.")
    answer: str = Field(description="The gold answer, as text (e.g. '18', '(B)', '[1, 2]').")
    meta: dict[str, Any] = Field(
        default_factory=dict,
        description="Metadata: always 'task' (e.g. 'gsm8k', 'bbh/navigate') and 'index' "
        "(position in the task's file); per task 'level', 'subject', 'options'...",
    )

    @property
    def task(self) -> str:
        """The task this problem belongs to (``meta['task']``), e.g. ``'bbh/navigate'``."""
        return str(self.meta.get("task", self.id.rsplit("/", 1)[0]))


class Judgement(BaseModel):
    """A judge's verdict on one prediction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    correct: bool
    normalized: str | None = Field(
        default=None,
        description="The prediction after normalisation (what was compared); None when "
        "nothing usable was found in it.",
    )
    reason: str | None = Field(
        default=None, description="Why it was judged incorrect, when not a plain mismatch."
    )
    score: float | None = Field(
        default=None,
        description="Partial credit in [0, 1] when the task's own scorer gives one "
        "(reasoning-gym); correct means a score of 1. None: the verdict is all there is.",
    )


class TaskError(Exception):
    """Base class of the errors raised by ``pot.tasks``."""


class UnknownTaskError(TaskError, KeyError):
    """A task name (or a BIG-Bench Hard subtask name) that the registry does not know."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataUnavailableError(TaskError):
    """A benchmark file is neither in the data folder nor in the cache, and the download failed."""


class ChecksumError(DataUnavailableError):
    """A downloaded benchmark file does not have the expected sha256."""


class ResultsFileError(TaskError):
    """A results file is corrupt somewhere other than a truncated last line."""


class ShardSpecError(TaskError, ValueError):
    """A shard specification that is not ``I/N`` with ``0 <= I < N``."""


class UnknownProblemError(TaskError, ValueError):
    """Problem ids asked for (``--ids``) that the task does not have, or an unreadable list."""


class MissingDependencyError(TaskError, ImportError):
    """An optional package that a judge needs is not installed (the message says which)."""
