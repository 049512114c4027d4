"""The status line a front end shows while the model writes a step.

``pot solve`` and ``%%pot`` show ``qwen2.5-coder-1.5b is writing step 2... 57 tokens:
total = price * 27`` and update it as the reply grows (fed by
:mod:`pot.models.progress`, in the front end's own thread); models that report no
progress (servers, scripted replies) leave it at ``... is writing step 2...``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pot.executors.collect import clean_text
from pot.models.progress import Progress, Watcher

Show = Callable[[str], object]

LINE_CHARS = 60
"""The line being written is cut to this many characters."""


class WritingStatus:
    """What the model is writing now: the step, its tokens so far and its latest line.

    Args:
        name: The model's name, as the status line shows it.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.step = 1
        self.tokens: dict[tuple[int, int], int] = {}
        self.line = ""

    def next_step(self) -> None:
        """A step was shown; the next reply starts."""
        self.step += 1
        self.tokens.clear()
        self.line = ""

    def seen(self, progress: Progress) -> None:
        """Take one row's progress (a :data:`pot.models.progress.Watcher`)."""
        self.tokens[(progress.conversation, progress.sample)] = progress.tokens
        if progress.last_line:
            self.line = progress.last_line

    def text(self) -> str:
        """The status line, plain text (escape it for rich markup)."""
        return f"{self.name} {self.doing()}"

    def doing(self) -> str:
        """The status line without the model's name: ``is writing step 2... 57 tokens: ...``
        (a chat's typing indicator puts the persona's name before it)."""
        status = f"is writing step {self.step}..."
        tokens = sum(self.tokens.values())
        if not tokens:
            return status
        rows = len(self.tokens)
        status += f" {tokens} tokens" + (f" in {rows} samples" if rows > 1 else "")
        line = clean_text(self.line)
        if line:
            status += ": " + (line if len(line) <= LINE_CHARS else line[: LINE_CHARS - 1] + "…")
        return status


def loop_watcher(loop: asyncio.AbstractEventLoop, writing: WritingStatus, show: Show) -> Watcher:
    """A watcher for an asyncio front end (the persona): progress arrives in the thread
    that waits on the model, and ``show(writing.doing())`` runs on ``loop``."""

    def watch(progress: Progress) -> None:
        writing.seen(progress)
        loop.call_soon_threadsafe(show, writing.doing())

    return watch
