"""What every executor promises: the records it returns and the protocol it follows."""

from __future__ import annotations

from enum import Enum
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

Reuse = Literal["fresh", "reset"]
"""How a kernel is made ready for the next problem: ``"fresh"`` discards the
interpreter and continues in a new one; ``"reset"`` clears its namespace only."""

REUSE_MODES: tuple[Reuse, ...] = ("fresh", "reset")


class KernelEvent(str, Enum):
    """What happened to the kernel while a piece of code ran."""

    OK = "ok"
    """The code finished (with or without a Python error); the namespace is intact."""
    INTERRUPTED = "interrupted"
    """The code ran past its timeout and was interrupted; the namespace is intact."""
    RESTARTED = "restarted"
    """The code ran past its timeout, ignored the interrupt, and the kernel was restarted:
    the namespace is lost."""
    DIED = "died"
    """The kernel process died (os._exit, a segfault, a resource limit, the OOM killer)
    and was restarted: the namespace is lost."""


class ErrorInfo(BaseModel):
    """A Python error raised by the executed code (ANSI colour codes removed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Exception class name, e.g. 'ZeroDivisionError'.")
    value: str = Field(description="The exception message.")
    traceback: str = Field(default="", description="The formatted traceback, plain text.")


class DisplayData(BaseModel):
    """One rich output (a figure, an HTML table...), by mime type.

    Images (``image/*`` except SVG) are kept as bytes in ``blobs``; every other
    type as text in ``data``.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, ser_json_bytes="base64", val_json_bytes="base64"
    )

    data: dict[str, str] = Field(default_factory=dict, description="Text mime type -> text.")
    blobs: dict[str, bytes] = Field(default_factory=dict, description="Image mime -> bytes.")

    @property
    def png(self) -> bytes | None:
        return self.blobs.get("image/png")


class ExecutionResult(BaseModel):
    """Everything one run of code produced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stdout: str = ""
    stderr: str = ""
    result: str | None = Field(
        default=None, description="text/plain of the value of the last expression, if any."
    )
    displays: list[DisplayData] = Field(default_factory=list)
    error: ErrorInfo | None = None
    elapsed: float = Field(default=0.0, description="Wall seconds, request to reply.")
    kernel: KernelEvent = KernelEvent.OK
    truncated: bool = Field(default=False, description="Output was cut to the size cap.")

    @property
    def ok(self) -> bool:
        """True when the code ran to the end without an error."""
        return self.error is None and self.kernel is KernelEvent.OK

    @property
    def state_lost(self) -> bool:
        """True when the kernel was replaced, so earlier variables are gone."""
        return self.kernel in (KernelEvent.RESTARTED, KernelEvent.DIED)


class ExecutorError(RuntimeError):
    """Terminal executor failure: the kernel could not be started or the protocol broke.

    Errors raised *by the executed code* are never this: they come back in
    ``ExecutionResult.error``.
    """


class KernelStartError(ExecutorError):
    """A kernel could not be started (unknown kernel name, broken install, start timeout)."""


class ExecutorClosedError(ExecutorError):
    """The executor was used after ``shutdown()`` (or before ``start()``)."""


@runtime_checkable
class Executor(Protocol):
    """Runs code in a persistent namespace.

    Lifecycle: create, ``start()``, any number of ``run()`` / ``reset()``,
    ``shutdown()``. Usable as a context manager (``with`` starts and shuts down).
    ``interrupt()`` (from another thread) stops the code running now as Ctrl-C
    would and keeps the namespace; an executor with nothing running ignores it.
    """

    def start(self) -> None: ...

    def run(self, code: str, timeout: float | None = None) -> ExecutionResult: ...

    def reset(self) -> None: ...

    def interrupt(self) -> None: ...

    def shutdown(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc_info: object) -> None: ...


@runtime_checkable
class AsyncExecutor(Protocol):
    """The asyncio twin of :class:`Executor` (same lifecycle, awaitable methods)."""

    async def astart(self) -> None: ...

    async def arun(self, code: str, timeout: float | None = None) -> ExecutionResult: ...

    async def areset(self) -> None: ...

    async def ainterrupt(self) -> None: ...

    async def ashutdown(self) -> None: ...
