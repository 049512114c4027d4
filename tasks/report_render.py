"""The report as rich tables, readable in an 80-column terminal.

Runs are numbered; under 150 columns the tables that name several runs in their
headers name them by number (``#2``, ``#1 vs #3``), and wide matrices (per-task
accuracy, per-task differences) are split into as many tables as the width needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pot.tasks.report import Comparison, Report, RunSummary
from pot.tasks.samples import SampleSummary, samples_line

if TYPE_CHECKING:
    from rich.console import Console

WIDE = 150
"""Terminal width from which run names fit in table headers."""

SIGNIFICANT = 0.05
"""McNemar p below which a per-task difference is starred."""


def _escape(text: str) -> str:
    """Run labels, task names and error kinds print as written, never as rich markup."""
    from rich.markup import escape

    return escape(text)


def percent(value: float) -> str:
    """A share as a percentage with one decimal (``0.4`` -> ``40.0``), as every report
    table writes it."""
    return f"{100 * value:.1f}"


def _kinds(counts: dict[str, int]) -> str:
    return _escape(", ".join(f"{kind} {count}" for kind, count in counts.items()) or "-")


def optional(value: float | None, digits: int) -> str:
    """A figure to ``digits`` places, or ``-`` where there is none."""
    return "-" if value is None else f"{value:.{digits}f}"


def render_report(result: Report, console: Console | None = None) -> None:
    """Print a report as rich tables: runs, cost, per-task accuracy, comparisons.

    Args:
        result: What ``report`` returned.
        console: Where to print (default: a new ``rich.console.Console``).
    """
    from rich.console import Console

    console = console or Console()
    number = {run.run: str(index) for index, run in enumerate(result.runs, 1)}
    named = console.width >= WIDE
    _runs_table(console, result.runs, number)
    _cost_table(console, result.runs, number)
    if any(len(run.tasks) > 1 for run in result.runs):
        _by_task(console, result.runs, number, named)
    if result.comparisons:
        _paired_table(console, result.comparisons, number, named)
        if any(item.tasks for item in result.comparisons):
            _paired_by_task(console, result.comparisons, number, named)
    for summary in result.samples:
        _samples_table(console, summary)
    for run in result.runs:
        if run.truncated or run.duplicates:
            console.print(
                f"{_escape(run.run)}: skipped {run.truncated} partial line(s), "
                f"{run.duplicates} duplicate(s)",
                style="dim",
            )


def _runs_table(console: Console, runs: Sequence[RunSummary], number: dict[str, str]) -> None:
    from rich.table import Table

    scores = any(run.partial for run in runs)
    unjudged = any(run.not_judged for run in runs)
    table = Table(title="Runs: accuracy over judged problems")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("run", overflow="fold")
    for column in ("n", "acc %", "95% CI") + (("score",) if scores else ()):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("failures", overflow="fold")
    if unjudged:
        table.add_column("not judged", overflow="fold")
    for run in runs:
        cells = [
            number[run.run],
            _escape(run.run),
            str(run.judged),
            percent(run.accuracy),
            f"{percent(run.low)}-{percent(run.high)}",
            *([f"{run.mean_score:.3f}"] if scores else []),
            _kinds(run.errors),
            *([_kinds(run.not_judged)] if unjudged else []),
        ]
        table.add_row(*cells)
    console.print(table)
    if unjudged:
        console.print(
            "not judged: the server or the kernels failed; "
            "not counted in n or accuracy (pot eval --resume solves them again)",
            style="dim",
        )


def _cost_table(console: Console, runs: Sequence[RunSummary], number: dict[str, str]) -> None:
    from rich.table import Table

    table = Table(title="Cost of a judged problem")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("run", overflow="fold")
    for column in ("steps", "med tok", "med s", "s/prob", "tok/s"):
        table.add_column(column, justify="right", no_wrap=True)
    for run in runs:
        table.add_row(
            number[run.run],
            _escape(run.run),
            f"{run.mean_steps:.2f}",
            optional(run.median_completion_tokens, 0),
            optional(run.median_seconds, 2),
            f"{run.seconds_per_problem:.2f}",
            f"{run.tokens_per_second:.1f}" if run.tokens_per_second else "-",
        )
    console.print(table)


def _samples_table(console: Console, summary: SampleSummary) -> None:
    from rich.table import Table

    table = Table(
        title=f"Samples of {_escape(summary.run)}", caption=_escape(samples_line(summary))
    )
    table.add_column("sample", justify="right", no_wrap=True)
    table.add_column("what", overflow="fold")
    for column in ("ran", "answered", "right", "acc %"):
        table.add_column(column, justify="right", no_wrap=True)
    for count in summary.samples:
        table.add_row(
            str(count.sample),
            _escape(count.name),
            str(count.problems),
            str(count.answered),
            str(count.correct),
            percent(count.correct / count.problems),
        )
    console.print(table)


def _by_task(
    console: Console, runs: Sequence[RunSummary], number: dict[str, str], named: bool
) -> None:
    tasks = sorted({summary.task for run in runs for summary in run.tasks})
    found = [{summary.task: summary for summary in run.tasks} for run in runs]
    headers = [_escape(run.run) if named else f"#{number[run.run]}" for run in runs]

    def column(index: int, cell: Callable[[str], str]) -> list[str]:
        return [cell(task) if task in found[index] else "-" for task in tasks]

    accuracy = [
        (
            headers[index],
            column(
                index,
                lambda task, i=index: (
                    f"{percent(found[i][task].accuracy)} ({found[i][task].judged})"
                ),
            ),
        )
        for index in range(len(runs))
    ]
    _matrix(console, "Accuracy by task: % (judged)", tasks, accuracy)
    if any(summary.partial for run in runs for summary in run.tasks):
        scores = [
            (headers[i], column(i, lambda task, i=i: f"{found[i][task].mean_score:.3f}"))
            for i in range(len(runs))
        ]
        _matrix(console, "Mean score by task", tasks, scores)


def _pair_name(item: Comparison, number: dict[str, str], named: bool) -> str:
    if named:
        return _escape(f"{item.first}\nvs {item.second}")
    return f"#{number.get(item.first, '?')} vs #{number.get(item.second, '?')}"


def _paired_table(
    console: Console, comparisons: Sequence[Comparison], number: dict[str, str], named: bool
) -> None:
    from rich.table import Table

    table = Table(title="Paired: B - A on the problems both had judged")
    table.add_column("A vs B", overflow="fold", min_width=8)
    for column in ("pairs", "A %", "B %", "B-A", "95% CI", "only A/B", "McNemar p"):
        table.add_column(column, justify="right", no_wrap=True)
    for item in comparisons:
        table.add_row(
            _pair_name(item, number, named),
            str(item.pairs),
            percent(item.first_accuracy),
            percent(item.second_accuracy),
            f"{100 * item.difference:+.1f}",
            f"{100 * item.low:+.1f}..{100 * item.high:+.1f}",
            f"{item.only_first}/{item.only_second}",
            f"{item.p_value:.3g}",
        )
    console.print(table)


def _paired_by_task(
    console: Console, comparisons: Sequence[Comparison], number: dict[str, str], named: bool
) -> None:
    shown = [item for item in comparisons if item.tasks]
    tasks = sorted({entry.task for item in shown for entry in item.tasks})
    columns = []
    for item in shown:
        by_task = {entry.task: entry for entry in item.tasks}
        cells = []
        for task in tasks:
            entry = by_task.get(task)
            if entry is None:
                cells.append("-")
                continue
            star = "*" if entry.p_value < SIGNIFICANT else ""
            cells.append(
                f"{100 * entry.difference:+.1f} {entry.only_first}/{entry.only_second}{star}"
            )
        columns.append((_pair_name(item, number, named), cells))
    _matrix(console, "Paired by task: B - A points, only A/B", tasks, columns)
    console.print(f"* McNemar p < {SIGNIFICANT} on that task", style="dim")


def _matrix(
    console: Console,
    title: str,
    rows: Sequence[str],
    columns: Sequence[tuple[str, Sequence[str]]],
) -> None:
    """Print a task x column table, split into several so each fits the console's width."""
    from rich.table import Table

    name_width = min(max(len(row) for row in [*rows, "task"]), 32)
    widths = [
        max(len(line) for text in [header, *cells] for line in text.splitlines() or [""])
        for header, cells in columns
    ]
    chunks: list[list[int]] = [[]]
    used = name_width + 4  # the task column, its padding and the table's outer borders
    for index, width in enumerate(widths):
        if chunks[-1] and used + width + 3 > console.width:
            chunks.append([])
            used = name_width + 4
        chunks[-1].append(index)
        used += width + 3
    for part, chunk in enumerate(chunks):
        suffix = f" ({part + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        table = Table(title=title + suffix)
        table.add_column("task", overflow="fold")
        for index in chunk:
            table.add_column(columns[index][0], justify="right", no_wrap=True)
        for row, name in enumerate(rows):
            table.add_row(_escape(name), *(columns[index][1][row] for index in chunk))
        console.print(table)
