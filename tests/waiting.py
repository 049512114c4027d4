"""Waiting in tests: poll a condition until a deadline, never sleep a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(
    condition: Callable[[], object], what: str, timeout: float = 60.0, interval: float = 0.01
) -> None:
    """Return as soon as ``condition()`` is true; raise ``TimeoutError`` after ``timeout`` s.

    Args:
        condition: What is awaited, checked every ``interval`` seconds.
        what: Its description, for the error ("the gateway to start").
        timeout: The deadline in seconds, generous: it is only reached when something broke.
        interval: Seconds between checks (longer for checks that cost a request).
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(interval)
