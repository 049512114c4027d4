"""The blocking and asyncio entry points shared by pot's kernel executors.

An executor implements five coroutines that run on the kernel loop (``_start``,
``_run``, ``_reset``, ``_interrupt``, ``_shutdown``); this base class gives it the
public API: asyncio methods (``astart``, ``arun``...), their blocking twins derived
in one line each (``run = blocking(arun)``, usable from any thread), and both kinds
of context manager.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pot.executors.base import (
    ErrorInfo,
    ExecutionResult,
    ExecutorClosedError,
    KernelEvent,
    KernelStartError,
)
from pot.executors.kernel_setup import RESET_CODE
from pot.executors.loop_thread import blocking, call_async


class KernelExecutor:
    """Public executor API over the ``_``-prefixed coroutines of a subclass."""

    timeout: float
    startup_timeout: float
    preload: str
    _ipython: bool
    _lock: asyncio.Lock | None
    _running = False
    """A ``run()`` is in progress (set on the kernel loop)."""

    # -- what a subclass provides (coroutines run on the kernel loop) ------------------

    @property
    def started(self) -> bool:
        raise NotImplementedError

    def _setup_code(self, defined: bool = False) -> str:
        """pot's setup source for this kernel (IPython kernels only); ``defined``: only
        the call of the setup function an earlier setup left in the kernel."""
        raise NotImplementedError

    async def _start(self) -> None:
        raise NotImplementedError

    async def _execute(self, code: str, timeout: float, silent: bool = False) -> ExecutionResult:
        raise NotImplementedError

    async def _reset(self) -> None:
        raise NotImplementedError

    async def _interrupt(self) -> None:
        raise NotImplementedError

    async def _shutdown(self) -> None:
        raise NotImplementedError

    # -- shared by both executors -------------------------------------------------------

    async def _run(self, code: str, timeout: float) -> ExecutionResult:
        if not self.started or self._lock is None:
            raise ExecutorClosedError(f"{type(self).__name__} is not started: call start() first")
        async with self._lock:
            self._running = True
            try:
                return await self._execute(code, timeout)
            finally:
                self._running = False

    async def _prepare(self) -> None:
        """Run pot's setup (IPython kernels) and the preload in a fresh namespace."""
        if self._ipython:
            await self._silent(self._setup_code())
        if self.preload:
            await self._silent(self.preload)

    async def _renew(self, before: str = "") -> None:
        """Clear the namespace, then rerun pot's setup and the preload: ONE silent run
        (every run costs a round trip, and through a gateway several relayed messages).

        A kernel lost meanwhile was replaced, which renews it too.
        """
        setup = self._setup_code(defined=True)
        await self._silent(before + RESET_CODE + setup + (self.preload or ""), renewing=True)

    async def _silent(self, code: str, *, renewing: bool = False) -> None:
        """Run setup code; its failure is a :class:`KernelStartError`, except, when
        ``renewing``, a kernel lost and replaced meanwhile (that renewed it)."""
        result = await self._execute(code, self.startup_timeout, silent=True)
        if result.error is None or (renewing and result.kernel is not KernelEvent.OK):
            return
        raise KernelStartError(
            f"Kernel setup code failed: {result.error.name}: {result.error.value}"
        )

    # -- the API: asyncio, and its blocking twins (any thread, also in a running loop) --

    async def astart(self) -> None:
        """Start the kernel."""
        await call_async(self._start())

    async def arun(self, code: str, timeout: float | None = None) -> ExecutionResult:
        """Run ``code`` (at most ``timeout`` seconds) and return what it produced."""
        return await call_async(self._run(code, self.timeout if timeout is None else timeout))

    async def areset(self) -> None:
        """Clear the namespace and the working folder."""
        await call_async(self._reset())

    async def ainterrupt(self) -> None:
        """Interrupt the code running now, as Ctrl-C would: the running ``run()``
        returns with a ``KeyboardInterrupt`` error and the namespace is kept. With no
        ``run()`` in progress nothing is sent (a late signal could hit the next run)."""
        if self._running:
            await call_async(self._interrupt())

    async def ashutdown(self) -> None:
        """Stop the kernel and release everything it held."""
        await call_async(self._shutdown())

    start = blocking(astart)
    run = blocking(arun)
    reset = blocking(areset)
    interrupt = blocking(ainterrupt)
    shutdown = blocking(ashutdown)

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    async def __aenter__(self) -> Any:
        await self.astart()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.ashutdown()


def interrupted_error(timeout: float, traceback: str = "") -> ErrorInfo:
    """What the model is told when its code ran out of time and was interrupted."""
    return ErrorInfo(
        name="TimeoutError",
        value=f"the code ran longer than {timeout:g} s and was interrupted; "
        "variables defined before that point are kept",
        traceback=traceback,
    )


def restarted_error(timeout: float) -> ErrorInfo:
    """What the model is told when its code ignored the interrupt and lost the kernel."""
    return ErrorInfo(
        name="TimeoutError",
        value=f"the code ran longer than {timeout:g} s and ignored the interrupt; the "
        "kernel was restarted and every variable was lost",
    )
