"""``pot tasks``: every task pot can evaluate on, with its subtasks."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Annotated, Any

import typer


def task_listing() -> list[dict[str, Any]]:
    """Every listed task: name, description, subtasks (and, for reasoning-gym, its suite,
    each generator's kind, or the install hint when the package is missing)."""
    from pot.tasks import TASKS, MissingDependencyError
    from pot.tasks.gym import INSTALL_HINT, SUITE, generator_kinds, gym_version

    rows: list[dict[str, Any]] = []
    for task in TASKS.values():
        if not task.listed:
            continue
        row: dict[str, Any] = {"name": task.name, "description": task.description}
        if task.name == "rg":
            try:
                row["kinds"] = generator_kinds()
            except MissingDependencyError:
                row.update(installed=False, hint=INSTALL_HINT, suite=list(SUITE))
                rows.append(row)
                continue
            row.update(installed=True, version=gym_version(), suite=list(SUITE))
            row["subtasks"] = sorted(row["kinds"])
        elif task.subtasks is not None:
            row["subtasks"] = list(task.subtasks())
        rows.append(row)
    return rows


def tasks_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """List the tasks and their subtasks (BIG-Bench Hard's, reasoning-gym's generators)."""
    rows = task_listing()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['name']:<10} {row['description']}")
        if row["name"] == "rg":
            _echo_gym(row)
        elif row.get("subtasks"):
            _echo_names(row["subtasks"], "  ")
    typer.echo(
        f"{'FILE':<10} your own problems: FILE.jsonl or FILE.csv with question and answer "
        "(optional id, judge); --judge number|math|exact|choice"
    )


def _echo_gym(row: dict[str, Any]) -> None:
    typer.echo(f"  suite ({len(row['suite'])}, `pot eval rg` or rg:suite):")
    _echo_names(row["suite"], "    ")
    if not row.get("installed"):
        typer.echo(f"  the generators are listed once reasoning-gym is installed: {row['hint']}")
        return
    by_kind: dict[str, list[str]] = defaultdict(list)
    for name, kind in row["kinds"].items():
        by_kind[kind].append(name)
    typer.echo(f"  all {len(row['kinds'])} generators of reasoning-gym {row['version']}, by kind:")
    for kind in sorted(by_kind):
        typer.echo(f"    {kind}:")
        _echo_names(sorted(by_kind[kind]), "      ")


def _echo_names(names: list[str], indent: str, width: int = 88) -> None:
    line = indent
    for name in names:
        piece = name if line == indent else f", {name}"
        if len(line) + len(piece) > width and line != indent:
            typer.echo(line + ",")
            line, piece = indent, name
        line += piece
    if line != indent:
        typer.echo(line)
