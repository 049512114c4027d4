"""One background asyncio loop that owns every kernel connection of this process.

Kernel sockets live on this loop; the blocking API hands coroutines to it
(``run_coroutine_threadsafe``) and the asyncio API awaits them through
``asyncio.wrap_future``. So both work from any thread and from inside a running
event loop (a notebook), and no signal handler is ever needed in the parent.
The thread starts on first use, never at import time.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def kernel_loop() -> asyncio.AbstractEventLoop:
    """Return the shared kernel I/O loop, starting its thread on first use."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def serve() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            threading.Thread(target=serve, name="pot-kernel-loop", daemon=True).start()
            ready.wait()
            _loop = loop
        return _loop


def started_kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The kernel loop if its thread has started (None: nothing started it yet)."""
    with _lock:
        return _loop if _loop is not None and not _loop.is_closed() else None


def call_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the kernel loop and wait for its result (any thread)."""
    loop = kernel_loop()
    if _running_loop() is loop:
        coroutine.close()
        raise RuntimeError("blocking executor call made from the kernel loop itself")
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result()


async def call_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Await ``coroutine`` on the kernel loop from any other event loop."""
    loop = kernel_loop()
    if _running_loop() is loop:
        return await coroutine
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, loop))


def blocking(method: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """The blocking twin of an asyncio method, in one line (as nbclient's ``run_sync``):
    ``run = blocking(arun)`` runs ``arun`` on the kernel loop and waits for it, from
    any thread, also inside a running event loop (a notebook)."""

    @functools.wraps(method)
    def twin(*args: P.args, **kwargs: P.kwargs) -> T:
        return call_blocking(method(*args, **kwargs))

    twin.__name__ = twin.__qualname__ = method.__name__.removeprefix("a")
    return twin


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
