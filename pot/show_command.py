"""``pot show FILE``: a saved trace, or one problem of a results file, in the live view.

Exit codes: 0 shown; 2 the file, the id or the notebook path cannot be used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pot.cli_options import EXIT_BAD_INPUT

if TYPE_CHECKING:
    from pot.tasks import ResultRecord
    from pot.trace import Trace


class ShowError(ValueError):
    """The file or the problem cannot be shown; the message says why."""


def show_command(
    file: Annotated[
        Path, typer.Argument(help="A trace (pot solve --trace) or a results file (pot eval).")
    ],
    problem: Annotated[
        str | None,
        typer.Option("--id", help="The problem of a results file to show, e.g. gsm8k/17."),
    ] = None,
    notebook: Annotated[
        Path | None, typer.Option(help="Also save it as a notebook (.ipynb) that replays it.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the trace as JSON instead.")
    ] = False,
) -> None:
    """Show a saved trace, or one problem of a results file, as pot solve shows it live."""
    from rich.console import Console

    from pot.cli_checks import SettingError, check_writable
    from pot.render import trace_renderable
    from pot.terminal import plain, print_error, print_note

    errors = Console(stderr=True)
    try:
        if notebook is not None:
            check_writable(notebook, "--notebook")
        trace, record = load_shown(file, problem)
    except (ShowError, SettingError) as error:
        print_error(errors, error)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        typer.echo(trace.to_json())
    else:
        console = Console()
        if record is not None:
            verdict = "right" if record.correct else f"wrong ({record.error or 'wrong answer'})"
            print_note(console, f"{record.id} · {record.run or 'run'} · {verdict}", "dim")
        console.print(trace_renderable(trace))
        if record is not None:
            console.print(plain(f"gold answer: {record.gold}", "dim"), soft_wrap=True)
    if notebook is not None:
        trace.to_notebook(notebook)
        print_note(errors, f"notebook saved to {notebook}")


def load_shown(file: Path, problem: str | None) -> tuple[Trace, ResultRecord | None]:
    """The trace to show and, for a results file, its record.

    Raises:
        ShowError: Missing or unreadable file, no such id, or a record without a trace.
    """
    from pydantic import ValidationError

    from pot.trace import Trace

    if not file.is_file():
        raise ShowError(f"no such file: {file}")
    if problem is None and file.suffix != ".jsonl":
        try:
            return Trace.load(file), None
        except (ValidationError, ValueError, UnicodeDecodeError) as error:
            first = str(error).splitlines()[0]
            raise ShowError(
                f"{file} is not a trace saved by pot solve --trace ({first}); "
                "for a results file, pick a problem with --id"
            ) from None
    return _from_results(file, problem)


def _from_results(file: Path, problem: str | None) -> tuple[Trace, ResultRecord]:
    from pydantic import ValidationError

    from pot.tasks import ResultsFileError, scan_results
    from pot.trace import Trace

    try:
        records = scan_results(file).records
    except ResultsFileError as error:
        raise ShowError(f"corrupt results file: {error}") from None
    if problem is None:
        ids = ", ".join(record.id for record in records[:3])
        raise ShowError(
            f"{file} holds {len(records)} problems: pick one with --id ({ids}...)"
            if records
            else f"{file} holds no problems"
        )
    found = next((record for record in records if record.id == problem), None)
    if found is None:
        raise ShowError(f"{file} has no problem {problem!r} ({len(records)} problems in it)")
    if found.trace is None:
        raise ShowError(f"{problem} in {file} has no trace (it ended with {found.error})")
    try:
        return Trace.model_validate(found.trace), found
    except ValidationError as error:
        raise ShowError(f"{problem} in {file}: the trace cannot be read ({error})") from None
