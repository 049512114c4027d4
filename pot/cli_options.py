"""Options and exit codes shared by the commands that solve (``pot solve``, ``pot eval``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pot.modes import Mode

EXIT_BAD_INPUT = 2
EXIT_MODEL = 3
EXIT_EXECUTOR = 4

ModeOption = Annotated[Mode, typer.Option("--mode", "-m", help="How to reason.")]
ModelOption = Annotated[
    str | None,
    typer.Option(help="Model alias, folder, GGUF file or openai:NAME@URL (see pot models)."),
]
SamplesOption = Annotated[
    int, typer.Option("--samples", "-k", min=1, help="Self-consistency samples.")
]
MaxStepsOption = Annotated[
    int | None, typer.Option(min=1, help="Generations per sample (default by mode).")
]
TimeoutOption = Annotated[float, typer.Option(min=0.1, help="Seconds per code run.")]
ExecutorOption = Annotated[
    str | None,
    typer.Option(
        envvar="POT_EXECUTOR",
        help="Where code runs: local (sandboxed where possible), sandbox, unconfined, "
        "or gateway:URL (a Jupyter kernel gateway; token from POT_GATEWAY_TOKEN).",
    ),
]
PromptOption = Annotated[
    Path | None,
    typer.Option(
        "--prompt",
        help="Your own system message and examples, a TOML file (start from `pot prompt MODE`).",
    ),
]
