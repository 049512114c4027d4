"""Watching a reply as it is written: tokens so far and the latest text, token by token.

A front end that wants to show progress wraps its model calls in :func:`watching`;
a model that can report it (:class:`~pot.models.llamacpp.LlamaCppModel`,
:class:`~pot.models.transformers.TransformersModel` with continuous batching) reads
:func:`current_watcher` when ``generate`` is called and, while the caller waits for
the reply, calls the watcher in the caller's own thread every :data:`POLL_SECONDS`
with each row that wrote new tokens (:func:`wait_watching`), so a front end can
update its display without locks (a notebook's output is only safe to update from the
cell's thread). A watcher must be quick; an exception it raises is logged and the
watcher is dropped for that call, never the generation. Models that cannot report
progress (servers, scripted replies) simply never call it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

log = logging.getLogger(__name__)

TAIL_CHARS = 200
"""At most this much of the reply's end is passed to a watcher."""

POLL_SECONDS = 0.2
"""How often a waiting caller looks at its rows and tells its watcher."""


@dataclass(frozen=True)
class Progress:
    """One row of a ``generate`` call, after a new token.

    Attributes:
        conversation: Which conversation of the call.
        sample: Which of its ``config.n`` samples.
        tokens: Tokens written so far.
        tail: The end of the text written so far (up to :data:`TAIL_CHARS`).
    """

    conversation: int
    sample: int
    tokens: int
    tail: str

    @property
    def last_line(self) -> str:
        """The line being written (or the last non-empty one), stripped."""
        lines = [line.strip() for line in self.tail.splitlines() if line.strip()]
        return lines[-1] if lines else ""


Watcher = Callable[[Progress], None]

_watcher: ContextVar[Watcher | None] = ContextVar("pot_progress_watcher", default=None)


@contextmanager
def watching(watcher: Watcher | None) -> Iterator[None]:
    """Model calls made in this block (and in tasks and threads started from its
    context, e.g. ``asyncio.to_thread``) report their progress to ``watcher``."""
    token = _watcher.set(watcher)
    try:
        yield
    finally:
        try:
            _watcher.reset(token)
        except ValueError:  # an async generator closed from another task's context
            _watcher.set(None)


def current_watcher() -> Watcher | None:
    """The watcher of the calling context, wrapped so it can never break a generation."""
    watcher = _watcher.get()
    if watcher is None:
        return None
    return _Guarded(watcher)


class _Guarded:
    """Calls a watcher until it first raises, then stops calling it."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher: Watcher | None = watcher

    def __call__(self, progress: Progress) -> None:
        if self.watcher is None:
            return
        try:
            self.watcher(progress)
        except Exception:  # a display bug must not cost the reply
            log.debug("a progress watcher failed; it is no longer called", exc_info=True)
            self.watcher = None


def wait_watching(
    done: threading.Event, watch: Watcher | None, rows: Callable[[], list[Progress]]
) -> None:
    """Wait for ``done``; meanwhile tell ``watch`` of every row that wrote new tokens.

    Args:
        done: Set when the reply is complete.
        watch: The watcher (None: just wait).
        rows: The rows' progress now, read from the decoding thread's state (it must
            only read: list and bytearray slices are safe to take while another
            thread appends).
    """
    if watch is None:
        done.wait()
        return
    seen: dict[tuple[int, int], int] = {}
    while not done.wait(POLL_SECONDS):
        for progress in rows():
            key = (progress.conversation, progress.sample)
            if progress.tokens and seen.get(key) != progress.tokens:
                seen[key] = progress.tokens
                watch(progress)
