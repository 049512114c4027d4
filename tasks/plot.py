"""``pot report --plot FILE.png``: the report drawn with matplotlib (the ``[plot]`` extra).

One figure: accuracy with its 95% interval per run (colour: mode, marker: model);
accuracy against the median completion tokens and against the median seconds of
a problem; and, when the runs span several tasks, accuracy per task with
intervals. The format follows the file's suffix (``.png``, ``.svg``, ``.pdf``...).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pot.tasks.base import MissingDependencyError, TaskError
from pot.tasks.report import Report, RunSummary, TaskSummary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

INSTALL_HINT = "pip install 'pot-reasoning[plot]' (or pip install matplotlib)"
"""How to get the optional package."""

MODE_COLOURS = {
    "plain": "#7f7f7f",
    "cot": "#1f77b4",
    "pot": "#ff7f0e",
    "tir": "#2ca02c",
    "coc": "#d62728",
}
"""A fixed colour per mode, so figures of different reports read alike."""

OTHER_COLOURS = ("#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


class PlotError(TaskError):
    """The figure could not be written (an unknown format, a folder that is missing)."""


def _matplotlib() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingDependencyError(f"--plot needs matplotlib: {INSTALL_HINT}") from None
    return Figure


def _styles(runs: Sequence[RunSummary]) -> dict[str, tuple[str, str]]:
    """Colour by mode and marker by model, for each run."""
    modes = list(dict.fromkeys(run.mode or "?" for run in runs))
    models = list(dict.fromkeys(run.model or "?" for run in runs))
    others = iter(OTHER_COLOURS * (len(modes) // len(OTHER_COLOURS) + 1))
    colour = {mode: MODE_COLOURS.get(mode) or next(others) for mode in modes}
    return {
        run.run: (
            colour[run.mode or "?"],
            MARKERS[models.index(run.model or "?") % len(MARKERS)],
        )
        for run in runs
    }


def _interval(summary: RunSummary | TaskSummary) -> list[list[float]]:
    value = 100 * summary.accuracy
    return [[value - 100 * summary.low], [100 * summary.high - value]]


def _runs_panel(axes: Axes, runs: Sequence[RunSummary], styles: dict[str, Any]) -> None:
    for row, run in enumerate(runs):
        colour, marker = styles[run.run]
        axes.errorbar(
            100 * run.accuracy,
            row,
            xerr=_interval(run),
            fmt=marker,
            color=colour,
            capsize=3,
        )
    labels = [f"#{row} {run.run} (n={run.judged})" for row, run in enumerate(runs, 1)]
    axes.set_yticks(range(len(runs)), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("accuracy % (95% interval)")
    axes.set_title("Accuracy per run")
    axes.grid(axis="x", alpha=0.3)


def _cost_panel(
    axes: Axes, runs: Sequence[RunSummary], styles: dict[str, Any], field: str, label: str
) -> None:
    points: dict[tuple[float, float], list[str]] = {}
    for number, run in enumerate(runs, 1):
        cost = getattr(run, field)
        if cost is None:
            continue
        colour, marker = styles[run.run]
        axes.errorbar(
            cost, 100 * run.accuracy, yerr=_interval(run), fmt=marker, color=colour, capsize=3
        )
        points.setdefault((cost, 100 * run.accuracy), []).append(f"#{number}")
    for point, numbers in points.items():  # runs on the same point share one label
        axes.annotate(",".join(numbers), point, xytext=(4, 4), textcoords="offset points")
    axes.set_xlabel(label)
    axes.set_ylabel("accuracy %")
    axes.set_ylim(0, 100)
    axes.set_title(f"Accuracy against {label}")
    axes.grid(alpha=0.3)
    if not points:
        axes.text(0.5, 0.5, "no data", ha="center", va="center", transform=axes.transAxes)


def _tasks_panel(axes: Axes, runs: Sequence[RunSummary], styles: dict[str, Any]) -> None:
    tasks = sorted({summary.task for run in runs for summary in run.tasks})
    step = 0.8 / max(len(runs), 1)
    for index, run in enumerate(runs):
        colour, marker = styles[run.run]
        offset = -0.4 + step * (index + 0.5)
        found = {summary.task: summary for summary in run.tasks}
        label: str | None = run.run  # on the run's first point only
        for row, task in enumerate(tasks):
            summary = found.get(task)
            if summary is None or not summary.judged:
                continue
            axes.errorbar(
                100 * summary.accuracy,
                row + offset,
                xerr=_interval(summary),
                fmt=marker,
                color=colour,
                markersize=4,
                capsize=2,
                label=label,
            )
            label = None
    for row in range(len(tasks) - 1):
        axes.axhline(row + 0.5, color="#cccccc", linewidth=0.8)
    axes.set_yticks(range(len(tasks)), tasks)
    axes.set_ylim(len(tasks) - 0.5, -0.5)
    axes.set_xlim(0, 100)
    axes.set_xlabel("accuracy % (95% interval)")
    axes.set_title("Accuracy per task")
    axes.grid(axis="x", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")


def plot_report(result: Report, path: str | Path) -> Path:
    """Draw the report into an image file.

    Args:
        result: What ``report`` returned (at least one run).
        path: The file to write; its suffix picks the format (``.png``, ``.svg``...).

    Returns:
        The path written.

    Raises:
        MissingDependencyError: matplotlib is not installed.
        PlotError: The suffix is no format matplotlib writes, or the file cannot be written.
    """
    figure_class = _matplotlib()
    target = Path(path)
    runs = result.runs
    if not runs:
        raise PlotError("nothing to plot: the report holds no runs")
    figure = figure_class(figsize=(8, 6))
    formats = figure.canvas.get_supported_filetypes()
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise PlotError(
            f"cannot write {target.name}: use one of {', '.join('.' + f for f in sorted(formats))}"
        )
    tasks = sorted({summary.task for run in runs for summary in run.tasks})
    many_tasks = len(tasks) > 1
    top = max(3.5, 0.35 * len(runs) + 1.5)
    bottom = max(3.0, len(tasks) * (0.15 + 0.08 * len(runs)) + 1.0) if many_tasks else 0.0
    figure.set_size_inches(15, top + bottom)
    heights = [top, bottom] if many_tasks else [top]
    grid = figure.add_gridspec(len(heights), 3, height_ratios=heights)
    styles = _styles(runs)
    _runs_panel(figure.add_subplot(grid[0, 0]), runs, styles)
    _cost_panel(
        figure.add_subplot(grid[0, 1]),
        runs,
        styles,
        "median_completion_tokens",
        "median completion tokens",
    )
    _cost_panel(figure.add_subplot(grid[0, 2]), runs, styles, "median_seconds", "median seconds")
    if many_tasks:
        _tasks_panel(figure.add_subplot(grid[1, :]), runs, styles)
    figure.set_layout_engine("constrained")
    try:
        figure.savefig(target, dpi=100)
    except OSError as error:
        raise PlotError(f"cannot write {target}: {error.strerror or error}") from None
    return target
