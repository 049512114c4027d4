"""Your own problems: a JSON-lines or CSV file with ``question`` and ``answer``.

``pot eval my.jsonl`` (or ``my.csv``): one problem a line (a row), ``question`` and
``answer`` required, ``id`` and ``judge`` optional; any other field is kept in the
problem's ``meta``. A row's ``judge`` wins over the ``--judge`` option, which wins
over a guess from the gold answers (:func:`guess_judge`).

Ids are ``file/STEM/ID`` (``ID`` the row's ``id``, else its 0-based position), and
the task is ``file/STEM``, so ``pot report`` sets two runs on the same file side by side.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pot.tasks.base import Judgement, Problem, TaskError
from pot.tasks.judge_numeric import judge_number
from pot.tasks.judge_text import judge_choice
from pot.tasks.loaders import parse_options

JUDGES: tuple[str, ...] = ("number", "math", "exact", "choice")
"""Judges a file's problems can name."""

SUFFIXES: tuple[str, ...] = (".jsonl", ".csv")
"""File kinds read as problem files."""

_RESERVED = frozenset({"question", "answer", "id", "judge", "task", "index"})
_NUMERIC = re.compile(r"^[-+]?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*/\s*\d+)?%?$")
_LETTER = re.compile(r"^\(?[A-Z]\)?$")
_MATH = re.compile(
    r"\\|\^|\bsqrt\b|\bpi\b|[{}]|(?<![A-Za-z])[a-z](?![A-Za-z])\s*[-+*/=]"
    r"|[-+*/=]\s*[a-z](?![A-Za-z])|^[\[(].*,.*[\])]$"
)
"""LaTeX, powers, a one-letter variable in an expression (``2x + 1``, ``x = 5``; not a
hyphenated word), or an interval."""
_WORDS = re.compile(r"^[A-Za-z][A-Za-z ,.'!?;:-]*$")
"""Words only (``Owen is a sage``, ``well-known``): no digits, operators or LaTeX."""


class ProblemFileError(TaskError, ValueError):
    """A problem file that cannot be read; the message names the file, line and field."""


def is_problem_file(spec: str) -> bool:
    """Whether a task spec names a problem file (a ``.jsonl``/``.csv`` name, or ``file:PATH``)."""
    text = spec.strip()
    return text.casefold().startswith("file:") or text.casefold().endswith(SUFFIXES)


def file_stem(path: str | os.PathLike[str]) -> str:
    """The name a file's problems are known by: its stem, with odd characters replaced."""
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", Path(path).stem).strip("_") or "file"


