"""Paired comparisons of two runs on the problems both had judged, and which runs to pair.

A run of mode ``plain`` (one program, run once) and one of mode ``cot`` are the
baselines: every other run of the same model is compared with them, overall and
per task (``bbh/navigate``, ``rg/basic_arithmetic``); without any baseline, every
pair of runs is compared.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from pot.tasks.outcomes import is_correct, is_judged
from pot.tasks.results import ResultRecord
from pot.tasks.stats import paired_difference

if TYPE_CHECKING:
    from pot.tasks.report import RunSummary

BASELINES = ("plain", "cot")
"""Modes every other run is compared with, in this order, when the files hold them."""


class Paired(BaseModel):
    """Two runs on the problems both had judged: second minus first."""

    pairs: int
    first_accuracy: float
    second_accuracy: float
    difference: float
    low: float = Field(description="95% interval of the difference, lower end.")
    high: float = Field(description="95% interval of the difference, upper end.")
    both: int
    only_first: int = Field(description="First right, second wrong.")
    only_second: int = Field(description="Second right, first wrong.")
    neither: int
    p_value: float = Field(description="Exact McNemar test, two-sided.")


class TaskComparison(Paired):
    """A comparison restricted to one task or subtask."""

    task: str


class Comparison(Paired):
    """Two runs on the problems both had judged, overall and per task."""

    first: str
    second: str
    baseline: str | None = Field(
        default=None, description="The first run's mode when it is a baseline (plain, cot)."
    )
    tasks: list[TaskComparison] = Field(
        default_factory=list, description="Per task, when the pairs span more than one."
    )


def _paired(first: Sequence[bool], second: Sequence[bool]) -> dict[str, float | int]:
    paired = paired_difference(list(first), list(second))
    pairs = paired.pairs
    return {
        "pairs": pairs,
        "first_accuracy": sum(first) / pairs if pairs else 0.0,
        "second_accuracy": sum(second) / pairs if pairs else 0.0,
        "difference": paired.difference,
        "low": paired.low,
        "high": paired.high,
        "both": paired.both,
        "only_first": paired.only_first,
        "only_second": paired.only_second,
        "neither": paired.neither,
        "p_value": paired.p_value,
    }


def compare(
    first: Sequence[ResultRecord],
    second: Sequence[ResultRecord],
    *,
    names: tuple[str, str] = ("first", "second"),
    baseline: str | None = None,
) -> Comparison:
    """Compare two runs on the problems both had judged (matched by id).

    Args:
        first: The first run's records (the baseline).
        second: The second run's records.
        names: Labels of the two runs.
        baseline: The first run's mode, when it is compared as a baseline.
    """
    second_by_id = {record.id: record for record in second if is_judged(record)}
    common = [(record, second_by_id[record.id]) for record in first if record.id in second_by_id]
    common = [(a, b) for a, b in common if is_judged(a)]
    by_task: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for a, b in common:
        by_task[a.task].append((is_correct(a), is_correct(b)))
    tasks = [
        TaskComparison(task=task, **_paired(*_unzip(by_task[task]))) for task in sorted(by_task)
    ]
    return Comparison(
        first=names[0],
        second=names[1],
        baseline=baseline,
        **_paired([is_correct(a) for a, _ in common], [is_correct(b) for _, b in common]),
        tasks=tasks if len(tasks) > 1 else [],
    )


def _unzip(pairs: Sequence[tuple[bool, bool]]) -> tuple[list[bool], list[bool]]:
    return [a for a, _ in pairs], [b for _, b in pairs]


def is_baseline(run: RunSummary) -> bool:
    """A ``plain`` or ``cot`` run with the built-in prompt and one sample.

    A label ``MODE/MODEL`` must be exactly the mode (``cot+mine/...`` or
    ``cot-k5/...`` are runs like any other); a label without ``/`` (``--by file``)
    goes by the records' mode.
    """
    if run.mode not in BASELINES:
        return False
    return "/" not in run.run or run.run.split("/", 1)[0] == run.mode


def choose_pairs(
    runs: Sequence[RunSummary], pairs: Literal["auto", "all"] = "auto"
) -> list[tuple[str, str, str | None]]:
    """Which runs to compare: ``(first, second, baseline mode or None)``.

    ``"auto"``: every run against each baseline of the same model (``plain`` first,
    then ``cot``); runs of a model without a baseline pairwise among themselves; no
    baseline anywhere: every pair. ``"all"``: every pair.
    """
    everything = [(a.run, b.run, None) for a, b in itertools.combinations(runs, 2)]
    baselines = sorted(
        (run for run in runs if is_baseline(run)),
        key=lambda run: BASELINES.index(run.mode or ""),
    )
    if pairs == "all" or not baselines:
        return everything
    chosen: list[tuple[str, str, str | None]] = []
    seen: set[frozenset[str]] = set()
    for base in baselines:
        for run in runs:
            key = frozenset((base.run, run.run))
            if run.run == base.run or run.model != base.model or key in seen:
                continue
            seen.add(key)
            chosen.append((base.run, run.run, base.mode))
    covered = {run.model for run in baselines}
    for first, second in itertools.combinations(runs, 2):
        if first.model == second.model and first.model not in covered:
            chosen.append((first.run, second.run, None))
    return chosen
