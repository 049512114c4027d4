"""Model backends behind one protocol (see :class:`pot.models.base.Model`).

Load any model with :func:`load_model` (an alias, hub id, folder, ``.gguf`` file
or ``openai:MODEL@URL``). The backends import torch, transformers or httpx only
when a model is created.
"""

from __future__ import annotations

from pot.models.base import (
    ContextOverflowError,
    Conversation,
    Generation,
    GenerationConfig,
    Message,
    Model,
    ModelError,
    StopReason,
)
from pot.models.errors import (
    ChecksumError,
    CorruptModelError,
    DeviceUnavailableError,
    MissingExtraError,
    NotEnoughMemoryError,
    ServerContextError,
    ServerError,
    ServerTimeoutError,
    ServerUnavailableError,
    UnknownModelError,
)
from pot.models.loading import ModelCache, load_model
from pot.models.weights import ALIASES, DEFAULT_MODEL

__all__ = [
    "ALIASES",
    "DEFAULT_MODEL",
    "ChecksumError",
    "ContextOverflowError",
    "Conversation",
    "CorruptModelError",
    "DeviceUnavailableError",
    "Generation",
    "GenerationConfig",
    "Message",
    "MissingExtraError",
    "Model",
    "ModelCache",
    "ModelError",
    "NotEnoughMemoryError",
    "ServerContextError",
    "ServerError",
    "ServerTimeoutError",
    "ServerUnavailableError",
    "StopReason",
    "UnknownModelError",
    "load_model",
]
