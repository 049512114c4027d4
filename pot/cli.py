"""The ``pot`` command line. Library errors become messages and exit codes here only."""

from __future__ import annotations

import typer

from pot._version import __version__

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
) -> None:
    """pot: program-of-thought reasoning."""


def main() -> None:
    app()
