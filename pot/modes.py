"""The reasoning modes (a module of its own so the CLI can name them without heavy imports)."""

from __future__ import annotations

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
    """Chain of thought: no code, the answer in ``\\boxed{}`` (the baseline)."""
