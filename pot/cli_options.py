"""Options, exit codes and the error exit shared by the commands that solve (``pot
solve``, ``pot eval``, ``pot chat``) and report (``pot report``).

Options that a config file may set default to None here; :mod:`pot.config` fills
them in (flag, then environment, then config files, then pot's default).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pot.modes import DEFAULT_MODE, Mode

if TYPE_CHECKING:
    from rich.console import Console

EXIT_EMPTY = 1
EXIT_BAD_INPUT = 2
EXIT_MODEL = 3
EXIT_EXECUTOR = 4


class Quantization(str, Enum):
    """How a local model's weights are held in memory."""

    NF4 = "nf4"
    INT8 = "int8"
    NONE = "none"
    GGUF = "gguf"


ModeOption = Annotated[
    Mode | None,
    typer.Option(
        "--mode", help=f"How to reason (default {DEFAULT_MODE.value}).", show_default=False
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model alias, folder, GGUF file or openai:NAME@URL (see pot models) (or $POT_MODEL).",
        show_default=False,
    ),
]
SamplesOption = Annotated[
    int | None,
    typer.Option("--samples", "-k", min=1, help="Self-consistency samples (default 1)."),
]
MaxStepsOption = Annotated[
    int | None, typer.Option(min=1, help="Generations per sample (default by mode).")
]
TimeoutOption = Annotated[
    float | None, typer.Option(min=0.1, help="Seconds per code run (default 10).")
]
ExecutorOption = Annotated[
    str | None,
    typer.Option(
        help="Where code runs: local (sandboxed where possible), sandbox, unconfined, "
        "or gateway:URL (a Jupyter kernel gateway; token from POT_GATEWAY_TOKEN) "
        "(or $POT_EXECUTOR).",
        show_default=False,
    ),
]
PromptOption = Annotated[
    Path | None,
    typer.Option(
        "--prompt",
        help="Your own system message and examples, a TOML file (start from `pot prompt MODE`).",
    ),
]
TemperatureOption = Annotated[
    float | None,
    typer.Option(min=0.0, help="Sampling temperature (default 0, or 0.7 with --samples)."),
]
SeedOption = Annotated[int | None, typer.Option(help="Sampling seed.")]
MaxNewTokensOption = Annotated[
    int | None, typer.Option(min=1, help="Token budget of one generation (default 768).")
]
QuantizationOption = Annotated[
    Quantization | None,
    typer.Option(
        help="Local models: gguf (the GGUF file as Qwen quantized it, run by llama.cpp; "
        "the CPU default when llama-cpp-python is installed), nf4 (the default otherwise), "
        "int8 or none (bf16)."
    ),
]
DeviceOption = Annotated[
    str | None, typer.Option(help="Local models: cpu, cuda, cuda:1... (default cuda if present).")
]
ThreadsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Local models: CPU threads the model computes with, llama.cpp's or torch's "
        "(default: every core; give each of several runs sharing a machine its share).",
    ),
]
ContextOption = Annotated[
    int | None,
    typer.Option(
        min=256,
        help="Local llama.cpp models: tokens a conversation may hold, prompt plus reply "
        "(default 4096; raise it for long questions, at about 28 KiB of memory per token "
        "and sequence with the 1.5B).",
    ),
]
DataOption = Annotated[
    Path | None, typer.Option("--data", help="Data folder (default $POT_DATA, the cache).")
]


def fail(console: Console, message: str, code: int) -> typer.Exit:
    """Print ``message`` as an error on ``console`` and return the exit to raise."""
    from pot.terminal import print_error

    print_error(console, message)  # user text (paths, task names) is never markup
    return typer.Exit(code)
