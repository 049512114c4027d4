"""Text for the terminal that rich never reads as markup.

Questions, paths, task names, model specs and error messages come from users
and may hold ``[brackets]``; rich would read ``[/x]`` as a closing tag (and fail)
and ``[a, b]`` as a style (and drop it). Everything that is not pot's own text
goes through :func:`plain` or :func:`escape` before it reaches a console.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape as rich_escape
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console


def escape(text: object) -> str:
    """``text`` as rich markup that prints exactly as written (for tables, status lines)."""
    return rich_escape(str(text))


def plain(text: object, style: str = "") -> Text:
    """``text`` as a rich Text: printed as written, never parsed as markup."""
    return Text(str(text), style=style)


def error_text(message: object, label: str = "error") -> Text:
    """One error line: a red ``label:`` and the message exactly as written."""
    return Text.assemble((f"{label}:", "red"), " ", str(message))


def print_error(console: Console, message: object, label: str = "error") -> None:
    """Print :func:`error_text` on ``console`` as one logical line (no highlighting)."""
    console.print(error_text(message, label), highlight=False, soft_wrap=True)


def print_note(console: Console, message: object, style: str = "") -> None:
    """Print a line that holds user text (a path, a label) exactly as written."""
    console.print(plain(message, style), highlight=False, soft_wrap=True)
