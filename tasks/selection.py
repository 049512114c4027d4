"""Which of a task's problems a run takes, and in what order: ``--ids``, ``--shard I/N``
and ``--interleave``."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from pot.tasks.base import Problem, ShardSpecError, UnknownProblemError

T = TypeVar("T")


def parse_ids(text: str) -> list[str]:
    """Problem ids from ``--ids``: comma-separated, or ``@FILE`` with one id a line or JSON
    lines with an ``id`` (a results file: ``jq -c 'select(.correct|not)'`` keeps the wrong).

    Raises:
        UnknownProblemError: An unreadable file, a line that is neither, or no id at all.
    """
    if not text.startswith("@"):
        ids = [part.strip() for part in text.split(",") if part.strip()]
    else:
        path = Path(text[1:]).expanduser()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise UnknownProblemError(f"--ids: cannot read {path}: {error}") from None
        ids = []
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line.startswith("{"):
                ids += [line] if line else []
                continue
            try:
                ids.append(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                raise UnknownProblemError(f'--ids: {path} line {number} has no "id"') from None
    if not ids:
        raise UnknownProblemError(f"--ids {text!r} names no problem id")
    return list(dict.fromkeys(ids))


def select_ids(problems: list[Problem], ids: Sequence[str], spec: str) -> list[Problem]:
    """Keep the problems whose id is in ``ids``, in the task's order.

    Raises:
        UnknownProblemError: An id that no problem of ``spec`` has.
    """
    wanted = set(ids)
    missing = wanted - {problem.id for problem in problems}
    if missing:
        some = ", ".join(sorted(missing)[:5]) + (" ..." if len(missing) > 5 else "")
        example = problems[0].id if problems else "none"
        raise UnknownProblemError(
            f"{len(missing)} id(s) not in {spec}: {some} (its ids look like {example})"
        )
    return [problem for problem in problems if problem.id in wanted]


def parse_shard(spec: str | tuple[int, int]) -> tuple[int, int]:
    """Parse ``"I/N"`` (0-based: ``"0/4"`` ... ``"3/4"``) into ``(I, N)``.

    Raises:
        ShardSpecError: Not two integers with ``0 <= I < N``.
    """
    if isinstance(spec, tuple):
        index, count = spec
    else:
        left, slash, right = spec.partition("/")
        try:
            index, count = int(left), int(right)
        except ValueError:
            raise ShardSpecError(f"Shard {spec!r} is not I/N, e.g. 0/4.") from None
        if not slash:
            raise ShardSpecError(f"Shard {spec!r} is not I/N, e.g. 0/4.")
    if count < 1 or not 0 <= index < count:
        raise ShardSpecError(f"Shard {index}/{count}: need 0 <= I < N (shards are 0-based).")
    return index, count


def select_shard(items: Sequence[T], shard: str | tuple[int, int]) -> list[T]:
    """Keep the items whose position ``% N == I``: stable across runs, and the N shards
    together hold every item exactly once.

    Args:
        items: Problems (or anything) in their task order.
        shard: ``"I/N"`` or ``(I, N)``, 0-based.
    """
    index, count = parse_shard(shard)
    return [item for position, item in enumerate(items) if position % count == index]


def interleave(problems: Sequence[Problem]) -> list[Problem]:
    """The problems taken in turn from each task (the first of every task, then the
    second...), each task's in its own order: a run stopped early has measured every
    task alike, not the first tasks whole."""
    by_task: dict[str, list[Problem]] = {}
    for problem in problems:
        by_task.setdefault(problem.task, []).append(problem)
    rounds = itertools.zip_longest(*by_task.values())
    return [problem for one_round in rounds for problem in one_round if problem is not None]
