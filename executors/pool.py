"""KernelPool: warm kernels, lent and returned, made fresh before they are lent again."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Protocol

from pot.executors.base import (
    REUSE_MODES,
    AsyncExecutor,
    ExecutionResult,
    Executor,
    ExecutorClosedError,
    Reuse,
)
from pot.executors.jupyter import JupyterExecutor
from pot.executors.loop_thread import blocking, call_async, call_blocking, kernel_loop
from pot.executors.spares import Spares


class PoolableExecutor(Executor, AsyncExecutor, Protocol):
    """What a pool lends: an executor with both the blocking and the asyncio API
    (``JupyterExecutor``, ``GatewayExecutor``)."""


class KernelPool:
    """``size`` kernels started concurrently and kept warm.

    ``with pool.lend() as executor`` (any thread) or ``async with pool.alend()``
    waits for a free kernel and gives it back on exit. What happens to a returned
    kernel before it is lent again, in the background, depends on ``reuse``:

    - ``"fresh"`` (the default): it is discarded, every process it started killed
      and its folders deleted, and the executor continues in a hot spare (a kernel
      started in the background with the preload done). Nothing one problem did
      reaches the next: each problem gets a new interpreter.
    - ``"reset"``: its namespace is cleared and its working folder emptied (it is
      replaced only if it died). Cheaper, but only for trusted code: IPython hooks,
      patched modules, threads and ``os.environ`` survive a reset.

    Args:
        size: Number of kernels lent at once.
        factory: Builds one (not yet started) executor; the default is
            ``JupyterExecutor(reuse=reuse, **options)``; e.g.
            ``lambda: GatewayExecutor(url)`` for remote kernels (made fresh by
            starting a new remote kernel).
        reuse: ``"fresh"`` or ``"reset"``, see above.
        spares: Local kernels kept started beside the ``size`` lent ones, shared by
            all of them: for fresh kernels between problems, and for replacing a
            kernel that died or ignored an interrupt.
        **options: Passed to ``JupyterExecutor`` when no factory is given,
            e.g. ``preload="import math, sympy"``, ``timeout=10``.
    """

    def __init__(
        self,
        size: int = 2,
        factory: Callable[[], PoolableExecutor] | None = None,
        *,
        reuse: Reuse = "fresh",
        spares: int = 1,
        **options: object,
    ) -> None:
        if size < 1:
            raise ValueError(f"KernelPool size must be at least 1, got {size}")
        if reuse not in REUSE_MODES:
            raise ValueError(f"reuse must be 'fresh' or 'reset', got {reuse!r}")
        if spares < 0:
            raise ValueError(f"spares must be 0 or more, got {spares}")
        self.size = size
        self.reuse: Reuse = reuse
        self.spares = spares
        self._factory = factory or (
            lambda: JupyterExecutor(reuse=reuse, **options)  # type: ignore[arg-type]
        )
        self._all: list[PoolableExecutor] = []
        self._idle: asyncio.Queue[PoolableExecutor] | None = None
        self._recycling: set[asyncio.Task[None]] = set()
        self._shared_spares: Spares | None = None
        self._closed = False

    async def astart(self) -> None:
        """Start every kernel (concurrently) and wait until all are ready."""
        await call_async(self._start())

    async def ashutdown(self) -> None:
        """Stop every kernel."""
        await call_async(self._shutdown())

    start = blocking(astart)
    shutdown = blocking(ashutdown)

    def __enter__(self) -> KernelPool:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    async def __aenter__(self) -> KernelPool:
        await self.astart()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.ashutdown()

    @contextlib.contextmanager
    def lend(self, timeout: float | None = None) -> Iterator[PoolableExecutor]:
        """Borrow a kernel (blocking until one is free, at most ``timeout`` s)."""
        executor = call_blocking(self._take(timeout))
        try:
            yield executor
        finally:
            self.give_back(executor)

    @contextlib.asynccontextmanager
    async def alend(self, timeout: float | None = None) -> AsyncIterator[PoolableExecutor]:
        """Borrow a kernel in asyncio."""
        executor = await self.aborrow(timeout)
        try:
            yield executor
        finally:
            self.give_back(executor)

    async def aborrow(self, timeout: float | None = None) -> PoolableExecutor:
        """Take a kernel (waiting at most ``timeout`` s); hand it back with :meth:`give_back`."""
        return await call_async(self._take(timeout))

    def give_back(self, executor: PoolableExecutor) -> None:
        """Return a borrowed kernel; it is reset in the background (any thread)."""
        kernel_loop().call_soon_threadsafe(self._schedule_recycle, executor)

    async def asettle(self) -> None:
        """Wait until every kernel given back so far is ready to be lent again."""
        await call_async(self._settle())

    settle = blocking(asettle)

    def on_demand(self, timeout: float | None = None) -> OnDemand:
        """An executor that borrows a kernel at its first run and returns it at ``release()``.

        Problems waiting for the model hold no kernel, so many more problems than
        kernels can be in flight (``pot eval --concurrency 256 --kernels 16``).
        """
        return OnDemand(self, timeout)

    # -- on the kernel loop -----------------------------------------------------------

    async def _start(self) -> None:
        if self._idle is not None:
            return
        self._idle = asyncio.Queue()
        self._all = [self._factory() for _ in range(self.size)]
        first = self._all[0]
        if isinstance(first, JupyterExecutor):
            self._shared_spares = first.new_spares(self.spares)
        for executor in self._all:
            self._share_spares(executor)
        results = await asyncio.gather(
            *(executor.astart() for executor in self._all), return_exceptions=True
        )
        failures = [result for result in results if isinstance(result, BaseException)]
        if failures:
            await self._shutdown()
            raise failures[0]
        for executor in self._all:
            self._idle.put_nowait(executor)

    def _share_spares(self, executor: PoolableExecutor) -> None:
        if self._shared_spares is not None and isinstance(executor, JupyterExecutor):
            executor.use_spares(self._shared_spares)

    async def _take(self, timeout: float | None) -> PoolableExecutor:
        if self._idle is None or self._closed:
            raise ExecutorClosedError("KernelPool is not started: call start() first")
        executor = await asyncio.wait_for(self._idle.get(), timeout)
        if not getattr(executor, "started", True):
            # A replacement that could not start earlier: try again now, and on
            # failure keep the slot and give the borrower the start error.
            try:
                await executor.astart()
            except BaseException:
                self._idle.put_nowait(executor)
                raise
        return executor

    async def _settle(self) -> None:
        while self._recycling:
            await asyncio.gather(*self._recycling, return_exceptions=True)

    def _schedule_recycle(self, executor: PoolableExecutor) -> None:
        task = asyncio.ensure_future(self._recycle(executor))
        self._recycling.add(task)
        task.add_done_callback(self._recycling.discard)

    async def _recycle(self, executor: PoolableExecutor) -> None:
        if self._closed or self._idle is None:
            return
        try:
            if self.reuse == "reset":
                await executor.areset()
            elif isinstance(executor, JupyterExecutor):
                await executor.areplace()
            else:  # a remote kernel: a new one for the next problem
                executor = await self._rebuild(executor)
        except Exception:
            executor = await self._rebuild(executor)
        if self._closed:  # shut down meanwhile: the new kernel goes too
            await executor.ashutdown()
            return
        self._idle.put_nowait(executor)

    async def _rebuild(self, executor: PoolableExecutor) -> PoolableExecutor:
        """Shut ``executor`` down and build a new one in its slot.

        If the new one cannot start (a gateway that went away), the unstarted one
        still takes the slot: its borrower gets a clear error and the next recycle
        tries again, so the pool never shrinks or waits forever.
        """
        with contextlib.suppress(Exception):
            await executor.ashutdown()
        index = self._all.index(executor)
        executor = self._factory()
        self._share_spares(executor)
        self._all[index] = executor
        with contextlib.suppress(Exception):
            await executor.astart()
        return executor

    async def _shutdown(self) -> None:
        self._closed = True
        for task in list(self._recycling):
            task.cancel()
        await asyncio.gather(*self._recycling, return_exceptions=True)
        await asyncio.gather(
            *(executor.ashutdown() for executor in self._all), return_exceptions=True
        )
        self._all = []
        spares, self._shared_spares = self._shared_spares, None
        if spares is not None:
            await spares.close()


class OnDemand:
    """An executor lent by a :class:`KernelPool` only while code runs.

    The first ``run``/``arun`` borrows a kernel, which the object keeps (the
    namespace persists between steps) until :meth:`release`.
    A ``reset`` before any run is free: borrowed kernels are already fresh.

    Attributes:
        waited: Seconds spent waiting for a free kernel.
    """

    def __init__(self, pool: KernelPool, timeout: float | None = None) -> None:
        self.pool = pool
        self.timeout = timeout
        self.waited = 0.0
        self._lent: PoolableExecutor | None = None

    async def _borrow(self) -> PoolableExecutor:
        if self._lent is None:
            began = time.perf_counter()
            self._lent = await self.pool.aborrow(self.timeout)
            self.waited += time.perf_counter() - began
        return self._lent

    async def astart(self) -> None:
        """Nothing to start: the first run borrows a kernel."""

    async def arun(self, code: str, timeout: float | None = None) -> ExecutionResult:
        """Run ``code`` on the borrowed kernel (borrowing one first, waiting if need be)."""
        return await (await self._borrow()).arun(code, timeout)

    async def areset(self) -> None:
        """Reset the borrowed kernel's namespace (nothing to do before the first run)."""
        if self._lent is not None:
            await self._lent.areset()

    async def ainterrupt(self) -> None:
        """Interrupt the code running on the borrowed kernel, if any."""
        if self._lent is not None:
            await self._lent.ainterrupt()

    async def ashutdown(self) -> None:
        """Give the kernel back (see :meth:`release`)."""
        self.release()

    start = blocking(astart)
    run = blocking(arun)
    reset = blocking(areset)
    interrupt = blocking(ainterrupt)
    shutdown = blocking(ashutdown)

    def release(self) -> None:
        """Give the kernel back to the pool (no-op when none was borrowed)."""
        lent, self._lent = self._lent, None
        if lent is not None:
            self.pool.give_back(lent)

    def __enter__(self) -> OnDemand:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    async def __aenter__(self) -> OnDemand:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release()
