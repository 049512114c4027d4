"""Answers written in the question's own notation, and answers of several lines.

A program prints Python's forms: ``[['eat', 'tea']]``, ``[[1, 0], [0, 1]]``, one line
at a time. A question may write its data as JSON, as a matrix of rows, or ask for one
item a line; these helpers find which, and take or write the answer that way.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from pot.answers import MAX_ANSWER_LINES, SOLVED, AnswerSource, FoundAnswer
from pot.grids import printed_grid, shows_grid, shows_ragged_grid, unlabelled
from pot.reprs import without_reprs
from pot.sequences import number_sequence

_LINES_ASKED = re.compile(
    r"\b(?:each|one|every)\b[\w ,']{0,40}?\bon (?:a single|a separate|a new|its own|one|"
    r"separate|a) (?:line|row)\b|\bone (?:\w+ )?per line\b|\bnewline[- ]separated\b"
    r"|\bseparated by (?:a )?new ?lines?\b|\bline by line\b",
    re.IGNORECASE,
)
"""What a question says when its answer is several lines (``Each instruction should be
placed on a single line``, ``one move per line``, ``newline-separated``)."""


def asks_for_lines(question: str) -> bool:
    """Whether ``question`` wants an answer of several lines, one item a line."""
    return _LINES_ASKED.search(question) is not None


def printed_lines(stdout: str) -> FoundAnswer | None:
    """Everything a program printed, as an answer of several lines (blank lines and a
    heading such as ``Moves:`` dropped), when it printed two or more; for questions that
    ask for one item a line (:func:`asks_for_lines`), where the last line alone is one
    item of the answer. An answer label before the first item (``Answer: Move disk 1
    ...``) is dropped."""
    lines = _non_blank(stdout)
    while lines and lines[0].endswith(":"):
        lines = lines[1:]
    if lines:
        lines[0] = unlabelled(lines[0]) or lines[0]  # Answer: Move disk 1 ...
    if len(lines) < 2 or len(lines) > MAX_ANSWER_LINES:
        return None
    return FoundAnswer(value="\n".join(lines), source=AnswerSource.PRINTED)


_LITERAL_ASKED = re.compile(r"\bPython literal\b|\brepr\(", re.IGNORECASE)
"""What a question says when its answer is a Python value written as code (``Give the
exact value of `f(x)` as a Python literal``)."""


def asks_for_literal(question: str) -> bool:
    """Whether ``question`` wants its answer as a Python literal."""
    return _LITERAL_ASKED.search(question) is not None


def printed_literal(stdout: str, printed: FoundAnswer | None) -> FoundAnswer | None:
    """A string the program printed without its quotes, as the literal a question asking
    for one (:func:`asks_for_literal`) wants, written whole: ``print(s)`` of ``'  ab '``
    shows ``  ab `` and is ``'  ab '``, and ``5*83*23***`` keeps its stars, where the
    line read as an answer would lose its edges; a program that printed one line of
    nothing or of spaces printed ``''`` or ``'   '``. None when the answer read as usual
    (``printed``) is a literal already, or is not that whole line. A string of several
    lines stays out of reach."""
    last = stdout.removesuffix("\n").split("\n")[-1]
    if not stdout.strip() and stdout.count("\n") == 1 and stdout.endswith("\n"):
        return FoundAnswer(value=repr(last), source=AnswerSource.PRINTED)  # '' or spaces
    if printed is None or printed.value != last.strip():
        return None  # nothing printed, or a label read off the line (``Answer: 'ab'``)
    if last != last.strip() or not is_literal(printed.value):  # print() of a number or a
        return FoundAnswer(value=repr(last), source=AnswerSource.PRINTED)  # list has no edges
    return None  # a literal as printed (``[1, 2]``, ``None``): read as usual


def is_literal(text: str) -> bool:
    """Whether ``text`` is a Python literal (``'ab'``, ``[1, 2]``, ``None``)."""
    try:
        ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


@dataclass(frozen=True)
class AnswerForm:
    """The form a question asks its answer in, as far as reading a program's output
    goes: a Python literal, one item a line, or a grid (its rows ragged or even)."""

    literal: bool
    lines: bool
    grid: bool
    ragged: bool

    @classmethod
    def of(cls, question: str) -> AnswerForm:
        grid = shows_grid(question)
        return cls(
            literal=asks_for_literal(question),
            lines=asks_for_lines(question),
            grid=grid,
            ragged=grid and shows_ragged_grid(question),
        )

    def read(self, stdout: str, printed: FoundAnswer | None) -> FoundAnswer | None:
        """The answer in that form from what the program printed, else ``printed`` (its
        last line read as usual): a string printed without its quotes as the literal
        asked for (:func:`printed_literal`), every line where one item a line is asked
        (:func:`printed_lines`), a grid's rows (:func:`printed_grid`)."""
        if self.literal:
            return printed_literal(stdout, printed) or printed
        if self.lines:
            return printed_lines(stdout) or printed
        if self.grid:
            return printed_grid(stdout, self.ragged) or printed
        return printed


