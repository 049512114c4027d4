"""The reasoning modes (a module of its own so the CLI can name them without heavy imports)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import Enum


class Mode(str, Enum):
    """How the solver reasons."""

    POT = "pot"
    """Program of Thoughts: one program, its printed result is the answer; errors repaired."""
    TIR = "tir"
    """Tool-integrated reasoning: several code steps, each seeing the real outputs before it."""
    COC = "coc"
    """Chain of Code: a program run statement by statement; what cannot run is simulated."""
    COT = "cot"
    """Chain of thought: no code, the answer in ``\\boxed{}`` (a baseline)."""
    AUTO = "auto"
    """Adaptive: two programs from two prompts; if they agree that is the answer, else
    a chain of thought in words, more programs and more chains are sampled and every
    answer votes."""
    PLAIN = "plain"
    """The baseline a user writes without pot: one program from a minimal prompt, run once
    in a kernel with nothing preloaded; its last printed line is the answer. No repair,
    no nudge, no examples."""


DEFAULT_MODE = Mode.AUTO
"""The mode of the front ends (CLI, ``pot.solve``, the magic, the persona, ``evaluate``)
when none is named and ``$POT_MODE`` is unset. ``Solver`` itself defaults to ``pot``."""

MODE_ENV = "POT_MODE"
"""Environment variable naming the default mode."""


def default_mode(environ: Mapping[str, str] | None = None) -> Mode:
    """``$POT_MODE`` when set, else :data:`DEFAULT_MODE`.

    Raises:
        ValueError: ``$POT_MODE`` names no mode; the message lists them.
    """
    value = (os.environ if environ is None else environ).get(MODE_ENV, "").strip()
    return parse_mode(value) if value else DEFAULT_MODE


def parse_mode(mode: Mode | str) -> Mode:
    """The mode named by ``mode``.

    Raises:
        ValueError: Not a mode; the message lists them.
    """
    try:
        return Mode(mode)
    except ValueError:
        choices = ", ".join(item.value for item in Mode)
        raise ValueError(f"unknown mode {mode!r}: choose one of {choices}") from None
