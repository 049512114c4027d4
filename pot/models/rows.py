"""What both continuous-batching engines share: calls, rows, the worker loop, the exit hook.

:class:`~pot.models.continuous.ContinuousBatcher` (transformers) and
:class:`~pot.models.llama_batch.LlamaBatcher` (llama.cpp) each keep one worker
thread that owns the model. A call's rows wait in ``_pending``, join the running
batch between decoding steps and leave it as each finishes; the caller is woken
when its last row is done. An engine says how many more rows fit (``_room``), how
new rows are prefilled (``_admit``), how one step decodes (``_step``) and what it
drops when a step fails (``_reset``); the rest is here. Nothing here imports torch
or numpy: each engine keeps its own arrays and its own sampling.
"""

from __future__ import annotations

import atexit
import functools
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pot.models.base import Generation, GenerationConfig, ModelError, StopReason
from pot.models.progress import Progress, current_watcher, wait_watching
from pot.models.stops import cut_at_stop

PromptT = TypeVar("PromptT")
"""A prompt's token ids: a list (llama.cpp) or a 1-D tensor (transformers)."""


@dataclass(eq=False)
class Request(Generic[PromptT]):
    """One ``generate`` call: its prompts and what its rows have produced so far."""

    prompts: list[PromptT]
    config: GenerationConfig
    results: list[list[Generation | None]]
    remaining: int
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    cancelled: bool = False
    watched: bool = False
    """A watcher waits on it (the transformers engine then keeps its rows' ``tail``)."""
    rows: list[Row[PromptT]] = field(default_factory=list)
    """Its rows once admitted (read by the waiting caller for progress)."""


@dataclass(eq=False)
class Row(Generic[PromptT]):
    """One sample of one prompt of a call, from its admission until it leaves the batch.

    An engine's row adds what it keeps per row (a slot, a random generator, text).
    """

    request: Request[PromptT]
    conversation: int
    sample: int
    started: float
    tokens: list[int] = field(default_factory=list, kw_only=True)
    """Chosen tokens; the last one is not in the cache yet."""
    finished: StopReason | None = field(default=None, kw_only=True)

    @property
    def prompt(self) -> PromptT:
        """The token ids of the row's prompt."""
        return self.request.prompts[self.conversation]

    def progress(self) -> Progress:
        """How far the row is (read from the caller's thread)."""
        raise NotImplementedError


RowT = TypeVar("RowT", bound=Row[Any])


class RowBatcher(Generic[RowT]):
    """Rows from calls in many threads, decoded by one worker thread that starts with the
    first call and ends when nothing is left to do.

    An engine implements ``_room``, ``_admit``, ``_step`` and ``_reset``, and calls
    ``super().__init__()`` at the end of its own.
    """

    thread_name = "pot-batch"
    """The worker thread's name."""
    closed_message = "the model was closed"
    """What a call made after :meth:`close` is told."""

    def __init__(self) -> None:
        self.steps_run = 0
        self.most_rows = 0
        """The largest batch decoded so far (how much merging happened)."""
        self._lock = threading.Lock()
        self._pending: list[Request[Any]] = []
        self._worker: threading.Thread | None = None
        self._rows: list[RowT] = []
        self._closing = False
        _open.add(self)

    def close(self, timeout: float = 30.0) -> None:
        """Stop the worker (calls still running fail) and wait for it to end.

        Called for every batcher at interpreter exit: a daemon thread still inside
        torch when the interpreter finalizes aborts the process ("terminate called
        without an active exception", exit status 134).
        """
        with self._lock:
            self._closing = True
            worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def _run(self, prompts: list[Any], config: GenerationConfig) -> list[list[Generation]]:
        """Queue a call, start the worker if none runs, wait for the call's rows (telling
        the caller's watcher how far they are) and return their generations."""
        request: Request[Any] = Request(
            prompts=prompts,
            config=config,
            results=[[None] * config.n for _ in prompts],
            remaining=len(prompts) * config.n,
        )
        watch = current_watcher()
        request.watched = watch is not None
        with self._lock:
            if self._closing:
                raise ModelError(self.closed_message)
            self._pending.append(request)
            if self._worker is None:
                _close_all_at_exit()
                self._worker = threading.Thread(
                    target=self._work, name=self.thread_name, daemon=True
                )
                self._worker.start()
        try:
            wait_watching(request.done, watch, lambda: _progress(request))
        except BaseException:  # Ctrl-C in the caller: its rows are dropped at the next step
            request.cancelled = True
            raise
        if request.error is not None:
            raise request.error
        return [[g for g in samples if g is not None] for samples in request.results]

    # -- the worker ---------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._closing:
                    self._fail(self._pending, ModelError("the model was closed"))
                    self._pending, self._worker = [], None
                    return
                admitted = self._take_pending()
                if not admitted and not self._rows:
                    self._worker = None
                    return
            try:
                if admitted:
                    self._admit(admitted)
                if self._rows:
                    self._step()
            except BaseException as error:  # every caller in the batch gets it
                self._fail(admitted, error)

    def _take_pending(self) -> list[Request[Any]]:
        """The waiting calls, in order, while their rows fit (one that does not fit goes
        alone when nothing is running); cancelled ones are dropped."""
        taken: list[Request[Any]] = []
        room = self._room()
        for request in list(self._pending):
            if request.cancelled:
                self._pending.remove(request)
                continue
            rows = len(request.prompts) * request.config.n
            if rows > room and (taken or self._rows):
                break
            taken.append(request)
            self._pending.remove(request)
            room -= rows
        return taken

    def _fail(self, admitted: list[Request[Any]], error: BaseException) -> None:
        requests = {row.request for row in self._rows} | set(admitted)
        self._rows = []
        self._reset()
        for request in requests:
            request.error = error
            request.done.set()

    def _room(self) -> int:
        """How many more rows the batch takes now."""
        raise NotImplementedError

    def _admit(self, requests: list[Request[Any]]) -> None:
        """Prefill the rows of ``requests`` and join them to the running batch."""
        raise NotImplementedError

    def _step(self) -> None:
        """Decode one token of every running row."""
        raise NotImplementedError

    def _reset(self) -> None:
        """Drop what the failed batch held (its rows are already gone)."""
        raise NotImplementedError


def deliver(row: Row[Any], text: str) -> None:
    """Hand a finished row's text to its call (cut at a stop string); wake the caller
    when it was the call's last row."""
    reason = row.finished or StopReason.LENGTH
    text, stop_string = cut_at_stop(text, row.request.config.stop)
    request = row.request
    request.results[row.conversation][row.sample] = Generation(
        text=text,
        stop_reason=StopReason.STOP if stop_string is not None else reason,
        stop_string=stop_string,
        prompt_tokens=len(row.prompt),
        completion_tokens=len(row.tokens),
        seconds=time.perf_counter() - row.started,
    )
    request.remaining -= 1
    if request.remaining == 0:
        request.done.set()


def _progress(request: Request[Any]) -> list[Progress]:
    """How far each admitted row of ``request`` is (read from the caller's thread)."""
    return [row.progress() for row in list(request.rows)]


_open: weakref.WeakSet[RowBatcher[Any]] = weakref.WeakSet()


@functools.cache
def _close_all_at_exit() -> None:
    # Registered when the first worker starts, not at import: importing pot registers nothing.
    atexit.register(_close_all)


def _close_all() -> None:
    for batcher in list(_open):
        batcher.close()
