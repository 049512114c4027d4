"""Numbers written one after another on a line (``2 2 7``, ``-0.7868 and 0.7868``): how
programs print a list without brackets. The vote counts them as that list
(:func:`pot.answers.answer_key`) and the question's notation writes them with the
separator it asks for (:func:`pot.notation.in_question_notation`)."""

from __future__ import annotations

import re

SEQUENCE_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)")
"""One number of a sequence, as written (``-0.7868``, ``.5``, ``7``)."""
_SEQUENCE_GAP = re.compile(r"\s*(?:,|;|\band\b)\s*|\s+")
_SEQUENCE_TIMES = re.compile(r"\s*(?:×|\\times)\s*")


def number_sequence(text: str, times: bool = False) -> list[str] | None:
    """The numbers of ``text``, as written, when it is two or more numbers and nothing
    else, one after another on one line with spaces, commas, semicolons or ``and`` between them
    (``2 2 2 7``, ``-0.7868 and 0.7868``), and with ``times``, ``×`` too (``2 × 7``).
    None for anything else: one number, words, brackets, a number grouped in thousands
    (``1 000 000``, ``12,500``)."""
    text = text.strip()
    if "\n" in text:
        return None  # rows of a grid, one item a line: kept as they are
    if times:
        text = _SEQUENCE_TIMES.sub(" ", text)
    parts = [part for part in _SEQUENCE_GAP.split(text) if part]
    if len(parts) < 2 or not all(SEQUENCE_NUMBER.fullmatch(part) for part in parts):
        return None
    grouped = re.fullmatch(r"[-+]?\d{1,3}", parts[0]) and all(
        re.fullmatch(r"\d{3}", part) for part in parts[1:]
    )
    return None if grouped else parts
