"""Hot spares: kernel processes started in the background, set up and preloaded, so
that replacing a kernel is a swap rather than a start."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from pot.executors.kernel_process import KernelProcess


class Spares:
    """Keeps ``count`` ready kernel processes, refilled in the background.

    One ``Spares`` may serve several executors of the same settings (a
    :class:`~pot.executors.KernelPool` shares one among its kernels). Only used on
    the kernel loop.

    Args:
        launch: Starts and sets up one kernel process.
        count: Spares kept ready (0: every replacement starts one on demand).
    """

    def __init__(self, launch: Callable[[], Awaitable[KernelProcess]], count: int = 1) -> None:
        if count < 0:
            raise ValueError(f"spares must be 0 or more, got {count}")
        self.count = count
        self._launch = launch
        self._ready: asyncio.Queue[KernelProcess | BaseException] = asyncio.Queue()
        self._starting: set[asyncio.Task[None]] = set()
        self._waiting = 0
        self._closed = False

    @property
    def ready(self) -> int:
        """Spares ready now."""
        return self._ready.qsize()

    def fill(self) -> None:
        """Start spares until ``count`` (plus one per waiting taker) are ready or starting."""
        if self._closed:
            return
        while self._ready.qsize() + len(self._starting) < self.count + self._waiting:
            task = asyncio.ensure_future(self._start_one())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def take(self) -> KernelProcess:
        """A ready kernel process: a spare if one is ready, else the next to finish.

        Raises:
            KernelStartError: The kernel it waited for could not start.
        """
        self._waiting += 1
        try:
            self.fill()
            item = await self._ready.get()
        finally:
            self._waiting -= 1
        self.fill()
        if isinstance(item, BaseException):
            raise item
        return item

    async def close(self) -> None:
        """Stop starting spares and discard the ready ones."""
        self._closed = True
        for task in list(self._starting):
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*self._starting, return_exceptions=True)
        while not self._ready.empty():
            item = self._ready.get_nowait()
            if isinstance(item, KernelProcess):
                await item.discard()

    async def _start_one(self) -> None:
        try:
            process = await self._launch()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # a waiting taker gets the error; with no taker it waits in the queue
            # for the next one, which then tries again
            self._ready.put_nowait(error)
            return
        if self._closed:
            await process.discard()
            return
        self._ready.put_nowait(process)
