"""The ``pot`` command line. Library errors become messages and exit codes here only."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from pot._version import __version__
from pot.chat_command import chat_command
from pot.eval_command import eval_command
from pot.info_commands import config_command, models_command
from pot.modes import Mode
from pot.report_command import report_command
from pot.show_command import show_command
from pot.solve_command import solve_command
from pot.tasks_command import tasks_command

if TYPE_CHECKING:
    import click


def _without_flag_types(params: list[Any]) -> list[Any]:
    """Flags take no value: show none in --help (typer's rich help prints ``<bool>``)."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class _Group(TyperGroup):
    def get_params(self, ctx: click.Context) -> list[Any]:
        return _without_flag_types(super().get_params(ctx))


class _Command(TyperCommand):
    def get_params(self, ctx: click.Context) -> list[Any]:
        return _without_flag_types(super().get_params(ctx))


app = typer.Typer(
    name="pot",
    help="Program-of-thought reasoning: a coder model writes Python, Jupyter kernels run it.",
    no_args_is_help=True,
    cls=_Group,
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
        from pot.quiet import show_debug

        os.environ["POT_LOG"] = "debug"
        show_debug()


@app.command("prompt", cls=_Command)
def prompt_command(
    mode: Annotated[Mode, typer.Argument(help="The mode whose prompt to print.")] = Mode.POT,
) -> None:
    """Print a mode's built-in prompt as TOML: save it, edit it, pass it with --prompt."""
    from pot.prompt_file import default_prompt, prompt_toml

    typer.echo(prompt_toml(default_prompt(mode)), nl=False)


# The commands live in their own modules; registering them imports nothing heavy.
app.command("solve", cls=_Command)(solve_command)
app.command("eval", cls=_Command)(eval_command)
app.command("report", cls=_Command)(report_command)
app.command("models", cls=_Command)(models_command)
app.command("config", cls=_Command)(config_command)
app.command("show", cls=_Command)(show_command)
app.command("chat", cls=_Command)(chat_command)
app.command("tasks", cls=_Command)(tasks_command)


def main() -> None:
    app()
