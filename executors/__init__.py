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
from pot.executors.gateway import GatewayExecutor
from pot.executors.gateway_wire import GatewayAuthError, GatewayError, GatewayUnavailableError
from pot.executors.jupyter import JupyterExecutor
from pot.executors.limits import OutputLimits, ResourceLimits
from pot.executors.pool import KernelPool, OnDemand
from pot.executors.sandbox import Isolation, Sandbox, SandboxUnavailableError
from pot.executors.spec import ExecutorSpecError, executor_factory, make_pool

__all__ = [
    "AsyncExecutor",
    "DisplayData",
    "ErrorInfo",
    "ExecutionResult",
    "Executor",
    "ExecutorClosedError",
    "ExecutorError",
    "ExecutorSpecError",
    "GatewayAuthError",
    "GatewayError",
    "GatewayExecutor",
    "GatewayUnavailableError",
    "Isolation",
    "JupyterExecutor",
    "KernelEvent",
    "KernelPool",
    "KernelStartError",
    "OnDemand",
    "OutputLimits",
    "ResourceLimits",
    "Sandbox",
    "SandboxUnavailableError",
    "executor_factory",
    "make_pool",
]
