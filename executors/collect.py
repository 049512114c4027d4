"""Turn Jupyter messages into an ExecutionResult, within fixed size limits."""

from __future__ import annotations

import base64
import json
import queue
import re
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from pot.executors.base import DisplayData, ErrorInfo, ExecutionResult, KernelEvent
from pot.executors.limits import OutputLimits

# Terminal control sequences, 7-bit (ESC ...) and 8-bit (C1 characters):
# CSI (colours, cursor, screen clears), strings ended by BEL or ST (OSC: titles,
# hyperlinks, clipboard writes with OSC 52; DCS, SOS, PM, APC; unended, only the
# introducer goes),
# and two- or three-character escapes (ESC c resets the terminal).
TERMINAL_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x20-\x3f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# What is left after that and could still steer a terminal or hide text: C0 controls
# but newline and tab, DEL, C1 controls, and the bidirectional overrides.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NEWLINES = re.compile(r"\r\n?")
BINARY_MIME = re.compile(r"^image/(?!svg)")
NAME_CHARS = 200
"""Longest exception name kept."""


def clean_text(text: str) -> str:
    """Text from a kernel made safe to show: no terminal control sequences or control
    characters (newline and tab stay; a carriage return becomes a newline), and a lone
    surrogate, which no terminal or JSON encoder accepts, written as ``\\udXXX``."""
    if text.isascii() and text.isprintable():
        return text
    text = CONTROL.sub("", TERMINAL_SEQUENCE.sub("", NEWLINES.sub("\n", text)))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def strip_ansi(text: str) -> str:
    """Former name of :func:`clean_text`."""
    return clean_text(text)


def cap(text: str, head: int, tail: int) -> str:
    """``text`` cut to its first ``head`` and last ``tail`` characters, with a marker."""
    if len(text) <= head + tail:
        return text
    dropped = len(text) - head - tail
    return f"{text[:head]}\n[... pot: {dropped} characters omitted ...]\n{text[len(text) - tail :]}"


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
    """Collects the iopub messages of one execute request.

    Whatever a kernel sends (it runs untrusted code and holds the key that signs
    messages) is taken as data: a message of the wrong shape is noted in ``stderr``
    and skipped, text is capped and cleaned of control characters in ``finish()``,
    so nothing a kernel sends can raise out of ``run()`` or reach a terminal raw.
    """

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
        self.malformed = 0

    def add(self, message: Any) -> None:
        """Take one iopub message of this request (any shape: see the class)."""
        try:
            self._add(message["header"]["msg_type"], message["content"])
        except (LookupError, TypeError, ValueError, AttributeError, RecursionError) as error:
            self.skip(error)

    def skip(self, error: BaseException) -> None:
        """Note a message that could not be decoded or had the wrong shape."""
        self.malformed += 1
        if self.malformed == 1:
            self.stderr.add(
                f"\n[pot: ignored a malformed message from the kernel ({type(error).__name__})]\n"
            )

    def _add(self, kind: str, content: dict[str, Any]) -> None:
        if kind == "stream":
            target = self.stderr if content.get("name") == "stderr" else self.stdout
            target.add(_text(content.get("text", "")))
        elif kind == "execute_result":
            self.result = _plain(content.get("data", {}))
        elif kind in ("display_data", "update_display_data"):
            self._add_display(content.get("data", {}))
        elif kind == "error":
            head, tail = self.limits.head_chars, self.limits.tail_chars
            traceback = content.get("traceback", [])
            if not isinstance(traceback, list):
                traceback = [traceback]
            self.error = ErrorInfo(
                name=clean_text(_text(content.get("ename", "Error"))[:NAME_CHARS]),
                value=clean_text(cap(_text(content.get("evalue", "")), head, tail)),
                traceback=clean_text(cap("\n".join(map(_text, traceback)), head, tail)),
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
        if "text/plain" in text:
            text["text/plain"] = clean_text(text["text/plain"])
        self.displays.append(DisplayData(data=text, blobs=blobs))

    def finish(
        self,
        elapsed: float,
        kernel: KernelEvent = KernelEvent.OK,
        error: ErrorInfo | None = None,
    ) -> ExecutionResult:
        """Build the result; ``error`` (if given) replaces the kernel's own error."""
        stdout, stderr = self.stdout.text(), self.stderr.text()
        head, tail = self.limits.head_chars, self.limits.tail_chars
        result = None if self.result is None else clean_text(cap(self.result, head, tail))
        return ExecutionResult(
            stdout=clean_text(stdout),
            stderr=clean_text(stderr),
            result=result,
            displays=self.displays,
            error=error or self.error,
            elapsed=elapsed,
            kernel=kernel,
            truncated=self.stdout.truncated
            or self.stderr.truncated
            or self.displays_dropped
            or _marked(stdout)
            or _marked(stderr)
            or len(self.result or "") > head + tail,
        )


async def receive(get: Callable[..., Awaitable[Any]], collector: Collector) -> Any:
    """The next message of a channel that has one (``get``: a client's ``get_*_msg``),
    or None when it cannot be decoded (noted in ``collector``; a kernel can send
    anything, e.g. JSON nested too deep for the parser)."""
    try:
        return await get(timeout=0)
    except queue.Empty:
        return None
    except Exception as error:
        collector.skip(error)
        return None


def parent_id(message: Any) -> str | None:
    """The id of the request a kernel message answers; None for a malformed message."""
    try:
        value = message["parent_header"].get("msg_id")
    except (LookupError, TypeError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _text(value: Any) -> str:
    """A field that should be text; anything else is shown as its (short) repr."""
    return value if isinstance(value, str) else repr(value)[:NAME_CHARS]


def _plain(data: dict[str, Any]) -> str | None:
    value = data.get("text/plain")
    return value if isinstance(value, str) else None


def _marked(text: str) -> bool:
    """True when the kernel-side cap already cut this text."""
    return "[... pot: " in text
