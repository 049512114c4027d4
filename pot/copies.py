"""Notice a program copied from the prompt's examples.

A small model that is stuck (its program timed out, it cannot see a fix) sometimes
writes one of the prompt's example programs again: the 1.5B answered a GSM8K lemon
tree question with the pets example's ``Ann``. That program solves the example's
problem, not this one, so it is not run and its answer never votes; the model is
told and asked again. A question that is itself one of the examples may of course
get the example's program.
"""

from __future__ import annotations

import io
import re
import tokenize
from difflib import SequenceMatcher
from itertools import pairwise

from pot.extract import find_code_blocks
from pot.models.base import Message

SIMILAR = 0.8
"""How alike (difflib ratio of the programs' tokens) a copy is to its example."""

_LITERAL = re.compile(r"""\.?\d|[rRbBuUfF]{0,2}['"]""")

COPY_NOTE = (
    "That program is the example's, written for a different problem; it was not run. "
    "Reply with a new program that solves this problem, in one ```python block."
)
"""What the model is told instead of the copy's output (one-program modes)."""

COPY_OUTPUT = "Not run: this code is the example's, for a different problem."
"""What a multi-step solve (``tir``) shows in place of a copied block's output."""


def example_programs(opening: list[Message]) -> list[str]:
    """The code of the examples in a solve's opening whose question is not the one asked.

    The opening is the system message, example turns, then the question (last).
    """
    if not opening or opening[-1].role != "user":
        return []
    asked = _plain(opening[-1].content)
    programs: list[str] = []
    for question, answer in pairwise(opening[1:-1]):
        if question.role != "user" or answer.role != "assistant":
            continue
        if _plain(question.content) == asked:
            continue
        programs += [block.code for block in find_code_blocks(answer.content)]
    return programs


def copies_example(code: str, examples: list[str]) -> bool:
    """True when ``code`` is one of ``examples`` up to comments, spacing and a few names:
    the same numbers and strings (a problem's data), nearly the same tokens. Code that
    follows an example's pattern with this problem's own numbers is no copy."""
    tokens = _tokens(code)
    if not tokens:
        return False
    data = _literals(tokens)
    for example in examples:
        other = _tokens(example)
        if not other or _literals(other) != data:
            continue
        if SequenceMatcher(None, tokens, other, autojunk=False).ratio() >= SIMILAR:
            return True
    return False


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def _literals(tokens: list[str]) -> list[str]:
    """The numbers and strings among ``tokens``, sorted."""
    return sorted(token for token in tokens if _LITERAL.match(token))


def _tokens(code: str) -> list[str]:
    """The code's tokens without comments and layout (its lines split on spaces when it
    does not tokenize)."""
    skipped = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT}
    skipped |= {tokenize.DEDENT, tokenize.ENDMARKER, tokenize.ENCODING}
    try:
        return [
            token.string
            for token in tokenize.generate_tokens(io.StringIO(code).readline)
            if token.type not in skipped
        ]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return code.split()
