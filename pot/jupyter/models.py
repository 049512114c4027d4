"""Model specs for the Jupyter front ends, with ``scripted:`` replies for tests and demos.

A spec is anything :func:`pot.models.loading.load_model` accepts, or
``scripted:`` followed by a JSON list of replies or by the path of a JSON file
holding one (``scripted:["```python\\nprint(42)\\n```"]``,
``scripted:/tmp/replies.json``). Models are loaded once per process and reused.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from pot.models.errors import UnknownModelError

if TYPE_CHECKING:
    from pot.models.base import Model

SCRIPTED_PREFIX = "scripted:"

_lock = threading.Lock()
_scripted: dict[str, Model] = {}


def scripted_replies(spec: str) -> list[str]:
    """The replies named by a ``scripted:`` spec (inline JSON list or JSON file).

    Raises:
        UnknownModelError: The spec holds neither a JSON list of strings nor a
            readable file containing one.
    """
    body = spec[len(SCRIPTED_PREFIX) :].strip()
    text = body
    if not body.startswith("["):
        path = Path(body).expanduser()
        if not path.is_file():
            raise UnknownModelError(
                f"{spec!r}: write scripted: followed by a JSON list of replies "
                "or the path of a JSON file that holds one"
            )
        text = path.read_text(encoding="utf-8")
    try:
        replies = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnknownModelError(f"{spec!r}: the replies are not valid JSON ({error})") from None
    if not isinstance(replies, list) or not all(isinstance(reply, str) for reply in replies):
        raise UnknownModelError(f"{spec!r}: the replies must be a JSON list of strings")
    return replies


def resolve_model(spec: Model | str | None, *env_vars: str) -> Model:
    """The model for ``spec``, loading it the first time it is asked for in this process.

    Args:
        spec: A model object (returned as is), a spec string, or None for the
            first of ``env_vars`` that is set, else pot's default model.
        *env_vars: Environment variables consulted, in order, when ``spec`` is None.

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
    if spec is not None and spec.strip().lower().startswith(SCRIPTED_PREFIX):
        return _scripted_model(spec.strip())
    from pot import api

    return api.default_model(spec)


def _scripted_model(spec: str) -> Model:
    from pot.testing import ScriptedModel

    with _lock:
        if spec not in _scripted:
            _scripted[spec] = ScriptedModel(scripted_replies(spec), name="scripted")
        return _scripted[spec]


def forget_scripted() -> None:
    """Drop cached ``scripted:`` models, so the next use starts their queues again."""
    with _lock:
        _scripted.clear()