def _non_blank(stdout: str) -> list[str]:
    """The lines a program printed that are not blank, trailing spaces taken off."""
    return [line.rstrip() for line in stdout.splitlines() if line.strip()]


_JSON_STRINGS = re.compile(r"[\[{:,]\s*\"[^\"\n]*\"\s*[\]},:]")
"""A double-quoted string inside brackets, as JSON writes lists (``["eat", "tea"]``)."""


def in_question_notation(question: str, value: str, sequences: bool = True) -> str | None:
    """``value``, a Python list as ``print`` shows it, in the notation the question
    writes its own data in, or None when that is Python's already.

    - The question writes lists as JSON (``[["eat", "tea"]]``): a list, tuple or dict
      holding strings (``[['eat', 'tea']]``) is written as JSON.
    - The question writes a matrix as rows of numbers separated by spaces and has no
      brackets at all: a list of rows of numbers (``[[1, 0], [0, 1]]``) is written so,
      one row a line (``1 0`` / ``0 1``).
    - The question asks for its items comma- or space-separated
      (:func:`asked_separator`): a flat list of numbers or strings (``['TERN', 'TORN']``)
      is written with that separator (``TERN, TORN``), strings without their quotes.
      A question that asks for none but writes sequences of numbers one space apart
      (``For example 1 0 1 5 4 3 means ...``): a flat list of numbers is written so; one
      whose answer is a sentence or a text (``Your output should be a sentence``, ``the
      decrypted text``): a list of words (``['TO', 'THIS', 'WORK']``) is written one
      space apart.
      Neither where the question writes lists in brackets itself.

    - A single number in a list, a set or a dict of one unknown (``[13]``, ``{x: 13}``,
      ``[sqrt(2)/2]``: what sympy's ``solve`` returns) is that number, unless the
      question writes lists in brackets or a dict, or asks for a Python literal.

    A question that writes ``['-69', '-13']`` keeps Python's quotes. A NumPy array as
    ``print`` shows it (``[[7. 9.]`` / `` [8. 7.]]``) is read as its list.

    With ``sequences``, numbers written one after another without brackets
    (``2 2 2 2 7``, ``-0.7868 and 0.7868``: :func:`~pot.answers.number_sequence`) are
    written with the separator the question asks for too (``2 × 2 × 2 × 2 × 7``,
    ``-0.7868, 0.7868``), and only then.
    """
    value = without_reprs(value)  # a list of NumPy scalars as print shows it
    single = _single_value(value)
    if single is not None and not _writes_lists(question) and not asks_for_literal(question):
        return single
    parsed = _literal(value.strip())
    if parsed is None and _NUMPY_ARRAY.fullmatch(value.strip()):
        parsed = _literal(_NUMPY_GAP.sub(",", value.strip()))
    if parsed is None and sequences:
        return _sequence_as_asked(question, value)
    if not isinstance(parsed, (list, tuple, dict)):
        return None
    if "'" in value and _JSON_STRINGS.search(question) and _json_like(parsed):
        return json.dumps(parsed, ensure_ascii=False)
    if _is_matrix(parsed) and "[" not in question and shows_grid(question):
        return "\n".join(" ".join(str(number) for number in row) for row in parsed)
    if not isinstance(parsed, (list, tuple)) or not _flat(parsed):
        return None
    if _BRACKETED_LIST.search(question):  # a question that writes lists as lists
        return None
    separator = asked_separator(question)
    if separator is None and _NUMBER_ROW.search(question) and _numbers(parsed):
        separator = " "  # the question writes its sequences of numbers so
    if separator is None and _SENTENCE_ASKED.search(question) and _words(parsed):
        separator = " "  # ['TO', 'THIS', 'WORK']: the words of the sentence asked for
    return None if separator is None else separator.join(str(item) for item in parsed)


