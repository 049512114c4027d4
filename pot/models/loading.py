"""``load_model(spec)``: the one way the rest of pot turns a model name into a Model.

Spec syntax:

* an alias: ``qwen2.5-coder-1.5b`` (the default), ``qwen2.5-coder-0.5b``;
* a hub id: ``Qwen/Qwen2.5-Coder-7B-Instruct``;
* a local folder: ``./my-model`` (anything ``from_pretrained`` reads);
* a GGUF file: ``path/to/model.gguf``;
* an OpenAI-compatible server: ``openai:MODEL`` or ``openai:MODEL@BASE_URL``,
  for example ``openai:Qwen/Qwen2.5-Coder-32B-Instruct@http://gpu-node:8000/v1``
  (without ``@BASE_URL``, ``$POT_OPENAI_BASE_URL``, ``$OPENAI_BASE_URL`` or
  ``http://127.0.0.1:8000/v1``).

* replies for tests and demos: ``scripted:["```python\\nprint(42)\\n```"]`` or
  ``scripted:replies.json`` (a :class:`pot.testing.ScriptedModel`).

Everything but ``openai:`` and ``scripted:`` loads in this process. An offline
alias or a ``.gguf`` file on a CPU runs with :class:`pot.models.llamacpp.LlamaCppModel`
(the GGUF file as Qwen quantized it, in llama.cpp) when llama-cpp-python is installed
(``pip install 'pot-reasoning[llama]'``), or whenever ``quantization="gguf"``;
everything else, and any other ``quantization``, with
:class:`pot.models.transformers.TransformersModel` (NF4 by default). See
:mod:`pot.models.choice`.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from pot.models.base import Model
from pot.models.errors import UnknownModelError
from pot.models.weights import DEFAULT_MODEL

OPENAI_PREFIX = "openai:"
_SERVER = re.compile(r"^(?P<model>.+?)@(?P<url>[A-Za-z][A-Za-z0-9+.-]*://\S*)$")


def parse_openai_spec(spec: str) -> tuple[str, str | None]:
    """Split ``openai:MODEL[@BASE_URL]`` into the model name and the base URL (or None).

    Raises:
        UnknownModelError: ``spec`` names no model, or a server address that is not
            http:// or https://.
    """
    rest = spec[len(OPENAI_PREFIX) :]
    match = _SERVER.match(rest)
    model, url = (match["model"], match["url"]) if match else (rest, None)
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise UnknownModelError(
            f"{spec!r}: the server address {url!r} must start with http:// or https://, "
            "e.g. openai:MODEL@http://127.0.0.1:8000/v1"
        )
    if not model:
        raise UnknownModelError(
            f"{spec!r} names no model; write openai:MODEL or openai:MODEL@http://host:port/v1"
        )
    return model, url


def load_model(spec: str | None = None, **options: Any) -> Model:
    """Load a model from a spec (see the module docstring for the syntax).

    Args:
        spec: What to load; default :data:`pot.models.weights.DEFAULT_MODEL`.
        **options: Passed to the backend: :class:`~pot.models.transformers.TransformersModel`
            (``quantization``, ``device``, ``prefix_cache``, ...),
            :class:`~pot.models.llamacpp.LlamaCppModel` (``quantization="gguf"``,
            ``threads``, ``max_batch``, ``context``, ...) or
            :class:`~pot.models.openai.OpenAIModel` (``api_key``, ``timeout``, ...).

    Returns:
        A ready model.

    Raises:
        UnknownModelError: The spec names nothing loadable.
        MissingExtraError: The backend's extra is not installed.

    Example:
        >>> model = load_model("qwen2.5-coder-0.5b")
        >>> server = load_model("openai:qwen@http://127.0.0.1:8000/v1")
    """
    spec = (spec or DEFAULT_MODEL).strip()
    if not spec:
        raise UnknownModelError("empty model spec; pass an alias such as " + DEFAULT_MODEL)
    if spec.lower().startswith("scripted:"):
        from pot.testing import ScriptedModel, scripted_replies

        return ScriptedModel(scripted_replies(spec), name="scripted")
    if spec.lower().startswith(OPENAI_PREFIX):
        from pot.models.openai import OpenAIModel

        model_name, url = parse_openai_spec(spec)
        if url is not None:
            options.setdefault("base_url", url)
        return OpenAIModel(model_name, name=options.pop("name", spec), **options)
    from pot.models.choice import default_quantization

    if options.get("quantization") is None:
        options.pop("quantization", None)
        if default_quantization(spec, options) == "gguf":
            options["quantization"] = "gguf"
    if options.get("quantization") == "gguf":
        from pot.models.llamacpp import LlamaCppModel

        return LlamaCppModel(spec, **options)
    from pot.models.transformers import TransformersModel

    options.pop("context", None)  # llama.cpp's slots; transformers' cache grows as needed
    return TransformersModel(spec, **options)


class ModelCache:
    """Loaded models kept for reuse within one process, for callers who ask for it.

    Thread-safe: two threads asking for the same spec get one model.

    Example:
        >>> models = ModelCache()
        >>> models.load("qwen2.5-coder-0.5b") is models.load("qwen2.5-coder-0.5b")
        True
    """

    def __init__(self) -> None:
        self._models: dict[str, Model] = {}
        self._lock = threading.Lock()

    def load(self, spec: str | None = None, **options: Any) -> Model:
        """Return the model for ``spec`` and ``options``, loading it the first time."""
        key = repr((spec or DEFAULT_MODEL, sorted(options.items())))
        with self._lock:
            if key not in self._models:
                self._models[key] = load_model(spec, **options)
            return self._models[key]

    def clear(self) -> None:
        """Forget every loaded model."""
        with self._lock:
            self._models.clear()
