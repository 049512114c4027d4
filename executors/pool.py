"""KernelPool: warm kernels, lent and returned, reset before they are lent again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Protocol

from pot.executors.base import AsyncExecutor, Executor, ExecutorClosedError
from pot.executors.jupyter import JupyterExecutor
from pot.executors.loop_thread import call_async, call_blocking, kernel_loop


class PoolableExecutor(Executor, AsyncExecutor, Protocol):
    """What a pool lends: an executor with both the blocking and the asyncio API
    (``JupyterExecutor``, ``GatewayExecutor``)."""


class KernelPool:
    """``size`` kernels started concurrently and kept warm.

    ``with pool.lend() as executor`` (any thread) or ``async with pool.alend()``
    waits for a free kernel and gives it back on exit; a returned kernel is reset
    (namespace cleared, working folder emptied, or restarted if it died) in the
    background before it is lent again, so lending itself costs microseconds.

    Args:
        size: Number of kernels.
        factory: Builds one (not yet started) executor; the default is
            ``JupyterExecutor(**options)``; e.g. ``lambda: GatewayExecutor(url)``
            for remote kernels.
        **options: Passed to ``JupyterExecutor`` when no factory is given,
            e.g. ``preload="import math, sympy"``, ``timeout=10``.
    """

    def __init__(
        self,
        size: int = 2,
        factory: Callable[[], PoolableExecutor] | None = None,
        **options: object,
    ) -> None:
        if size < 1:
            raise ValueError(f"KernelPool size must be at least 1, got {size}")
        self.size = size
        self._factory = factory or (lambda: JupyterExecutor(**options))  # type: ignore[arg-type]
        self._all: list[PoolableExecutor] = []
        self._idle: asyncio.Queue[PoolableExecutor] | None = None
        self._recycling: set[asyncio.Task[None]] = set()
        self._closed = False

    def start(self) -> None:
        """Start every kernel (concurrently) and wait until all are ready."""
        call_blocking(self._start())

    async def astart(self) -> None:
        await call_async(self._start())

    def shutdown(self) -> None:
        """Stop every kernel."""
        call_blocking(self._shutdown())

    async def ashutdown(self) -> None:
        await call_async(self._shutdown())

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
            self._give_back(executor)

    @contextlib.asynccontextmanager
    async def alend(self, timeout: float | None = None) -> AsyncIterator[PoolableExecutor]:
        """Borrow a kernel in asyncio."""
        executor = await call_async(self._take(timeout))
        try:
            yield executor
        finally:
            self._give_back(executor)

    # -- on the kernel loop -----------------------------------------------------------

    async def _start(self) -> None:
        if self._idle is not None:
            return
        self._idle = asyncio.Queue()
        self._all = [self._factory() for _ in range(self.size)]
        results = await asyncio.gather(
            *(executor.astart() for executor in self._all), return_exceptions=True
        )
        failures = [result for result in results if isinstance(result, BaseException)]
        if failures:
            await self._shutdown()
            raise failures[0]
        for executor in self._all:
            self._idle.put_nowait(executor)

    async def _take(self, timeout: float | None) -> PoolableExecutor:
        if self._idle is None or self._closed:
            raise ExecutorClosedError("KernelPool is not started: call start() first")
        return await asyncio.wait_for(self._idle.get(), timeout)

    def _give_back(self, executor: PoolableExecutor) -> None:
        loop = kernel_loop()
        loop.call_soon_threadsafe(self._schedule_recycle, executor)

    def _schedule_recycle(self, executor: PoolableExecutor) -> None:
        task = asyncio.ensure_future(self._recycle(executor))
        self._recycling.add(task)
        task.add_done_callback(self._recycling.discard)

    async def _recycle(self, executor: PoolableExecutor) -> None:
        if self._closed or self._idle is None:
            return
        try:
            await executor.areset()
        except Exception:
            # A kernel that cannot be reset is replaced by a fresh one.
            await executor.ashutdown()
            index = self._all.index(executor)
            executor = self._factory()
            self._all[index] = executor
            await executor.astart()
        self._idle.put_nowait(executor)

    async def _shutdown(self) -> None:
        self._closed = True
        for task in list(self._recycling):
            task.cancel()
        await asyncio.gather(
            *(executor.ashutdown() for executor in self._all), return_exceptions=True
        )
        self._all = []
