"""The report: merge shards, summarise runs, compare two runs on the same problems.

``pot report FILE...`` is ``render_report(report(FILES))``; ``--json`` prints
``report(FILES).model_dump_json()``.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from pot.tasks.results import PathLike, ResultRecord, scan_results
from pot.tasks.stats import paired_difference, wilson_interval

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_RUN = "run"
"""The label of records that carry none."""


class TaskSummary(BaseModel):
    """Accuracy on one task (or BIG-Bench Hard subtask) of a run."""

    task: str
    problems: int
    correct: int
    accuracy: float
    low: float = Field(description="95% Wilson interval, lower end.")
    high: float = Field(description="95% Wilson interval, upper end.")


class RunSummary(BaseModel):
    """One run (all its shards merged)."""

    run: str
    files: list[str]
    problems: int
    correct: int
    accuracy: float
    low: float = Field(description="95% Wilson interval, lower end.")
    high: float = Field(description="95% Wilson interval, upper end.")
    errors: dict[str, int] = Field(description="Problems by error kind ('none' excluded).")
    mean_steps: float
    seconds_per_problem: float = Field(description="Mean wall seconds of one problem.")
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


class Comparison(BaseModel):
    """Two runs on the problems both finished: second minus first."""

    first: str
    second: str
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


class Report(BaseModel):
    """Summaries of each run and pairwise comparisons (dict form: ``model_dump()``)."""

    runs: list[RunSummary]
    comparisons: list[Comparison]


def _task_summaries(records: Sequence[ResultRecord]) -> list[TaskSummary]:
    by_task: dict[str, list[bool]] = defaultdict(list)
    for record in records:
        by_task[record.task].append(record.correct)
    summaries = []
    for task in sorted(by_task):
        verdicts = by_task[task]
        low, high = wilson_interval(sum(verdicts), len(verdicts))
        summaries.append(
            TaskSummary(
                task=task,
                problems=len(verdicts),
                correct=sum(verdicts),
                accuracy=sum(verdicts) / len(verdicts),
                low=low,
                high=high,
            )
        )
    return summaries


def summarize(
    run: str,
    records: Sequence[ResultRecord],
    *,
    files: Sequence[str] = (),
    truncated: int = 0,
    duplicates: int = 0,
) -> RunSummary:
    """Summarise one run's records.

    Args:
        run: The run's label.
        records: Its records, one per problem.
        files: The files they came from (for display).
        truncated: Partly written lines skipped while reading.
        duplicates: Duplicate records skipped while reading.
    """
    count = len(records)
    correct = sum(record.correct for record in records)
    low, high = wilson_interval(correct, count)
    errors = Counter(record.error for record in records if record.error)
    starts = [record.started_at for record in records if record.started_at is not None]
    ends = [record.finished_at for record in records if record.finished_at is not None]
    wall = max(ends) - min(starts) if starts and ends and max(ends) > min(starts) else None
    seconds = sum(record.seconds for record in records)
    tokens = sum(record.completion_tokens for record in records)
    tokens_time = wall if wall else seconds
    return RunSummary(
        run=run,
        files=list(files),
        problems=count,
        correct=correct,
        accuracy=correct / count if count else 0.0,
        low=low,
        high=high,
        errors=dict(errors.most_common()),
        mean_steps=sum(record.steps for record in records) / count if count else 0.0,
        seconds_per_problem=seconds / count if count else 0.0,
        wall_seconds=wall,
        problems_per_minute=60 * count / wall if wall else None,
        completion_tokens=tokens,
        tokens_per_second=tokens / tokens_time if tokens and tokens_time else None,
        tasks=_task_summaries(records),
        truncated=truncated,
        duplicates=duplicates,
    )


def compare(
    first: Sequence[ResultRecord],
    second: Sequence[ResultRecord],
    *,
    names: tuple[str, str] = ("first", "second"),
) -> Comparison:
    """Compare two runs on the problems both finished (matched by id).

    Args:
        first: The first run's records (the baseline).
        second: The second run's records.
        names: Labels of the two runs.
    """
    second_by_id = {record.id: record.correct for record in second}
    common = [record for record in first if record.id in second_by_id]
    first_correct = [record.correct for record in common]
    second_correct = [second_by_id[record.id] for record in common]
    paired = paired_difference(first_correct, second_correct)
    pairs = paired.pairs
    return Comparison(
        first=names[0],
        second=names[1],
        pairs=pairs,
        first_accuracy=sum(first_correct) / pairs if pairs else 0.0,
        second_accuracy=sum(second_correct) / pairs if pairs else 0.0,
        difference=paired.difference,
        low=paired.low,
        high=paired.high,
        both=paired.both,
        only_first=paired.only_first,
        only_second=paired.only_second,
        neither=paired.neither,
        p_value=paired.p_value,
    )


def report(paths: Iterable[PathLike], *, by: Literal["run", "file"] = "run") -> Report:
    """Read results files, merge shards, summarise each run and compare runs pairwise.

    Args:
        paths: Results files: shards of one run, or several runs.
        by: ``"run"`` groups records by their ``run`` label (files of one run are
            merged as shards; records without a label form one run); ``"file"``
            treats each file as its own run, named after the file.

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
        compare(groups[first], groups[second], names=(first, second))
        for first, second in itertools.combinations(groups, 2)
    ]
    return Report(runs=runs, comparisons=[c for c in comparisons if c.pairs])


