"""Model backends behind one protocol (see :class:`pot.models.base.Model`)."""

from __future__ import annotations

from pot.models.base import (
    Conversation,
    Generation,
    GenerationConfig,
    Message,
    Model,
    ModelError,
    StopReason,
)

__all__ = [
    "Conversation",
    "Generation",
    "GenerationConfig",
    "Message",
    "Model",
    "ModelError",
    "StopReason",
]
