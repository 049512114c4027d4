"""Typed errors of the model backends; each message says what to do next."""

from __future__ import annotations

import re

from pot.models.base import ContextOverflowError, ModelError


class UnknownModelError(ModelError):
    """The model spec names no alias, folder, GGUF file, hub id or server that pot can load."""


class CorruptModelError(ModelError):
    """A model file that is not what it claims to be (a GGUF file without the GGUF header)."""


class MissingExtraError(ModelError, ImportError):
    """An optional dependency is not installed; the message gives the pip command."""


class ChecksumError(ModelError):
    """Joined weights do not match the recorded sha256 (a broken or tampered download)."""


class NotEnoughMemoryError(ModelError, MemoryError):
    """Loading, converting or generating needs more memory than is available."""


class DeviceUnavailableError(ModelError):
    """The requested device (for example ``cuda``) is not available on this machine."""


class ServerError(ModelError):
    """An OpenAI-compatible server answered with an error that retrying did not cure."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ServerContextError(ServerError, ContextOverflowError):
    """The server refused a conversation longer than its context (vLLM's "maximum context
    length", llama.cpp's "exceeds the available context size", OpenAI's
    ``context_length_exceeded``): a sample that grew so ends, the solve goes on."""


CONTEXT_REFUSAL = re.compile(
    r"context[_ ]length|maximum context|context (size|window)|too many tokens|"
    r"exceeds? the (available )?context",
    re.IGNORECASE,
)
"""How servers say a request is longer than their context."""


class ServerUnavailableError(ServerError, ConnectionError):
    """The server refused the connection or could not be reached."""


class ServerTimeoutError(ServerError, TimeoutError):
    """The server did not answer within the timeout."""


def missing_extra(package: str, extra: str) -> MissingExtraError:
    """Build the error raised when an optional package is missing.

    Args:
        package: The import name that failed.
        extra: The pot extra that provides it.

    Returns:
        An error whose message gives the install command.
    """
    return MissingExtraError(
        f"{package} is not installed; install it with: pip install 'pot-reasoning[{extra}]'"
    )
