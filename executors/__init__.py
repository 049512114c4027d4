"""Code-execution backends (imported as ``pot.executors``).

The records, limits and sandbox settings are imported with the package; the
executors, the pool and the spec parser load the kernel transports (zmq,
tornado, jupyter-client) and are imported on first use, so modules that only
need the records (``pot.trace``) stay cheap to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
from pot.executors.limits import OutputLimits, ResourceLimits
from pot.executors.sandbox import Isolation, Sandbox, SandboxUnavailableError

if TYPE_CHECKING:
    from pot.executors.gateway import GatewayExecutor
    from pot.executors.gateway_wire import GatewayAuthError, GatewayError, GatewayUnavailableError
    from pot.executors.jupyter import JupyterExecutor
    from pot.executors.pool import KernelPool, OnDemand
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

# Names whose modules import the kernel transports: loaded on first use.
_LAZY = {
    "GatewayExecutor": "pot.executors.gateway",
    "GatewayAuthError": "pot.executors.gateway_wire",
    "GatewayError": "pot.executors.gateway_wire",
    "GatewayUnavailableError": "pot.executors.gateway_wire",
    "JupyterExecutor": "pot.executors.jupyter",
    "KernelPool": "pot.executors.pool",
    "OnDemand": "pot.executors.pool",
    "ExecutorSpecError": "pot.executors.spec",
    "executor_factory": "pot.executors.spec",
    "make_pool": "pot.executors.spec",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pot.executors' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
