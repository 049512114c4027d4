"""Awaiting any model: ``agenerate`` where it exists, daemon threads where it does not.

The asyncio evaluation runner awaits an ``OpenAIModel`` directly. A blocking model
(``TransformersModel``, ``ScriptedModel``) runs on threads of its own, one per
problem in flight, so a ``TransformersModel`` sees all their conversations at once
and batches them. The threads are daemon threads: Ctrl-C does not wait for a
generation that is still running (a ``ThreadPoolExecutor`` would, at exit).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from contextlib import asynccontextmanager
from typing import Any

from pot.models.base import AsyncModel, Conversation, Generation, GenerationConfig, Model

_Job = tuple[Callable[..., Any], tuple[Any, ...], "Future[Any]"] | None


class DaemonThreads:
    """A fixed set of daemon threads that run submitted calls."""

    def __init__(self, size: int, name: str = "pot-model") -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{index}", daemon=True)
            for index in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((function, args, future))
        return future

    def shutdown(self) -> None:
        """Stop the threads once their current call returns (never waits for it)."""
        for _ in self._threads:
            self._jobs.put(None)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            function, args, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as error:  # handed to the awaiting task
                future.set_exception(error)


class ThreadedModel:
    """A blocking model that can be awaited (``agenerate`` on :class:`DaemonThreads`)."""

    def __init__(self, model: Model, threads: DaemonThreads) -> None:
        self.model = model
        self.name = str(getattr(model, "name", type(model).__name__))
        self._threads = threads

    def generate(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]:
        return self.model.generate(conversations, config)

    async def agenerate(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]:
        future = self._threads.submit(self.model.generate, conversations, config)
        result: list[list[Generation]] = await asyncio.wrap_future(future)
        return result


@asynccontextmanager
async def awaitable_model(model: Model, threads: int) -> AsyncIterator[Model]:
    """``model`` itself when it has ``agenerate`` (closed with ``aclose`` at the end),
    else a :class:`ThreadedModel` on ``threads`` daemon threads."""
    if isinstance(model, AsyncModel):
        try:
            yield model
        finally:
            close = getattr(model, "aclose", None)
            if close is not None:
                await close()
        return
    pool = DaemonThreads(threads)
    try:
        yield ThreadedModel(model, pool)
    finally:
        pool.shutdown()
