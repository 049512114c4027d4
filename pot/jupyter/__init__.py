"""Jupyter front ends: the ``%%pot`` magic and the ``@PoT`` chat persona.

Both consume :meth:`pot.solver.Solver.stream`; nothing here re-implements the loop.
Importing this package does no work; the magic and the persona import what they
need when they are used.
"""

from __future__ import annotations
