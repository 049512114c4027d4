"""Find the Python code in a model's reply.

Small models wrap code in ```python, ```py or a bare fence, stop half-way
through a block (a stop string or the token limit cut it), and sometimes write
an "output" block of their own after the code. Only code is taken from a
reply; an output the model wrote itself is never trusted.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

# An opening fence: ``` followed by a language tag (or none) at the start of a line.
_FENCE_OPEN = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_+.-]*)[ \t]*$", re.MULTILINE)
_FENCE_CLOSE = re.compile(r"^[ \t]*```[ \t]*$", re.MULTILINE)
_PYTHON_TAGS = frozenset({"python", "py", "python3", "ipython", ""})


class CodeBlock(BaseModel):
    """One fenced code block found in a reply.

    Attributes:
        code: The code, without fences, trailing whitespace stripped.
        start: Offset of the opening fence in the reply.
        end: Offset just after the closing fence (or the end of the reply when
            the block was never closed).
        closed: False when the reply ended inside the block.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    start: int
    end: int
    closed: bool


def find_code_blocks(text: str) -> list[CodeBlock]:
    """Every Python code block in ``text``, in order.

    Blocks tagged with a non-Python language (``output``, ``text``, ``json``...)
    are skipped. A bare fence counts as Python only when its content parses
    as Python, so a plain ``` output block the model wrote is ignored.
    """
    blocks: list[CodeBlock] = []
    position = 0
    while True:
        opening = _FENCE_OPEN.search(text, position)
        if opening is None:
            return blocks
        tag = opening.group(1).lower()
        body_start = opening.end() + 1
        closing = _FENCE_CLOSE.search(text, body_start)
        if closing is None:
            body, end, closed = text[body_start:], len(text), False
        else:
            body, end, closed = text[body_start : closing.start()], closing.end(), True
        code = body.rstrip()
        if _is_python(tag, code):
            blocks.append(CodeBlock(code=code, start=opening.start(), end=end, closed=closed))
        if not closed:
            return blocks
        position = end


def extract_code(text: str, which: Literal["last", "first"] = "last") -> CodeBlock | None:
    """The Python block to run from a model reply, or None if it wrote no code.

    Args:
        text: The model's reply.
        which: ``"last"`` (a one-program reply: a later block is a corrected
            draft) or ``"first"`` (a multi-step reply: later blocks were written
            without seeing the first one's real output, so they are dropped).

    Returns:
        The chosen non-empty block, or None.
    """
    blocks = [block for block in find_code_blocks(text) if block.code.strip()]
    if not blocks:
        return None
    return blocks[-1] if which == "last" else blocks[0]


def _is_python(tag: str, code: str) -> bool:
    if tag not in _PYTHON_TAGS:
        return False
    if tag:
        return True
    try:
        compile(code, "<reply>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    # A bare block holding a lone number or word is an output the model made up.
    return any(character in code for character in "=()[]:") or "\n" in code.strip()
