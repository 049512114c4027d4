"""Notice a program that works on the question's own example instead of its data.

Questions often show the answer's form with an example (``Instead of reporting your
answer as -69, -13, 1, use ['-69', '-13', '1']``; ``Example: for 12 the answer would
be 2 × 2 × 3``; ``e.g. sun -> nus``). A small model sometimes computes on that example:
the 1.5B sorted the format example's numbers and answered them, twice, in one solve,
and that answer then won a tied vote. A program whose data (its numbers and strings)
found in the question all come from such an example, and none from the rest of the
question, is not run; the model is told and asked again. An *answer* that is one of the
values such an example shows (:func:`copies_example`) is doubted in a vote
(:func:`~pot.consistency.vote`): the 0.5B's chains of thought answered a grid's shortest
path with the question's ``e.g. right right down down up left``, four of nine samples.
"""

from __future__ import annotations

import re

from pot.copies import literal_texts

EXAMPLE_START = re.compile(
    r"(?i)(?:\be\.g\.|\bfor example\b|\bfor instance\b|\bex\.|\bexample:|\binstead of reporting\b)"
)
"""Where a question begins an example of its own."""
FORMAT_START = re.compile(
    rf"{EXAMPLE_START.pattern}|(?i:\banswer like\b|\bin the format\b|\b(?:output|answer) format\b"
    r"|\bformatted as\b)"
)
"""Where it begins an example or a template of its answer (``Format your answer like:
"Ella is a hero/villain, and Lily is a hero/villain"``): no answer repeats one, though a
program may well use a template's words (``'Move disk X from Peg Y to Peg Z'``)."""
SPAN_LIMIT = 300
"""An example is at most this long."""
SHORTEST = 2
"""Literals shorter than this (``0``, ``5``, ``'a'``) are anyone's and never count."""

EXAMPLE_NOTE = (
    "That program works on the example the problem gives of its answer's form, not on "
    "the problem's own data; it was not run. Reply with a new program that solves the "
    "problem itself, in one ```python block."
)
"""What the model is told instead of the program's output."""

EXAMPLE_OUTPUT = "Not run: this code works on the problem's example of its answer's form."
"""What a multi-step solve (``tir``) shows in place of such a block's output."""


def example_spans(question: str, starts: re.Pattern[str] = EXAMPLE_START) -> list[tuple[int, int]]:
    """The spans of ``question`` that are examples of its own (start, end)."""
    spans = []
    for start in starts.finditer(question):
        rest = question[start.end() : start.end() + SPAN_LIMIT]
        spans.append((start.start(), start.end() + _span_end(rest)))
    return spans


def uses_question_example(code: str, question: str) -> bool:
    """True when every datum of ``code`` that the question holds (two or more of them)
    is found only inside the question's examples."""
    spans = example_spans(question)
    if not spans:
        return False
    outside = _outside(question, spans)
    inside = [question[start:end] for start, end in spans]
    from_example = 0
    for text in set(literal_texts(code)):
        if len(text) < SHORTEST or text not in question:
            continue
        if text in outside:
            return False  # the program uses the problem's own data
        if any(text in span for span in inside):
            from_example += 1
    return from_example >= 2


def _outside(question: str, spans: list[tuple[int, int]]) -> str:
    """The question with its examples blanked out (one NUL each, so nothing joins)."""
    parts, last = [], 0
    for start, end in sorted(spans):
        if start >= last:
            parts.append(question[last:start])
            last = end
        else:
            last = max(last, end)
        parts.append("\0")
    parts.append(question[last:])
    return "".join(parts)


def _span_end(rest: str) -> int:
    """Where an example ends in ``rest``: at the end of its line, or at a bracket that
    closes one opened before it (a bracket opened inside the example closes inside it)."""
    depth = 0
    for index, char in enumerate(rest):
        if char in "([":
            depth += 1
        elif char in ")]":
            if depth == 0:
                return index
            depth -= 1
        elif char == "\n":
            return index
    return len(rest)


_TOKEN = re.compile(r"-?\d+(?:\.\d+)?|[^\W\d_]+|[^\w\s\"'`,;:.!?()\[\]{}]")
"""A number, a word or a symbol (``×``): what answers are compared by."""
_PART_BREAK = re.compile(
    r"[\"“”:=→]|->|\b(?:e\.g|ex|example|instead|use|as|is|are|be|becomes|gives|for|of"
    r"|while|and|or|not|etc|like|then)\b",
    re.IGNORECASE,
)
"""What parts an example into the values it shows (``for 12 the answer would be: 2 × 2 ×
3`` shows ``12`` and ``2 × 2 × 3``)."""
QUOTED = re.compile(r"[\"“]([^\"“”]+)[\"”]|(?<!\w)'([^']+)'(?!\w)")
"""A value an example quotes whole."""


def copies_example(question: str, value: str) -> bool:
    """True when ``value`` is a value the question's own example or template of its
    answer shows (:data:`FORMAT_START`): two or more tokens (numbers, words, symbols),
    the whole of one part of an example or of what it quotes, found nowhere else in the
    question (``right right down down up left`` after "e.g."; not ``right down``, a part
    of that value). One word or number is anyone's (an example that lists ``Monday,
    Tuesday``)."""
    tokens = _tokens(value)
    spans = example_spans(question, FORMAT_START)
    examples = [question[start:end] for start, end in spans]
    if len(tokens) < 2 or len(tokens) > max((len(_tokens(text)) for text in examples), default=0):
        return False  # one token is anyone's; more than an example holds is none of its parts
    outside = _tokens(_outside(question, spans))
    if any(outside[index : index + len(tokens)] == tokens for index in range(len(outside))):
        return False
    quoted = (
        match.group(1) or match.group(2) for text in examples for match in QUOTED.finditer(text)
    )
    parts = (part for text in examples for part in _PART_BREAK.split(text))
    return any(_tokens(part) == tokens for part in (*quoted, *parts))


_ALTERNATIVES = re.compile(r"(?<![\w/])[A-Za-z]+(?:/[A-Za-z]+)+(?![\w/])")
"""Words to choose from in a template: ``hero/villain``, ``Yes/No``."""


def open_choice(question: str, value: str) -> str | None:
    """The alternatives of the question's template of its answer (:data:`FORMAT_START`:
    ``Format your answer like: "David is a saint/sinner, and Harper is a saint/sinner"``)
    that ``value`` still holds unchosen (``David is a saint/sinner, and Harper is a
    sinner``, as a program of the 0.5B printed it), else None."""
    for start, end in example_spans(question, FORMAT_START):
        for choice in _ALTERNATIVES.findall(question[start:end]):
            if re.search(rf"(?<![\w/]){re.escape(choice)}(?![\w/])", value, re.IGNORECASE):
                return choice
    return None


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())
