"""Mend a name written in the wrong case, which a small model cannot see.

The 1.5B defines ``samantha_age`` and then uses ``Samantha_age`` (the question's
capital); told ``NameError: ... Did you mean: 'samantha_age'?`` it writes the same
program again, greedy and sampled alike (four of five GSM8K programs on one question).
When the kernel's suggestion differs from the missing name only in case, pot renames
it in the program itself, says so in a comment on the first line, and runs that as the
next step; the model sees the mended program as its own and carries on from there.

Likewise a date written with leading zeros (``datetime(2153, 05, 09)``): Python 3 refuses
``05`` ("leading zeros in decimal integer literals are not permitted"), and the 0.5B
wrote such literals again after the message, 18 programs in 8 problems; pot writes
``5`` and ``9`` itself (:func:`zeros_mended`).
"""

from __future__ import annotations

import io
import re
import tokenize
from itertools import pairwise

from pot.executors import ErrorInfo

_SUGGESTED = re.compile(r"name '(\w+)' is not defined\. Did you mean: '(\w+)'\?")
_LEADING_ZEROS = "leading zeros in decimal integer literals are not permitted"


def mended(code: str, error: ErrorInfo | None) -> str | None:
    """``code`` mended where its error is one a small model cannot see (a name's case,
    an integer's leading zeros), a comment first saying so; None when there is nothing
    to mend."""
    return case_mended(code, error) or zeros_mended(code, error)


def zeros_mended(code: str, error: ErrorInfo | None) -> str | None:
    """``code`` with its integers' leading zeros removed (``05`` -> ``5``) after the
    SyntaxError they cause, a comment first saying so; None when there is none."""
    if error is None or error.name != "SyntaxError" or _LEADING_ZEROS not in error.value:
        return None
    lines = code.splitlines(keepends=True)
    tokens = _tokens(code)
    if tokens is None:
        return None
    written = []
    for zeros, digits in reversed(list(pairwise(tokens))):
        if (  # ``05`` reads as ``0`` and ``5``, side by side
            zeros.type == digits.type == tokenize.NUMBER
            and zeros.end == digits.start
            and re.fullmatch(r"0+", zeros.string)
            and digits.string.isdigit()
        ):
            row, start = zeros.start
            end = digits.end[1]
            line = lines[row - 1]
            written.append(line[start:end])
            lines[row - 1] = line[:start] + str(int(line[start:end])) + line[end:]
    if not written:
        return None
    literals = ", ".join(reversed(written))
    return f"# pot removed the leading zeros of {literals} (SyntaxError)\n" + "".join(lines)


def case_mended(code: str, error: ErrorInfo | None) -> str | None:
    """``code`` with the NameError's name renamed to the suggested one when the two differ
    only in case, a comment first saying so; None when there is nothing to mend."""
    if error is None or error.name != "NameError":
        return None
    found = _SUGGESTED.search(error.value)
    if found is None:
        return None
    wrong, right = found.groups()
    if wrong == right or wrong.casefold() != right.casefold():
        return None
    lines = code.splitlines(keepends=True)
    tokens = _tokens(code)
    if tokens is None:
        return None
    renamed = 0
    before = None
    for token in tokens:
        if token.type == tokenize.NAME and token.string == wrong and before != ".":
            row, column = token.start
            line = lines[row - 1]
            lines[row - 1] = line[:column] + right + line[column + len(wrong) :]
            renamed += 1
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            before = token.string
    if not renamed:
        return None
    return f"# pot renamed {wrong} to {right} (NameError)\n" + "".join(lines)


def _tokens(code: str) -> list[tokenize.TokenInfo] | None:
    """``code``'s tokens, or None where it cannot be tokenized."""
    try:
        return list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
