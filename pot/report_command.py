"""``pot report [FILE|FOLDER...]``: summarise results files (by default those in
``runs/``), compare runs with the baselines, and judge their answers again with today's
judges (``--rejudge``).

Exit codes: 0 done; 1 nothing to report; 2 bad input (a missing or corrupt results file,
a file that cannot be judged again, a plot that cannot be drawn).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pot.cli_options import EXIT_BAD_INPUT, EXIT_EMPTY, DataOption, fail

if TYPE_CHECKING:
    from rich.console import Console

    from pot.tasks import ResultRecord
    from pot.tasks.results import PathLike


def results_files(paths: list[Path]) -> list[Path]:
    """``paths`` with each folder replaced by the results files (``*.jsonl``) in it, sorted."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return found


class GroupBy(str, Enum):
    """How ``pot report`` groups records into runs."""

    RUN = "run"
    FILE = "file"


def _rejudger(
    errors: Console, data: Path | None
) -> Callable[[PathLike, list[ResultRecord]], list[ResultRecord]]:
    """``report``'s ``rejudge``: judge a file's answers again and say what changed."""
    from pot.tasks.rejudge import rejudge
    from pot.terminal import print_note

    def again(path: PathLike, records: list[ResultRecord]) -> list[ResultRecord]:
        done = rejudge(path, records, data_dir=data)
        changes = ", ".join(f"{problem} now {verdict}" for problem, verdict in done.changed)
        print_note(
            errors,
            f"re-judged {path}: {done.judged} answers, {len(done.changed)} "
            + ("verdict" if len(done.changed) == 1 else "verdicts")
            + " changed"
            + (f" ({changes})" if changes else ""),
        )
        return done.records

    return again


def report_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Results files (shards and runs) or folders of them; default: the "
            "results files in runs/, where pot eval writes them.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    markdown: Annotated[
        bool,
        typer.Option("--markdown", help="Print the report as Markdown tables (for a README)."),
    ] = False,
    by: Annotated[
        GroupBy, typer.Option("--by", help="Group records by their run label or by file.")
    ] = GroupBy.RUN,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also draw the report into this image (needs matplotlib)."),
    ] = None,
    all_pairs: Annotated[
        bool,
        typer.Option("--all-pairs", help="Compare every pair of runs, not only with baselines."),
    ] = False,
    rejudge: Annotated[
        bool,
        typer.Option(
            "--rejudge",
            help="Judge the answers again with today's judges (the files are not changed); "
            "needs each file's run record and the task's data.",
        ),
    ] = False,
    samples: Annotated[
        bool,
        typer.Option(
            "--samples",
            help="Judge every sample's answer of runs that voted (auto, --samples k): "
            "how often some sample was right against the final answer, and each sample's "
            "own accuracy; needs each file's run record and the task's data.",
        ),
    ] = False,
    data: DataOption = None,
) -> None:
    """Summarise results files: accuracy, errors, timings; runs against plain and cot."""
    from rich.console import Console

    from pot.runs import RUNS_FOLDER
    from pot.tasks import ResultsFileError, TaskError, render_report, report
    from pot.terminal import print_note

    errors = Console(stderr=True)
    if as_json and markdown:
        raise fail(errors, "choose one of --json and --markdown", EXIT_BAD_INPUT)
    if not files and not RUNS_FOLDER.is_dir():
        raise fail(
            errors,
            f"no results files named and no {RUNS_FOLDER}/ folder here: name the files "
            "pot eval wrote (pot report FILE...), or run pot eval first",
            EXIT_EMPTY,
        )
    named = files or [RUNS_FOLDER]
    files = results_files(named)
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise fail(errors, f"no such results file: {', '.join(missing)}", EXIT_BAD_INPUT)
    if not files:
        folders = ", ".join(str(path) for path in named)
        raise fail(errors, f"no results files (*.jsonl) in {folders}", EXIT_EMPTY)
    try:
        result = report(
            files,
            by=by.value,
            pairs="all" if all_pairs else "auto",
            rejudge=_rejudger(errors, data) if rejudge else None,
        )
    except ResultsFileError as error:
        raise fail(errors, f"corrupt results file: {error}", EXIT_BAD_INPUT) from None
    except TaskError as error:
        raise fail(errors, f"cannot re-judge: {error}", EXIT_BAD_INPUT) from None
    if not result.runs:
        raise fail(errors, "the files hold no results", EXIT_EMPTY)
    if samples:
        from pot.tasks.samples import summarize_samples

        try:
            found = summarize_samples(files, by=by.value, data_dir=data)
        except TaskError as error:
            raise fail(errors, f"cannot judge the samples: {error}", EXIT_BAD_INPUT) from None
        if not found:
            print_note(errors, "no run has several samples a problem: nothing to add")
        result = result.model_copy(update={"samples": found})
    if plot is not None:
        from pot.tasks.plot import plot_report

        try:
            print_note(errors, f"plot: {plot_report(result, plot)}")  # a path: never markup
        except TaskError as error:
            raise fail(errors, str(error), EXIT_BAD_INPUT) from None
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    if markdown:
        from pot.tasks.report_markdown import report_markdown

        typer.echo(report_markdown(result), nl=False)
        return
    render_report(result, Console())
