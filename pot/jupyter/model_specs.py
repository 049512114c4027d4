"""Model specs for the Jupyter front ends: a spec string, an environment variable, or
pot's default model, each loaded once per process.

A spec is anything :func:`pot.models.load_model` accepts, ``scripted:`` replies
(for tests and demos) included.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from pot import api
from pot.testing import SCRIPTED_PREFIX, scripted_replies

if TYPE_CHECKING:
    from pot.models.base import Model

__all__ = ["SCRIPTED_PREFIX", "forget_scripted", "resolve_model", "scripted_replies"]


def resolve_model(spec: Model | str | None, *env_vars: str, **options: Any) -> Model:
    """The model for ``spec``, loading it the first time it is asked for in this process.

    Args:
        spec: A model object (returned as is), a spec string, or None for the
            first of ``env_vars`` that is set, else pot's default model.
        *env_vars: Environment variables consulted, in order, when ``spec`` is None.
        **options: Backend options for a model loaded here (``quantization``,
            ``device``, ``threads``); ignored for a model object.

    Returns:
        A ready model; the same object for the same spec within a process (a
        ``scripted:`` model keeps its queue across calls).

    Raises:
        pot.models.ModelError: The model cannot be loaded; the message says why.
    """
    if spec is not None and not isinstance(spec, str):
        return spec
    if spec is None:
        spec = next((os.environ[name] for name in env_vars if os.environ.get(name)), None)

    spec = spec.strip() if spec else None
    return api.default_model(spec, **options) if options else api.default_model(spec)


def forget_scripted() -> None:
    """Forget the process's loaded models, so ``scripted:`` queues start again."""
    api.forget_models()
