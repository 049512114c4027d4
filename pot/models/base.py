"""The Model protocol: conversations in, generations out."""

from __future__ import annotations

from enum import Enum
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    """One chat message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str = Field(description="'system', 'user' or 'assistant'.")
    content: str


class StopReason(str, Enum):
    """Why a generation ended."""

    STOP = "stop"
    """A stop string was produced; the text is cut before it."""
    END = "end"
    """The model ended its turn (end-of-sequence token)."""
    LENGTH = "length"
    """``max_new_tokens`` was reached."""
    REPEAT = "repeat"
    """The model was writing the same lines over and over (see ``GenerationConfig.max_repeats``)."""


class Generation(BaseModel):
    """One generated continuation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    stop_reason: StopReason
    stop_string: str | None = Field(default=None, description="Which stop string ended it.")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


class GenerationConfig(BaseModel):
    """Sampling settings for one ``generate`` call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stop: list[str] = Field(default_factory=list, description="Stop strings; text is cut there.")
    max_new_tokens: int = Field(default=512, ge=1)
    temperature: float = Field(default=0.0, ge=0.0, description="0 means greedy.")
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    n: int = Field(default=1, ge=1, description="Samples per conversation.")
    seed: int | None = None
    max_repeats: int = Field(
        default=4,
        ge=0,
        description="Local models: stop once the same block of 1-4 lines has been written "
        "this many times in a row (a small model stuck in a loop); 0 never stops.",
    )


Conversation = list[Message]


class ModelError(RuntimeError):
    """A model could not be loaded or could not generate; the message says what to do."""


class ContextOverflowError(ModelError):
    """A conversation is longer than the model's context.

    Raised for the question itself, it ends a solve (the message says how to load the
    model with a larger context); raised for a conversation a sample has grown (repairs,
    outputs), it ends that sample only, and the solve goes on with the others.
    """

    def __init__(self, message: str, tokens: int | None = None, context: int | None = None):
        super().__init__(message)
        self.tokens = tokens
        self.context = context


@runtime_checkable
class Model(Protocol):
    """A chat model.

    ``generate`` takes a batch of conversations and returns, for each, ``config.n``
    generations (so ``result[i][j]`` is sample ``j`` of conversation ``i``).
    A conversation whose last message is from the assistant is *continued*
    (the reply is appended to that message's text), which is how the loop
    resumes after inserting an execution output.
    """

    name: str

    def generate(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]: ...


@runtime_checkable
class AsyncModel(Protocol):
    """A model that can also generate on asyncio (``OpenAIModel``).

    The asyncio solver awaits ``agenerate`` instead of parking a thread on
    ``generate``, so hundreds of problems can wait on a server at once.
    """

    async def agenerate(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]: ...
