"""One setting that names where kernels run, shared by every front end.

``local``       a local kernel, in the bubblewrap sandbox where it works (the default)
``sandbox``     a local kernel that must be sandboxed (refuses to run otherwise)
``unconfined``  a local kernel without the sandbox (pot's hygiene only)
``gateway:URL`` a kernel served by a Jupyter Kernel Gateway or Enterprise Gateway
                (token from ``POT_GATEWAY_TOKEN``); ``gateway`` alone reads the URL
                from ``POT_GATEWAY_URL``
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from pot.executors.base import ExecutorError, Reuse
from pot.executors.gateway import GatewayExecutor
from pot.executors.jupyter import JupyterExecutor
from pot.executors.pool import KernelPool, PoolableExecutor
from pot.executors.sandbox import Sandbox

ENVIRONMENT_VARIABLE = "POT_EXECUTOR"
LOCAL_MODES = {"local": "auto", "sandbox": "bwrap", "unconfined": "none"}


class ExecutorSpecError(ExecutorError, ValueError):
    """An executor setting that pot does not understand."""


def executor_factory(spec: str | None = None, **options: Any) -> Callable[[], PoolableExecutor]:
    """A function that builds one (not yet started) executor for ``spec``.

    Args:
        spec: See the module docstring; default ``$POT_EXECUTOR`` or ``local``.
        **options: Passed to the executor (``timeout``, ``preload``...).
    """
    kind, where = parse_executor(spec)
    if kind == "gateway":
        return lambda: GatewayExecutor(where, **options)
    sandbox = Sandbox(mode=where)
    return lambda: JupyterExecutor(sandbox=sandbox, **options)


def executor_setting(spec: str | None = None) -> str:
    """The executor setting in force: ``spec``, else ``$POT_EXECUTOR``, else ``local``
    (the one place that default is decided)."""
    return (spec or os.environ.get(ENVIRONMENT_VARIABLE) or "local").strip()


def parse_executor(spec: str | None = None) -> tuple[str, str]:
    """``("local", sandbox mode)`` or ``("gateway", URL)`` for an executor setting.

    Args:
        spec: See the module docstring; default ``$POT_EXECUTOR`` or ``local``.

    Raises:
        ExecutorSpecError: A setting pot does not understand, or a gateway without a URL.
    """
    spec = executor_setting(spec)
    kind, _, rest = spec.partition(":")
    if kind in LOCAL_MODES and not rest:
        return "local", LOCAL_MODES[kind]
    if kind == "gateway":
        url = rest or os.environ.get("POT_GATEWAY_URL", "")
        if not url.startswith(("http://", "https://")):
            raise ExecutorSpecError(
                f"executor {spec!r}: give the gateway's address, e.g. "
                "gateway:http://127.0.0.1:8888 (or set POT_GATEWAY_URL)"
            )
        return "gateway", url
    raise ExecutorSpecError(
        f"unknown executor {spec!r}: use local, sandbox, unconfined or gateway:URL"
    )


def make_pool(
    spec: str | None = None,
    size: int = 1,
    *,
    reuse: Reuse = "fresh",
    spares: int = 1,
    **options: Any,
) -> KernelPool:
    """A (not yet started) pool of ``size`` executors for ``spec``.

    ``reuse`` and ``spares`` are :class:`~pot.executors.KernelPool`'s; local kernels
    also reset (between self-consistency samples) the way ``reuse`` says.
    """
    kind, _ = parse_executor(spec)
    if kind == "local":
        options["reuse"] = reuse
    return KernelPool(
        size=size, factory=executor_factory(spec, **options), reuse=reuse, spares=spares
    )
