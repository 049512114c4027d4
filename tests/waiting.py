"""Waiting in tests: poll a condition until a deadline, never sleep a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Return as soon as ``condition()`` is true; raise ``TimeoutError`` after ``timeout`` s.

    Args:
        condition: Checked every 10 ms.
        what: What is awaited, for the error ("the gateway to start").
        timeout: The deadline in seconds, generous: it is only reached when something broke.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(0.01)