_SENTENCE_ASKED = re.compile(
    r"\b(?:output|answer)\b[^.\n]{0,40}?\bbe an? (?:\w+ )?sentence\b"
    r"|\b(?:decrypted|decoded|deciphered|unscrambled|original|plain) (?:text|sentence|message)\b",
    re.IGNORECASE,
)
"""A question whose answer is a sentence or a text: ``Your output should be a sentence``,
``Provide only the decrypted text``."""


def _words(items: list[object] | tuple[object, ...]) -> bool:
    """Two or more strings, each one word (no spaces): a sentence split into its words."""
    return len(items) > 1 and all(
        isinstance(item, str) and item and not any(c.isspace() for c in item) for item in items
    )


_ONE_VALUE = re.compile(
    r"\[(?P<listed>[^\[\],]+?),?\]|\((?P<tupled>[^(),]+?),\)|\{(?P<set>[^{}:,]+)\}"
)
"""One value in brackets: ``[13]``, ``(13,)``, ``{13}``; sympy's ``{x: 13}`` and
``[{x: 13}]`` are :data:`~pot.answers.SOLVED` (its symbol unquoted: ``{'Ann': 3}`` is a
program's own dict)."""
_NUMBER_LIKE = re.compile(r"(?:[-+*/^()., \d]|\*\*|sqrt|pi|\bI\b|\bE\b|oo)+")
"""A number as a program prints it: ``13``, ``-2.5``, ``17/24``, ``-sqrt(265)/15``."""


def _writes_lists(question: str) -> bool:
    """Whether ``question`` writes lists in brackets or a dict itself."""
    return _BRACKETED_LIST.search(question) is not None or "{" in question


def _single_value(value: str) -> str | None:
    """The number a printed one-item list, set or solution of one unknown holds, or None."""
    item = value.strip()
    for _ in range(2):  # [{13}]: a value in brackets in brackets
        found = SOLVED.fullmatch(item) or _ONE_VALUE.fullmatch(item)
        if found is None:
            return None
        item = next(group for group in found.groupdict().values() if group is not None).strip()
        if _NUMBER_LIKE.fullmatch(item) and re.search(r"\d", item):
            return item
    return None


def _sequence_as_asked(question: str, value: str) -> str | None:
    """Numbers written one after another (``2 2 7``), written with the separator
    ``question`` asks for; None where it asks for none, writes lists in brackets, or the
    numbers are written so already."""
    separator = asked_separator(question)
    times = separator is not None and separator.strip() == "×"
    numbers = number_sequence(value, times=times)
    if separator is None or numbers is None or _BRACKETED_LIST.search(question):
        return None
    written = separator.join(numbers)
    return None if written == value.strip() else written


