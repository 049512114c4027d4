"""pot: program-of-thought reasoning with a coder model and Jupyter kernels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pot._version import __version__

if TYPE_CHECKING:
    from pot.api import solve
    from pot.solver import Solver
    from pot.trace import Trace

__all__ = ["Solver", "Trace", "__version__", "solve"]

# Public names imported on first use, so `import pot` stays instant.
_LAZY = {"solve": "pot.api", "Solver": "pot.solver", "Trace": "pot.trace"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pot' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext pot``: register the ``%pot`` and ``%%pot`` magics."""
    from pot.jupyter.magic import load_ipython_extension as load

    load(ipython)
