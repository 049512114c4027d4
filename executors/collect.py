"""Turn Jupyter messages into an ExecutionResult, within fixed size limits."""

from __future__ import annotations

import base64
import json
import re
from collections import deque
from typing import Any

from pot.executors.base import DisplayData, ErrorInfo, ExecutionResult, KernelEvent
from pot.executors.limits import OutputLimits

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
BINARY_MIME = re.compile(r"^image/(?!svg)")


def strip_ansi(text: str) -> str:
    """Remove terminal colour and cursor codes."""
    return ANSI.sub("", text)


class CappedText:
    """Accumulates text, keeping at most ``head`` + ``tail`` characters of it."""

    def __init__(self, head: int, tail: int) -> None:
        self.head_limit = head
        self.tail_limit = tail
        self.head: list[str] = []
        self.head_size = 0
        self.tail: deque[str] = deque()
        self.tail_size = 0
        self.dropped = 0

    def add(self, text: str) -> None:
        room = self.head_limit - self.head_size
        if room > 0:
            self.head.append(text[:room])
            self.head_size += min(room, len(text))
            text = text[room:]
        if not text:
            return
        self.tail.append(text)
        self.tail_size += len(text)
        while self.tail_size > self.tail_limit and self.tail:
            excess = self.tail_size - self.tail_limit
            first = self.tail[0]
            if len(first) <= excess:
                self.tail.popleft()
                self.tail_size -= len(first)
                self.dropped += len(first)
            else:
                self.tail[0] = first[excess:]
                self.tail_size -= excess
                self.dropped += excess

    def clear(self) -> None:
        self.__init__(self.head_limit, self.tail_limit)  # type: ignore[misc]

    @property
    def truncated(self) -> bool:
        return self.dropped > 0

    def text(self) -> str:
        middle = f"\n[... pot: {self.dropped} characters omitted ...]\n" if self.dropped else ""
        return "".join(self.head) + middle + "".join(self.tail)


class Collector:
    """Collects the iopub messages of one execute request."""

    def __init__(self, limits: OutputLimits) -> None:
        self.limits = limits
        self.stdout = CappedText(limits.head_chars, limits.tail_chars)
        self.stderr = CappedText(limits.head_chars, limits.tail_chars)
        self.result: str | None = None
        self.displays: list[DisplayData] = []
        self.display_size = 0
        self.displays_dropped = False
        self.error: ErrorInfo | None = None
        self.idle = False

    def add(self, message: dict[str, Any]) -> None:
        kind = message["header"]["msg_type"]
        content = message["content"]
        if kind == "stream":
            target = self.stderr if content.get("name") == "stderr" else self.stdout
            target.add(content.get("text", ""))
        elif kind == "execute_result":
            self.result = _plain(content.get("data", {}))
        elif kind in ("display_data", "update_display_data"):
            self._add_display(content.get("data", {}))
        elif kind == "error":
            self.error = ErrorInfo(
                name=content.get("ename", "Error"),
                value=strip_ansi(content.get("evalue", "")),
                traceback=strip_ansi("\n".join(content.get("traceback", []))),
            )
        elif kind == "clear_output":
            self.stdout.clear()
            self.stderr.clear()
            self.displays.clear()
            self.display_size = 0
        elif kind == "status" and content.get("execution_state") == "idle":
            self.idle = True

    def _add_display(self, data: dict[str, Any]) -> None:
        text: dict[str, str] = {}
        blobs: dict[str, bytes] = {}
        for mime, value in data.items():
            if BINARY_MIME.match(mime) and isinstance(value, str):
                blobs[mime] = base64.b64decode(value)
            else:  # JSON-valued mime types (application/json, widgets) become text
                text[mime] = value if isinstance(value, str) else json.dumps(value)
        size = sum(map(len, text.values())) + sum(map(len, blobs.values()))
        if self.display_size + size > self.limits.display_bytes:
            self.displays_dropped = True
            return
        self.display_size += size
        self.displays.append(DisplayData(data=text, blobs=blobs))

    def finish(
        self,
        elapsed: float,
        kernel: KernelEvent = KernelEvent.OK,
        error: ErrorInfo | None = None,
    ) -> ExecutionResult:
        """Build the result; ``error`` (if given) replaces the kernel's own error."""
        return ExecutionResult(
            stdout=self.stdout.text(),
            stderr=self.stderr.text(),
            result=self.result,
            displays=self.displays,
            error=error or self.error,
            elapsed=elapsed,
            kernel=kernel,
            truncated=self.stdout.truncated
            or self.stderr.truncated
            or self.displays_dropped
            or _marked(self.stdout.text())
            or _marked(self.stderr.text()),
        )


def _plain(data: dict[str, Any]) -> str | None:
    value = data.get("text/plain")
    return value if isinstance(value, str) else None


def _marked(text: str) -> bool:
    """True when the kernel-side cap already cut this text."""
    return "[... pot: " in text
