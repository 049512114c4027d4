"""Grids a question shows and a program prints: a matrix, a board, symbols side by side.

A question that shows two rows of cells in a row (numbers or single characters separated
by spaces, or symbols such as ``❌✅❌`` side by side) is answered with the grid the program
printed last, row by row (:func:`printed_grid`); :mod:`pot.notation` decides when.
"""

from __future__ import annotations

import re
from itertools import pairwise

from pot.answers import AnswerSource, FoundAnswer

_CELL = re.compile(r"[-+]?\d+(?:\.\d+)?|[^\s=]")
"""One cell of a grid written as text: a number or a single character (``_``, ``Q``, ``>``)."""


_SYMBOLS = re.compile(r"[^\w\s]{2,}")
"""A row of cells written side by side without spaces: symbols, never letters or digits
(``❌✅❌``, ``#..#``)."""


def _cells(line: str, least: int = 2) -> list[str] | None:
    """The cells of a grid row: ``least`` or more, separated by spaces, or symbols side by
    side (a variation selector belongs to the symbol before it); None for no row."""
    cells = line.split()
    if len(cells) >= least and all(_CELL.fullmatch(cell) for cell in cells):
        return cells
    bare = line.strip().replace("\ufe0f", "")
    return list(bare) if _SYMBOLS.fullmatch(bare) else None


def is_grid_row(line: str) -> bool:
    """Whether ``line`` is a row of a grid: two or more cells separated by spaces, or two
    or more symbols side by side."""
    return _cells(line) is not None


def _widths(text: str, least: int = 2) -> list[int | None]:
    """The number of cells of each line of ``text`` (None: no row of ``least`` cells),
    lines of spaces left out: a puzzle draws them between its rows (an empty line still
    parts two paragraphs)."""
    lines = [line for line in text.splitlines() if line.strip() or not line]
    return [None if (cells := _cells(line, least)) is None else len(cells) for line in lines]


def shows_grid(text: str) -> bool:
    """Whether two lines in a row of ``text`` are rows of a grid (a matrix, a board)."""
    return any(this and that for this, that in pairwise(_widths(text)))


def shows_ragged_grid(text: str) -> bool:
    """Whether ``text`` shows a grid whose rows differ in width, two rows in a row (a
    puzzle with constraint marks between its cells and its rows): its answer has rows of
    several widths too, and keeps the lines of spaces it draws between them. A lone mark
    (``∨`` under one cell) is a row here."""
    widths = _widths(text, least=1)
    return any(this and that and this != that for this, that in pairwise(widths))


def printed_grid(stdout: str, ragged: bool = False) -> FoundAnswer | None:
    """The grid a program printed last, row by row: its trailing rows of as many cells
    as its last row, when there are two or more; for questions that show a grid
    (:func:`shows_grid`), where the last line alone is one row of the answer. Rows
    printed as Python lists (``[7, 7, 4]``, ``print(row)``) are written as the question
    writes its rows, cells separated by spaces; other rows stay as printed (aligned
    columns keep their spaces). A first row printed after an answer label on its line
    (``Answer: 2 1 3 4``) is a row, without the label.

    Where ``ragged`` (a question that shows rows of several widths,
    :func:`shows_ragged_grid`), the rows may differ in width, a lone constraint mark is a
    row, and lines of spaces between rows stay (as empty lines): the puzzle's layout."""
    lines = [
        _list_row(line.rstrip())
        for line in stdout.splitlines()
        if line.strip() or (ragged and line)
    ]
    while lines and not lines[-1]:
        lines.pop()
    if not lines or not is_grid_row(lines[-1]):
        return None
    width, start = len(_cells(lines[-1]) or []), len(lines) - 1
    while start > 0:
        above = lines[start - 1]
        if ragged:  # a line of spaces (now empty), or a row of any width
            fits = not above or _cells(above, least=1) is not None
        else:
            cells = _cells(above)
            fits = cells is not None and len(cells) == width
        if not fits:
            rest = unlabelled(above)  # Answer: 2 1 3 4, the first row after its label
            if rest is not None and (ragged or len(_cells(rest) or []) == width):
                lines[start - 1] = rest
                start -= 1
            break
        start -= 1
    block = lines[start:]
    while not block[0]:
        block = block[1:]
    if sum(1 for line in block if line) < 2:
        return None
    return FoundAnswer(value="\n".join(block), source=AnswerSource.PRINTED)


_ANSWER_LABEL = re.compile(
    r"(?:the )?(?:final )?(?:answer|solution|result|output)\b[\w ]{0,30}?:\s*(?P<rest>\S.*)",
    re.IGNORECASE,
)
"""An answer label before the first line of an answer (``Answer: 2 1 3 4``,
``Final solution grid: _ Q _``)."""


def unlabelled(line: str) -> str | None:
    """``line`` without the answer label it starts with, or None when it has none."""
    found = _ANSWER_LABEL.fullmatch(line.strip())
    return None if found is None else found.group("rest")


_LIST_ROW = re.compile(r"\[([^\[\]]*)\]")


def _list_row(line: str) -> str:
    """A flat Python list of cells (``[1, 0, 'x']``) as a row of cells; else the line."""
    found = _LIST_ROW.fullmatch(line.strip())
    if found is None:
        return line
    cells = [cell.strip().strip("'\"") for cell in found.group(1).split(",")]
    row = " ".join(cells)
    return row if len(cells) >= 2 and is_grid_row(row) else line
