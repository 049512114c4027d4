"""The report: merge shards, summarise runs, compare runs with the baselines.

``pot report FILE...`` is ``render_report(report(FILES))``; ``--json`` prints
``report(FILES).model_dump_json()``; ``--plot FILE`` draws it with
:func:`pot.tasks.plot.plot_report`.

What counts: accuracy is over *judged* problems only. A record whose server or
kernels failed (``model_error``, ``kernel_error``: ``RETRIED_ERRORS``, the kinds
``pot eval`` also leaves out of its running accuracy and solves again on
``--resume``) was never judged: it is listed apart (``not_judged``), never
counted wrong. Every other failure (no answer, a timeout, a judge that raised)
is a wrong answer. A record with a ``score`` (reasoning-gym's partial credit, in
[0, 1]) is correct when the score is 1; the mean score is reported beside.

Baselines: a run of mode ``plain`` (one program, run once) and one of mode
``cot`` are the baselines. When the files hold one, every run of the same model
is compared with it, overall and per subtask (``task``: ``bbh/navigate``,
``rg/basic_arithmetic``); without any, every pair of runs is compared.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from pot.tasks.results import RETRIED_ERRORS, PathLike, ResultRecord, scan_results
from pot.tasks.stats import paired_difference, wilson_interval

DEFAULT_RUN = "run"
"""The label of records that carry none."""

BASELINES = ("plain", "cot")
"""Modes every other run is compared with, in this order, when the files hold them."""

NOT_JUDGED = RETRIED_ERRORS
"""Error kinds of problems that were never judged (the server or the kernels failed)."""


def is_judged(record: ResultRecord) -> bool:
    """Whether the record's answer was judged (its server and kernels worked)."""
    return record.error not in NOT_JUDGED


def _recorded_score(record: ResultRecord) -> float | None:
    score = getattr(record, "score", None)
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        return None
    return min(1.0, max(0.0, float(score))) if math.isfinite(score) else None


def score_of(record: ResultRecord) -> float:
    """The record's score in [0, 1]: its ``score`` field, else 1 if correct, else 0."""
    score = _recorded_score(record)
    if score is None:
        return 1.0 if record.correct else 0.0
    return score


def is_correct(record: ResultRecord) -> bool:
    """Correct: a score of exactly 1 when the record carries a score, else its ``correct``.

    Exactly: reasoning-gym's ``spell_backward`` scores a wrong answer that starts with
    the right one 1.0000000000000002 (its own ``reward == 1.0`` check misses by a
    rounding error), while a right answer scores 1.0.
    """
    score = getattr(record, "score", None)
    if _recorded_score(record) is None:
        return record.correct
    return float(score) == 1.0


class Accuracy(BaseModel):
    """Accuracy over the judged problems of a set of records."""

    problems: int = Field(description="Records, judged or not.")
    judged: int = Field(description="Problems whose answer was judged.")
    correct: int
    accuracy: float = Field(description="correct / judged (0 when nothing was judged).")
    low: float = Field(description="95% Wilson interval, lower end.")
    high: float = Field(description="95% Wilson interval, upper end.")
    mean_score: float = Field(description="Mean score of the judged problems.")
    partial: int = Field(description="Judged problems with a score strictly between 0 and 1.")


def _accuracy(records: Sequence[ResultRecord]) -> dict[str, float | int]:
    judged = [record for record in records if is_judged(record)]
    correct = sum(is_correct(record) for record in judged)
    scores = [score_of(record) for record in judged]
    low, high = wilson_interval(correct, len(judged))
    return {
        "problems": len(records),
        "judged": len(judged),
        "correct": correct,
        "accuracy": correct / len(judged) if judged else 0.0,
        "low": low,
        "high": high,
        "mean_score": sum(scores) / len(scores) if scores else 0.0,
        "partial": sum(0.0 < score < 1.0 for score in scores),
    }


class TaskSummary(Accuracy):
    """Accuracy on one task or subtask (``bbh/navigate``, ``rg/gcd``) of a run."""

    task: str


class RunSummary(Accuracy):
    """One run (all its shards merged)."""

    run: str
    mode: str | None = Field(description="The run's mode (records' 'mode', else its label).")
    model: str | None = Field(description="The run's model (records' 'model', else its label).")
    files: list[str]
    errors: dict[str, int] = Field(
        description="Judged problems that failed, by kind (counted wrong)."
    )
    not_judged: dict[str, int] = Field(
        description="Problems never judged, by kind (server, kernels): not counted."
    )
    mean_steps: float = Field(description="Mean code steps of a judged problem.")
    seconds_per_problem: float = Field(description="Mean wall seconds of a judged problem.")
    median_seconds: float | None = Field(description="Median wall seconds of a judged problem.")
    median_completion_tokens: float | None = Field(
        description="Median completion tokens of a judged problem."
    )
    wall_seconds: float | None = Field(
        description="First start to last finish, when the records carry times."
    )
    problems_per_minute: float | None = Field(description="Throughput over the wall time.")
    completion_tokens: int
    tokens_per_second: float | None = Field(
        description="Completion tokens over the wall time (over the summed problem "
        "seconds when records carry no start/finish times)."
    )
    tasks: list[TaskSummary]
    truncated: int = Field(description="Partly written last lines skipped.")
    duplicates: int = Field(description="Records skipped because their id came earlier.")


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