def _percent(value: float) -> str:
    return f"{100 * value:.1f}"


def render_report(result: Report, console: Console | None = None) -> None:
    """Print a report as rich tables: runs, per-task accuracy, comparisons.

    Args:
        result: What ``report`` returned.
        console: Where to print (default: a new ``rich.console.Console``).
    """
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    runs = Table(title="Runs")
    runs.add_column("#", justify="right", no_wrap=True)
    for column in ("run", "n", "acc %", "95% CI", "errors", "steps", "s/prob", "tok/s"):
        left = column in ("run", "errors")
        runs.add_column(
            column,
            justify="left" if left else "right",
            no_wrap=not left,
            overflow="fold" if left else "ellipsis",
        )
    number = {run.run: str(index) for index, run in enumerate(result.runs, 1)}
    # a narrow terminal has no room for run names in the other tables: use numbers
    named = console.width >= 150
    for run in result.runs:
        errors = ", ".join(f"{kind} {count}" for kind, count in run.errors.items()) or "-"
        runs.add_row(
            number[run.run],
            run.run,
            str(run.problems),
            _percent(run.accuracy),
            f"{_percent(run.low)}-{_percent(run.high)}",
            errors,
            f"{run.mean_steps:.2f}",
            f"{run.seconds_per_problem:.2f}",
            f"{run.tokens_per_second:.1f}" if run.tokens_per_second else "-",
        )
    console.print(runs)
    if any(len(run.tasks) > 1 for run in result.runs):
        tasks = Table(title="Accuracy by task (%)")
        tasks.add_column("task")
        for run in result.runs:
            tasks.add_column(run.run if named else f"#{number[run.run]}", justify="right")
        names = sorted({summary.task for run in result.runs for summary in run.tasks})
        by_run = [{summary.task: summary for summary in run.tasks} for run in result.runs]
        for name in names:
            cells = [
                f"{_percent(found[name].accuracy)} ({found[name].problems})"
                if name in found
                else "-"
                for found in by_run
            ]
            tasks.add_row(name, *cells)
        console.print(tasks)
    if result.comparisons:
        table = Table(title="Paired: B - A on the problems both finished")
        table.add_column("A vs B", overflow="fold", min_width=8)
        for column in ("pairs", "A %", "B %", "B-A", "95% CI", "only A/B", "McNemar p"):
            table.add_column(column, justify="right", no_wrap=True)
        for item in result.comparisons:
            table.add_row(
                f"{item.first}\nvs {item.second}"
                if named
                else f"#{number.get(item.first, '?')} vs #{number.get(item.second, '?')}",
                str(item.pairs),
                _percent(item.first_accuracy),
                _percent(item.second_accuracy),
                f"{100 * item.difference:+.1f}",
                f"{100 * item.low:+.1f}..{100 * item.high:+.1f}",
                f"{item.only_first}/{item.only_second}",
                f"{item.p_value:.3g}",
            )
        console.print(table)
    notes = [
        f"{run.run}: skipped {run.truncated} partial line(s), {run.duplicates} duplicate(s)"
        for run in result.runs
        if run.truncated or run.duplicates
    ]
    for note in notes:
        console.print(note, style="dim")