_NUMBER_ROW = re.compile(r"(?<![\w.,])-?\d+(?:\.\d+)?(?: -?\d+(?:\.\d+)?){3,}(?![\w.,])")
"""Four or more numbers in a row, one space apart (``For example 1 0 1 5 4 3 means``,
``Output: 0 0 4 5 0``): how a question writes a sequence of numbers."""


def _numbers(items: list[object] | tuple[object, ...]) -> bool:
    return all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in items)


_BRACKETED_LIST = re.compile(r"\[[^\[\]\n]*,[^\[\]\n]*\]")
"""A list written in brackets with commas (``['3', '5']``, ``[1, 2]``)."""
_COMMAS = re.compile(r"\bcomma[- ]separated\b|\bseparated (?:by|with) (?:a )?commas?\b", re.I)
_SPACES = re.compile(
    r"\bspace[- ]separated\b|\bseparated (?:by|with) (?:a )?(?:single )?(?:space|blank)s?\b"
    r"|\bseparate\b[\w ]{0,40}? with (?:a )?(?:single )?spaces?\b",
    re.I,
)
_NO_SPACES = re.compile(r"\bwithout (?:any )?spaces\b|\bno spaces\b", re.I)


_SYMBOL = re.compile(
    r"\bseparated (?:by|with) (?:an? |the )?(?:single )?[\"'`]?([^\w\s\"'`.,:()\[\]{}])"
)
"""A question asking for items separated by a symbol (``separated by ×``, ``by |``)."""


def asked_separator(question: str) -> str | None:
    """The separator a question asks its answer's items to be written with: ``", "`` for
    ``comma-separated`` (``","`` where it says ``without spaces``), ``" "`` for
    ``space-separated`` or ``Separate the labels with a single space``, a symbol for
    ``separated by ×`` (spaced as the question writes it between two items, else one
    space either side: ``2 × 2 × 3``); None where it asks for none, or for both commas
    and spaces."""
    commas, spaces = _COMMAS.search(question), _SPACES.search(question)
    if commas and not spaces:
        return "," if _NO_SPACES.search(question) else ", "
    if spaces and not commas:
        return " "
    symbol = None if commas or spaces else _SYMBOL.search(question)
    if symbol is None:
        return None
    mark = re.escape(symbol.group(1))
    written = re.search(rf"[\w)\]]( ?){mark}( ?)[\w(\[-]", question)
    return (
        f"{written.group(1)}{symbol.group(1)}{written.group(2)}"
        if written
        else f" {symbol.group(1)} "
    )


def _flat(items: list[object] | tuple[object, ...]) -> bool:
    """Two or more numbers or strings, none holding the separator's line break."""
    return len(items) >= 2 and all(
        isinstance(item, (str, int, float)) and not isinstance(item, bool) and "\n" not in str(item)
        for item in items
    )


_NUMPY_ARRAY = re.compile(r"\[[\[\]\s\d.eE+-]*\]")
"""A NumPy array of numbers as ``print`` shows it: numbers and brackets, no commas."""
_NUMPY_GAP = re.compile(r"(?<=[\d.\]])\s+(?=[-+\d.\[])")
"""The spaces between two of its numbers or rows, where a list has a comma."""


def _literal(text: str) -> object:
    """The Python value ``text`` writes, or None."""
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _is_matrix(value: object) -> bool:
    """A list or tuple of one or more equally long rows of numbers."""
    if not isinstance(value, (list, tuple)) or not value:
        return False
    rows = [row for row in value if isinstance(row, (list, tuple)) and row]
    return len(rows) == len(value) and all(
        len(row) == len(rows[0])
        and all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in row)
        for row in rows
    )


def _json_like(value: object) -> bool:
    """Whether JSON can write ``value`` as it is (no sets, bytes or non-string keys)."""
    if isinstance(value, (list, tuple)):
        return all(_json_like(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _json_like(item) for key, item in value.items())
    return value is None or isinstance(value, (str, int, float, bool))
