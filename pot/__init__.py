"""pot: program-of-thought reasoning with a coder model and Jupyter kernels."""

from __future__ import annotations

from pot._version import __version__

__all__ = ["__version__"]