def _rows_jsonl(path: Path, lines: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            raise ProblemFileError(f"{path}, line {number}: not JSON ({error})") from None
        if not isinstance(row, dict):
            raise ProblemFileError(
                f"{path}, line {number}: a JSON object with 'question' and 'answer' is needed, "
                f"not {type(row).__name__}"
            )
        yield number, row


def _rows_csv(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    for field in ("question", "answer"):
        if field not in header:
            raise ProblemFileError(
                f"{path}, line 1: the header has no {field!r} column (it has: "
                f"{', '.join(header) or 'nothing'})"
            )
    reader.fieldnames = header
    first = reader.line_num + 1  # a quoted cell may span lines: name the row's first
    for row in reader:
        number, first = first, reader.line_num + 1
        if None in row:
            raise ProblemFileError(f"{path}, line {number}: more cells than the header has columns")
        if not any((value or "").strip() for value in row.values()):
            continue
        yield number, row


def _text(path: Path, number: int, row: dict[str, Any], field: str) -> str:
    value = row.get(field)
    if value is None:
        raise ProblemFileError(f"{path}, line {number}: {field!r} is missing")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ProblemFileError(
            f"{path}, line {number}: {field!r} must be text or a number, not {type(value).__name__}"
        )
    text = str(value).strip()
    if not text:
        raise ProblemFileError(f"{path}, line {number}: {field!r} is empty")
    return text


def _judge_name(path: Path, number: int, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    name = str(value).strip().casefold()
    if name not in JUDGES:
        raise ProblemFileError(
            f"{path}, line {number}: 'judge' is {value!r}; use one of {', '.join(JUDGES)}"
        )
    return name


def guess_judge(golds: Iterable[str]) -> str:
    """Pick a judge from gold answers: ``number`` when every gold is a number, ``choice``
    when every gold is an option letter (``B``, ``(B)``), ``math`` when any looks like
    mathematics (LaTeX, powers, expressions, intervals), else ``exact``.
    """
    golds = [gold.strip() for gold in golds]
    if golds and all(_NUMERIC.match(gold) for gold in golds):
        return "number"
    if golds and all(_LETTER.match(gold) for gold in golds):
        return "choice"
    if any(_MATH.search(gold) for gold in golds):
        return "math"
    return "exact"


def load_file(path: str | os.PathLike[str], judge: str | None = None) -> list[Problem]:
    """Read a problem file (``.jsonl`` or ``.csv``).

    Args:
        path: The file.
        judge: The judge for rows that name none (default: :func:`guess_judge` on
            those rows' golds); one of :data:`JUDGES`.

    Returns:
        The problems in file order; ``meta['judge']`` says how each is judged and
        ``meta['judge_guessed']`` whether that was a guess.

    Raises:
        ProblemFileError: The file is missing, empty, of another kind, or a row lacks
            a field, has a bad one, or repeats an id (the message names file, line, field).
    """
    source = Path(path).expanduser()
    if judge is not None and judge not in JUDGES:
        raise ProblemFileError(f"unknown judge {judge!r}; use one of {', '.join(JUDGES)}")
    if source.suffix.casefold() not in SUFFIXES:
        raise ProblemFileError(f"{source}: a problem file must end in .jsonl or .csv")
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ProblemFileError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProblemFileError(f"{source}: cannot be read ({error})") from None
    if source.suffix.casefold() == ".csv":
        rows = list(_rows_csv(source, text))
    else:
        rows = list(_rows_jsonl(source, text.splitlines()))
    if not rows:
        raise ProblemFileError(f"{source}: holds no problems")
    stem = file_stem(source)
    parsed = [_parse_row(source, number, row, index) for index, (number, row) in enumerate(rows)]
    seen: dict[str, int] = {}
    for row in parsed:
        if row.key in seen:
            raise ProblemFileError(
                f"{source}, line {row.number}: 'id' {row.key!r} repeats the id of line "
                f"{seen[row.key]}"
            )
        seen[row.key] = row.number
    unset = [row.answer for row in parsed if row.judge is None]
    default = judge or (guess_judge(unset) if unset else "exact")
    return [
        Problem(
            id=f"file/{stem}/{row.key}",
            question=row.question,
            answer=row.answer,
            meta={
                **row.extra,
                "task": f"file/{stem}",
                "index": index,
                "line": row.number,
                "judge": row.judge or (default if judge else _row_judge(row, default)),
                "judge_guessed": row.judge is None and judge is None,
            },
        )
        for index, row in enumerate(parsed)
    ]


def _row_judge(row: _Row, default: str) -> str:
    """The judge of one row when it was guessed (``default``, from all the golds): where
    golds are mixed, a gold that is a number is judged as a number beside text (``12.0``
    and ``1,000`` are numbers, not text), an option letter of a question that lists
    ``(A) ...`` options as a choice (``(B) Independence Day`` is ``B``), and a gold of
    plain words as text beside mathematics (math-verify takes ``daniel`` for another
    symbol than ``Daniel``)."""
    gold = row.answer.strip()
    if default == "exact" and _NUMERIC.match(gold):
        return "number"
    if default != "choice" and _LETTER.match(gold) and parse_options(row.question):
        return "choice"
    if default == "math" and _WORDS.match(gold):
        return "exact"
    return default


@dataclass(frozen=True)
class _Row:
    number: int
    key: str
    question: str
    answer: str
    judge: str | None
    extra: dict[str, Any]


def _parse_row(path: Path, number: int, row: dict[str, Any], index: int) -> _Row:
    given = row.get("id")
    return _Row(
        number=number,
        key=_text(path, number, row, "id") if given not in (None, "") else str(index),
        question=_text(path, number, row, "question"),
        answer=_text(path, number, row, "answer"),
        judge=_judge_name(path, number, row.get("judge")),
        extra={key: value for key, value in row.items() if key not in _RESERVED and value != ""},
    )


def exact_match(prediction: object, gold: str) -> Judgement:
    """The ``exact`` judge: equal after trimming, collapsing spaces, ignoring case, the
    spaces around commas (``apple,fig`` is ``apple, fig``) and a sentence's final full
    stop (``Owen is a sage.`` is ``Owen is a sage``)."""
    normalized = _exact_form(str(prediction)) if prediction is not None else None
    return Judgement(
        correct=normalized is not None and normalized == _exact_form(gold), normalized=normalized
    )


def _exact_form(text: str) -> str:
    words = re.sub(r" ?, ?", ",", " ".join(text.split()).casefold())  # a, b is a,b
    return words[:-1].rstrip() if words.endswith(".") and not words.endswith("..") else words


def judge_file_problem(prediction: object, problem: Problem) -> Judgement:
    """Judge a problem read from a file with the judge its ``meta['judge']`` names."""
    name = problem.meta.get("judge", "exact")
    if name == "number":
        return judge_number(prediction, problem.answer)
    if name == "choice":
        return judge_choice(prediction, problem.answer, parse_options(problem.question) or None)
    if name == "math":
        from pot.tasks.registry import default_math_judge

        return default_math_judge()(prediction, problem.answer)
    return exact_match(prediction, problem.answer)