class Report(BaseModel):
    """Summaries of each run and comparisons (dict form: ``model_dump()``)."""

    runs: list[RunSummary]
    comparisons: list[Comparison]


def _task_summaries(records: Sequence[ResultRecord]) -> list[TaskSummary]:
    by_task: dict[str, list[ResultRecord]] = defaultdict(list)
    for record in records:
        by_task[record.task].append(record)
    return [TaskSummary(task=task, **_accuracy(by_task[task])) for task in sorted(by_task)]


def _most_common(values: Iterable[object]) -> str | None:
    found = Counter(str(value) for value in values if isinstance(value, str) and value)
    return found.most_common(1)[0][0] if found else None


def _mode_and_model(run: str, records: Sequence[ResultRecord]) -> tuple[str | None, str | None]:
    """The mode from the records' ``mode`` field, else from a ``MODE.../MODEL`` label; the
    model from such a label (its short name: ``./m`` and ``/abs/m`` are one model), else
    from the records' ``model`` field."""
    mode = _most_common(getattr(record, "mode", None) for record in records)
    model = _most_common(getattr(record, "model", None) for record in records)
    if "/" in run:
        variant, model = run.split("/", 1)
        prefix = re.match(r"[A-Za-z_]+", variant)
        mode = mode or (prefix.group(0) if prefix else None)
    return mode, model


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def summarize(
    run: str,
    records: Sequence[ResultRecord],
    *,
    files: Sequence[str] = (),
    truncated: int = 0,
    duplicates: int = 0,
) -> RunSummary:
    """Summarise one run's records.

    Accuracy, steps, seconds and tokens are over the judged problems; the others
    are counted in ``not_judged``.

    Args:
        run: The run's label.
        records: Its records, one per problem.
        files: The files they came from (for display).
        truncated: Partly written lines skipped while reading.
        duplicates: Duplicate records skipped while reading.
    """
    judged = [record for record in records if is_judged(record)]
    count = len(judged)
    errors = Counter(record.error for record in judged if record.error)
    not_judged = Counter(record.error for record in records if not is_judged(record))
    starts = [record.started_at for record in records if record.started_at is not None]
    ends = [record.finished_at for record in records if record.finished_at is not None]
    wall = max(ends) - min(starts) if starts and ends and max(ends) > min(starts) else None
    seconds = sum(record.seconds for record in judged)
    tokens = sum(record.completion_tokens for record in judged)
    tokens_time = wall if wall else seconds
    mode, model = _mode_and_model(run, records)
    return RunSummary(
        run=run,
        mode=mode,
        model=model,
        files=list(files),
        **_accuracy(records),
        errors=dict(errors.most_common()),
        not_judged={str(kind): number for kind, number in not_judged.most_common()},
        mean_steps=sum(record.steps for record in judged) / count if count else 0.0,
        seconds_per_problem=seconds / count if count else 0.0,
        median_seconds=_median([record.seconds for record in judged]),
        median_completion_tokens=_median([record.completion_tokens for record in judged]),
        wall_seconds=wall,
        problems_per_minute=60 * len(records) / wall if wall else None,
        completion_tokens=tokens,
        tokens_per_second=tokens / tokens_time if tokens and tokens_time else None,
        tasks=_task_summaries(records),
        truncated=truncated,
        duplicates=duplicates,
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


def report(
    paths: Iterable[PathLike],
    *,
    by: Literal["run", "file"] = "run",
    pairs: Literal["auto", "all"] = "auto",
) -> Report:
    """Read results files, merge shards, summarise each run and compare runs.

    Args:
        paths: Results files: shards of one run, or several runs.
        by: ``"run"`` groups records by their ``run`` label (files of one run are
            merged as shards; records without a label form one run); ``"file"``
            treats each file as its own run, named after the file.
        pairs: ``"auto"``: each run against the ``plain`` and ``cot`` runs of its
            model when there are any (see :func:`choose_pairs`); ``"all"``: every pair.

    Raises:
        ResultsFileError: A file is corrupt before its last line.
    """
    groups: dict[str, list[ResultRecord]] = {}
    group_files: dict[str, list[str]] = defaultdict(list)
    seen: dict[str, set[str]] = defaultdict(set)
    truncated: Counter[str] = Counter()
    duplicates: Counter[str] = Counter()
    for path in paths:
        scan = scan_results(path)
        file_label = Path(path).name
        labels: Counter[str] = Counter()
        for record in scan.records:
            label = file_label if by == "file" else (record.run or DEFAULT_RUN)
            labels[label] += 1
            if file_label not in group_files[label]:
                group_files[label].append(file_label)
            if record.id in seen[label]:
                duplicates[label] += 1
                continue
            seen[label].add(record.id)
            groups.setdefault(label, []).append(record)
        if labels:  # what the reader skipped is charged to the file's main run
            owner = labels.most_common(1)[0][0]
            truncated[owner] += scan.truncated
            duplicates[owner] += scan.duplicates
    runs = [
        summarize(
            label,
            records,
            files=group_files[label],
            truncated=truncated[label],
            duplicates=duplicates[label],
        )
        for label, records in groups.items()
    ]
    comparisons = [
        compare(groups[first], groups[second], names=(first, second), baseline=baseline)
        for first, second, baseline in choose_pairs(runs, pairs)
    ]
    return Report(runs=runs, comparisons=[c for c in comparisons if c.pairs])
