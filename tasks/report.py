"""The report: merge shards, summarise runs, compare runs with the baselines.

``pot report FILE...`` is ``render_report(report(FILES))``; ``--json`` prints
``report(FILES).model_dump_json()``; ``--plot FILE`` draws it with
:func:`pot.tasks.plot.plot_report`.

Accuracy is over judged problems; the server's and the kernels' failures are
listed apart (:mod:`pot.tasks.outcomes`); the mean score is reported beside when
any is partial. Runs are compared with the ``plain`` and ``cot`` runs of their
model, overall and per task (:mod:`pot.tasks.compare`).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from pot.tasks.compare import BASELINES, Comparison, TaskComparison, choose_pairs, compare
from pot.tasks.outcomes import NOT_JUDGED, is_correct, is_judged, score_of
from pot.tasks.results import PathLike, ResultRecord, group_label, scan_results
from pot.tasks.samples import SampleSummary
from pot.tasks.stats import wilson_interval

__all__ = [
    "BASELINES",
    "NOT_JUDGED",
    "Comparison",
    "Report",
    "RunSummary",
    "TaskComparison",
    "TaskSummary",
    "choose_pairs",
    "compare",
    "is_correct",
    "is_judged",
    "report",
    "score_of",
    "summarize",
]


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


class Report(BaseModel):
    """Summaries of each run and comparisons (dict form: ``model_dump()``)."""

    runs: list[RunSummary]
    comparisons: list[Comparison]
    samples: list[SampleSummary] = Field(
        default_factory=list,
        description="How each run's votes went, sample by sample (``pot report --samples``).",
    )


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


def report(
    paths: Iterable[PathLike],
    *,
    by: Literal["run", "file"] = "run",
    pairs: Literal["auto", "all"] = "auto",
    rejudge: Callable[[PathLike, list[ResultRecord]], list[ResultRecord]] | None = None,
) -> Report:
    """Read results files, merge shards, summarise each run and compare runs.

    Args:
        paths: Results files: shards of one run, or several runs.
        by: ``"run"`` groups records by their ``run`` label (files of one run are
            merged as shards; records without a label form one run); ``"file"``
            treats each file as its own run, named after the file.
        pairs: ``"auto"``: each run against the ``plain`` and ``cot`` runs of its
            model when there are any (see :func:`choose_pairs`); ``"all"``: every pair.
        rejudge: Given a file and its records, the records to report instead (``pot
            report --rejudge`` judges them again, :mod:`pot.tasks.rejudge`).

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
        for record in scan.records if rejudge is None else rejudge(path, scan.records):
            label = group_label(record, path, by)
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
