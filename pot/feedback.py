"""Turn what the kernel did into text the model reads next.

A small model is easily thrown by a 60-line traceback through library code,
so errors are cut to the lines about its own program plus the final error
line, and every observation is capped in size.
"""

from __future__ import annotations

import re

from pot.executors import ErrorInfo, ExecutionResult, KernelEvent
from pot.hints import error_hint

OUTPUT_LIMIT = 2000
"""Default cap, in characters, on one observation shown to the model."""

_CELL_FRAME = re.compile(r"^\s*(?:Cell In\s*\[\d*\]|Input In\s*\[\d*\]|File <[^>]+>)")
_ANY_FRAME = re.compile(r"^\s*(?:Cell In\s*\[|Input In\s*\[|File [^\n]*(?:line \d+|:\d+))")
_CELL_NAME = re.compile(r"(?:Cell|Input) In\s*\[\d*\],\s*")
_TEMP_FILE = re.compile(r"\s*\(\d+\.py, line \d+\)$")
_FINAL_LINE = re.compile(r"^\w+(Error|Exception|Exit|Interrupt)\b")
_RULE = re.compile(r"^-{20,}$")
_HEADER = re.compile(r"Traceback \(most recent call last\)")
# a single-quoted string with an apostrophe inside a word: 'He didn't know'
_APOSTROPHE = re.compile(r"'[^'\n]*[A-Za-z]'[A-Za-z]")

QUOTE_HINT = (
    "Hint: the apostrophe in a word (didn't, it's) ends a '...' string early; "
    'write text that has apostrophes in double quotes: "..."'
)
"""Added to a SyntaxError on a line like ``s = 'He didn't know'``: small models copy the
single quotes of examples onto text that has apostrophes, and repair by cutting lines."""


def cap_text(text: str, limit: int = OUTPUT_LIMIT) -> str:
    """Cut ``text`` to about ``limit`` characters, keeping its head and tail."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    cut = len(text) - head - tail
    return f"{text[:head]}\n... [{cut} characters cut] ...\n{text[-tail:]}"


def output_block(observation: str) -> str:
    """An observation fenced as the model reads it (```output ... ```), with a longer
    fence when the text holds a run of backticks: no program output can close it
    early and pose as the model's own words."""
    ticks = "```"
    while ticks in observation:
        ticks += "`"
    return f"{ticks}output\n{observation}\n{ticks}\n"


def describe_error(error: ErrorInfo, limit: int = OUTPUT_LIMIT) -> str:
    """The one place an error becomes text for the model.

    Keeps the frames in the model's own code (renamed ``line N``), the last
    frame inside library code (header and the failing line only) and the
    final ``Name: message`` line, then a hint where one is known (:data:`QUOTE_HINT`,
    :func:`~pot.hints.error_hint`); caps the result at ``limit`` characters.

    Args:
        error: The error the executed code raised.
        limit: Maximum characters.

    Returns:
        A short traceback ending with the error line.
    """
    # A SyntaxError's message ends with the kernel's temporary file name: noise to the model.
    value = _TEMP_FILE.sub("", cap_text(error.value, limit))
    final = f"{error.name[:200]}: {value}" if value else error.name[:200]
    # the frames come from the traceback's head and tail (an ErrorInfo built outside
    # the executors may carry a huge one)
    frames = _frames(cap_text(error.traceback, 50 * limit))
    kept: list[str] = []
    library_frame: list[str] | None = None
    for frame in frames:
        if _CELL_FRAME.match(frame[0]):
            if library_frame is not None:
                kept.extend(library_frame)
                library_frame = None
            kept.extend(_CELL_NAME.sub("Program, ", line) for line in frame)
        else:
            arrow = [line for line in frame if line.lstrip().startswith(("-->", "---->", "^"))]
            library_frame = [frame[0].strip(), *arrow[-1:]]
    if library_frame is not None:
        kept.extend(library_frame)
    body = "\n".join(line.rstrip() for line in kept).strip("\n")
    text = f"{body}\n{final}" if body else final
    if error.name == "SyntaxError" and _APOSTROPHE.search(body):
        text = f"{text}\n{QUOTE_HINT}"
    hint = error_hint(error.name, error.value)
    if hint is not None:
        text = f"{text}\n{hint}"
    return cap_text(text, limit)


def describe_result(result: ExecutionResult, limit: int = OUTPUT_LIMIT) -> str:
    """What the model is told a piece of code did: output, value, error, kernel events.

    Args:
        result: The execution result.
        limit: Maximum characters for the printed output and for the error.

    Returns:
        The observation text (never empty).
    """
    parts: list[str] = []
    if result.stdout.strip():
        parts.append(cap_text(result.stdout.rstrip(), limit))
    if result.result is not None and result.error is None:
        parts.append(cap_text(result.result, limit))
    if result.error is not None and result.kernel is KernelEvent.OK:
        parts.append(describe_error(result.error, limit))
    if result.kernel is KernelEvent.INTERRUPTED:
        parts.append("TimeoutError: the code ran too long and was interrupted.")
    elif result.kernel is KernelEvent.RESTARTED:
        parts.append(
            "TimeoutError: the code ran too long; the kernel was restarted "
            "and all variables were lost."
        )
    elif result.kernel is KernelEvent.DIED:
        parts.append("The kernel died (out of memory?); it was restarted and all variables lost.")
    if result.truncated:
        parts.append("[output truncated]")
    if not parts:
        return "(no output: print the result)"
    return "\n".join(parts)


def failure_in_words(result: ExecutionResult) -> str:
    """How a failed run failed, in a few words (``failed with `ValueError: day is out of
    range for month```, ``ran past its time limit``, ``killed its kernel``): what
    :func:`describe_result` says at length."""
    if result.kernel is KernelEvent.DIED:
        return "killed its kernel"
    if result.kernel is not KernelEvent.OK:
        return "ran past its time limit"
    error = f"{result.error.name}: {result.error.value}" if result.error else "an error"
    return f"failed with `{error.splitlines()[0][:200]}`"


def _frames(traceback: str) -> list[list[str]]:
    frames: list[list[str]] = []
    for line in traceback.splitlines():
        if _RULE.match(line.strip()) or _HEADER.search(line) or not line.strip():
            continue
        if _ANY_FRAME.match(line) or not frames:
            frames.append([line])
        else:
            frames[-1].append(line)
    # The final "Name: message" line is rebuilt from ErrorInfo; drop it from the frames.
    if frames and _FINAL_LINE.match(frames[-1][-1]):
        frames[-1].pop()
    return [frame for frame in frames if frame]
