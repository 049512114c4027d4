"""The report as GitHub-flavoured Markdown tables, to paste into a README or a paper.

The same figures as :func:`~pot.tasks.report_render.render_report`, every run named in
full (no ``#2`` numbers: a page has room), one table each: runs, paired comparisons,
accuracy by task and paired differences by task when a run has several tasks, and
the samples of runs that voted.
"""

from __future__ import annotations

from collections.abc import Sequence

from pot.tasks.compare import TaskComparison
from pot.tasks.report import Comparison, Report, RunSummary
from pot.tasks.report_render import SIGNIFICANT, optional, percent
from pot.tasks.samples import SampleSummary, samples_line


def report_markdown(result: Report) -> str:
    """``result`` as Markdown: a heading-less series of tables, each with a caption line."""
    parts = [_runs(result.runs)]
    if result.comparisons:
        parts.append(_paired(result.comparisons))
    if any(len(run.tasks) > 1 for run in result.runs):
        parts.append(_by_task(result.runs))
        shown = [item for item in result.comparisons if item.tasks]
        if shown:
            parts.append(_paired_by_task(shown))
    parts += [_samples(summary) for summary in result.samples]
    return "\n\n".join(parts) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, line breaks as spaces."""
    return " ".join(text.replace("|", "\\|").split())


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: Sequence[int] = (0,)) -> str:
    """A Markdown table: the ``left`` columns (names) left-aligned, the figures right."""
    rule = ["---" if index in left else "---:" for index in range(len(header))]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(_cell(cell) for cell in line) + " |" for line in lines)


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in counts.items()) or "-"


def _runs(runs: Sequence[RunSummary]) -> str:
    scores = any(run.partial for run in runs)
    header = ["run", "judged", "accuracy % (95% CI)"]
    header += ["mean score"] if scores else []
    header += ["median completion tokens", "median s", "failures (counted wrong)"]
    rows = [
        [
            f"`{run.run}`",
            str(run.judged),
            f"{percent(run.accuracy)} ({percent(run.low)}-{percent(run.high)})",
            *([f"{run.mean_score:.3f}"] if scores else []),
            optional(run.median_completion_tokens, 0),
            optional(run.median_seconds, 1),
            _kinds(run.errors),
        ]
        for run in runs
    ]
    note = ""
    if any(run.not_judged for run in runs):
        unjudged = "; ".join(
            f"`{run.run}`: {_kinds(run.not_judged)}" for run in runs if run.not_judged
        )
        note = f"\n\nNot judged (the server or the kernels failed; not counted): {unjudged}."
    table = _table(header, rows, left=(0, len(header) - 1))
    return "**Runs**, accuracy over judged problems:\n\n" + table + note


def _paired(comparisons: Sequence[Comparison]) -> str:
    header = ["A", "B", "pairs", "A %", "B %", "B − A (95% CI)", "only A / only B", "McNemar p"]
    rows = [
        [
            f"`{item.first}`",
            f"`{item.second}`",
            str(item.pairs),
            percent(item.first_accuracy),
            percent(item.second_accuracy),
            f"{100 * item.difference:+.1f} ({100 * item.low:+.1f}..{100 * item.high:+.1f})",
            f"{item.only_first} / {item.only_second}",
            f"{item.p_value:.3g}",
        ]
        for item in comparisons
    ]
    return "**Paired**, B − A on the problems both judged:\n\n" + _table(header, rows, left=(0, 1))


def _by_task(runs: Sequence[RunSummary]) -> str:
    tasks = sorted({summary.task for run in runs for summary in run.tasks})
    found = [{summary.task: summary for summary in run.tasks} for run in runs]
    header = ["task", *(f"`{run.run}`" for run in runs)]
    rows = [
        [
            task,
            *(
                f"{percent(each[task].accuracy)} ({each[task].judged})" if task in each else "-"
                for each in found
            ),
        ]
        for task in tasks
    ]
    return "**Accuracy by task**, % (judged):\n\n" + _table(header, rows)


def _paired_by_task(comparisons: Sequence[Comparison]) -> str:
    tasks = sorted({entry.task for item in comparisons for entry in item.tasks})
    found = [{entry.task: entry for entry in item.tasks} for item in comparisons]
    header = ["task", *(f"`{item.second}` − `{item.first}`" for item in comparisons)]
    rows = [
        [task, *(_difference(each[task]) if task in each else "-" for each in found)]
        for task in tasks
    ]
    caption = (
        "**Paired by task**, B − A points (only A / only B); "
        f"* McNemar p < {SIGNIFICANT} on that task:\n\n"
    )
    return caption + _table(header, rows)


def _difference(entry: TaskComparison) -> str:
    mark = " *" if entry.p_value < SIGNIFICANT else ""
    return f"{100 * entry.difference:+.1f} ({entry.only_first} / {entry.only_second}){mark}"


def _samples(summary: SampleSummary) -> str:
    header = ["sample", "what", "ran", "answered", "right", "accuracy %"]
    rows = [
        [
            str(count.sample),
            count.name,
            str(count.problems),
            str(count.answered),
            str(count.correct),
            percent(count.correct / count.problems),
        ]
        for count in summary.samples
    ]
    table = _table(header, rows, left=(1,))
    return f"**Samples of `{summary.run}`**: {samples_line(summary)}\n\n" + table
