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
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise

from pot.extract import find_code_blocks
from pot.models.base import Message

COVERED = 0.8
"""How much of an example's tokens (difflib matching blocks) a copy holds, in order."""
SMALLEST = 15
"""Examples shorter than this many tokens are never looked for (``print(left // 6)`` is
how anyone would write that line)."""

_LITERAL = re.compile(r"""\.?\d|[rRbBuUfF]{0,2}['"]""")

COPY_NOTE = (
    "That program is the example's, written for a different problem; it was not run. "
    "Reply with a new program that solves this problem, in one ```python block."
)
"""What the model is told instead of the copy's output (one-program modes)."""

COPY_OUTPUT = "Not run: this code is the example's, for a different problem."
"""What a multi-step solve (``tir``) shows in place of a copied block's output."""


@dataclass(frozen=True)
class Examples:
    """The example programs of a solve's opening, and the question it asks."""

    programs: tuple[tuple[str, ...], ...]
    question: str

    @classmethod
    def of(cls, opening: list[Message]) -> Examples:
        """The examples in ``opening`` (system message, example turns, the question last)
        whose question is not the one asked: that one may get its own program."""
        if not opening or opening[-1].role != "user":
            return cls((), "")
        asked = _plain(opening[-1].content)
        programs: list[tuple[str, ...]] = []
        for question, answer in pairwise(opening[1:-1]):
            if question.role != "user" or answer.role != "assistant":
                continue
            if _plain(question.content) == asked:
                continue
            for block in find_code_blocks(answer.content):
                tokens = tuple(_tokens(block.code))
                if len(tokens) >= SMALLEST:
                    programs.append(tokens)
        return cls(tuple(programs), asked)

    def copied_by(self, code: str) -> bool:
        """True when ``code`` holds one of the examples nearly whole (up to comments,
        layout and a few names) with the example's own data: its numbers and strings,
        which the question asked does not have. A program that follows an example's
        pattern with this problem's data is no copy."""
        tokens = _tokens(code)
        if not tokens:
            return False
        literals = set(_literals(tokens))
        for example in self.programs:
            data = set(_literals(list(example)))
            if not data <= literals or all(_in_question(item, self.question) for item in data):
                continue
            matcher = SequenceMatcher(None, example, tokens, autojunk=False)
            held = sum(block.size for block in matcher.get_matching_blocks())
            if held >= COVERED * len(example):
                return True
        return False


def literal_texts(code: str) -> list[str]:
    """The numbers and strings of ``code`` as written, strings without their quotes."""
    return [_unquoted(token) for token in _literals(_tokens(code))]


def _unquoted(literal: str) -> str:
    """A literal token as written, a string's prefix and quotes taken off."""
    return literal.lstrip("rRbBuUfF").strip("'\"")


def _in_question(literal: str, question: str) -> bool:
    text = _unquoted(literal).casefold()
    return not text or text in question


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def _literals(tokens: list[str]) -> list[str]:
    """The numbers and strings among ``tokens``."""
    return [token for token in tokens if _LITERAL.match(token)]


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
