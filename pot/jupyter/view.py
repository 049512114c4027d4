"""A live view that updates one notebook output as steps arrive (HTML: pot.step_html)."""

from __future__ import annotations

import html
from typing import Any

from IPython.display import HTML, display

from pot.step_html import step_html
from pot.trace import Step

__all__ = ["LiveView", "step_html"]


class LiveView:
    """One notebook output showing the question, the steps so far and a status line.

    Args:
        question: The question being solved.
        heading: A short note shown after the question (mode and model).
        enabled: False to show nothing (``--quiet``).
    """

    def __init__(self, question: str, heading: str, enabled: bool = True) -> None:
        self.question = question
        self.heading = heading
        self.enabled = enabled
        self.parts: list[str] = []
        self.samples: int | None = None
        """How many samples are drawn (words the answer line of a vote)."""
        self._handle: Any = None

    def start(self, status: str) -> None:
        """Show the view with a status line (e.g. while the model loads)."""
        if not self.enabled:
            return

        self._handle = display(HTML(self._html(status)), display_id=True)

    def add(self, step: Step, status: str = "") -> None:
        """Append one step and update the output in place."""
        self.parts.append(step_html(step, self.samples))
        self.update(status)

    def update(self, status: str = "") -> None:
        """Redraw the output with a new status line."""
        if self._handle is None:
            return

        self._handle.update(HTML(self._html(status)))

    def _html(self, status: str) -> str:
        escape = html.escape
        note = f"<div style='opacity:0.6'><i>{escape(status)}</i></div>" if status else ""
        return (
            "<div class='pot-live'>"
            f"<div><b>{escape(self.question)}</b> "
            f"<span style='opacity:0.6'>{escape(self.heading)}</span></div>"
            f"{''.join(self.parts)}{note}</div>"
        )
