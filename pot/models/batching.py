"""Merge ``generate`` calls made at the same time from several threads into one batch.

An evaluation keeps C problems in flight in C threads; each thread calls
``generate`` with its own conversation. :class:`BatchCollector` lets the first
caller that finds the model idle become the runner: it waits a short window
for other calls, takes every waiting call whose settings match the first one,
runs them as one batch and hands each caller its rows. Callers that arrive
while a batch runs wait and form the next batch. There is no background
thread, so nothing outlives the callers.

Calls that sample with a seed are never merged: their samples would depend on
what else was in the batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pot.models.base import Conversation, Generation, GenerationConfig

BatchRunner = Callable[[list[Conversation], GenerationConfig], list[list[Generation]]]


@dataclass(eq=False)
class _Request:
    conversations: list[Conversation]
    config: GenerationConfig
    done: bool = False
    result: list[list[Generation]] = field(default_factory=list)
    error: BaseException | None = None

    @property
    def key(self) -> str:
        return self.config.model_dump_json()

    @property
    def mergeable(self) -> bool:
        return not (self.config.seed is not None and self.config.temperature > 0)


class BatchCollector:
    """Run concurrent ``generate`` calls as merged batches, one batch at a time.

    Args:
        run_batch: Generates for one batch (the model's unmerged ``generate``).
        window: Seconds the runner waits for more calls before starting a batch.
        max_batch: Most conversations in one merged batch.
    """

    def __init__(self, run_batch: BatchRunner, window: float = 0.02, max_batch: int = 32) -> None:
        self._run_batch = run_batch
        self.window = window
        self.max_batch = max_batch
        self._pending: list[_Request] = []
        self._busy = False
        self._condition = threading.Condition()
        self.batches_run = 0

    def submit(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]:
        """Generate for ``conversations``, merged with whatever other threads submit now.

        Returns:
            The same as the runner would for these conversations alone.
        """
        request = _Request(list(conversations), config)
        with self._condition:
            self._pending.append(request)
        while True:
            with self._condition:
                while self._busy and not request.done:
                    self._condition.wait()
                if request.done:
                    break
                self._busy = True
            try:
                self._run_one_batch()
            finally:
                with self._condition:
                    self._busy = False
                    self._condition.notify_all()
        if request.error is not None:
            raise request.error
        return request.result

    def _run_one_batch(self) -> None:
        deadline = time.monotonic() + self.window
        while time.monotonic() < deadline:
            with self._condition:
                if sum(len(r.conversations) for r in self._pending) >= self.max_batch:
                    break
            time.sleep(min(0.002, max(0.0, deadline - time.monotonic())))
        with self._condition:
            group = self._take_group()
        conversations = [c for request in group for c in request.conversations]
        try:
            results = self._run_batch(conversations, group[0].config)
        except BaseException as error:  # handed to every caller of the batch
            for request in group:
                request.error, request.done = error, True
            return
        start = 0
        for request in group:
            request.result = results[start : start + len(request.conversations)]
            start += len(request.conversations)
            request.done = True
        self.batches_run += 1

    def _take_group(self) -> list[_Request]:
        first = self._pending[0]
        group, rows = [first], len(first.conversations)
        if first.mergeable:
            for request in self._pending[1:]:
                fits = rows + len(request.conversations) <= self.max_batch
                if request.mergeable and request.key == first.key and fits:
                    group.append(request)
                    rows += len(request.conversations)
        self._pending = [request for request in self._pending if request not in group]
        return group
