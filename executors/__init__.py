"""Code-execution backends (imported as ``pot.executors``)."""

from __future__ import annotations

from pot.executors.base import (
    AsyncExecutor,
    DisplayData,
    ErrorInfo,
    ExecutionResult,
    Executor,
    ExecutorClosedError,
    ExecutorError,
    KernelEvent,
    KernelStartError,
)

__all__ = [
    "AsyncExecutor",
    "DisplayData",
    "ErrorInfo",
    "ExecutionResult",
    "Executor",
    "ExecutorClosedError",
    "ExecutorError",
    "KernelEvent",
    "KernelStartError",
]
