"""Loading the model for a command, saying which model and what stage it is at."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pot.terminal import escape

if TYPE_CHECKING:
    from rich.console import Console

    from pot.config import Settings
    from pot.models.base import Model


def model_options(settings: Settings) -> dict[str, Any]:
    """The backend options the settings give (quantization, device, threads, context),
    if any."""
    chosen = {
        "quantization": settings.quantization,
        "device": settings.device,
        "threads": settings.threads,
        "context": settings.context,
    }
    return {name: value for name, value in chosen.items() if value is not None}


def model_name(spec: str | None) -> str:
    """The name a spec loads under (pot's default alias when there is none)."""
    from pot.models.weights import DEFAULT_MODEL

    return (spec or DEFAULT_MODEL).strip()


def loading_stage(spec: str | None, options: dict[str, Any] | None = None) -> tuple[str, bool]:
    """What loading ``spec`` with ``options`` will do first, in words, and whether it
    converts weights (a first load, which shows the converter's own progress bars)."""
    name = model_name(spec)
    lowered = name.lower()
    if lowered.startswith("scripted:"):
        return "reading the scripted replies", False
    if lowered.startswith("openai:"):
        return "connecting to the server", False
    from pot.models.choice import default_quantization
    from pot.models.weights import ALIASES, Source, gguf_path, resolve

    options = dict(options or {})
    if (options.get("quantization") or default_quantization(name, options)) == "gguf":
        alias = ALIASES.get(lowered)
        if alias is not None and not gguf_path(alias, options.get("cache_dir")).is_file():
            return "joining and checking the GGUF file (once), loading it in llama.cpp", False
        return "loading the GGUF file in llama.cpp", False
    if lowered in ALIASES and resolve(lowered).source is Source.CHUNKS:
        return "joining, checking and converting the weights (once, a few minutes)", True
    if lowered.endswith(".gguf"):
        return "converting the GGUF file (once) and loading it", True
    return "loading the weights", False


def load_model_for(
    console: Console, spec: str | None, options: dict[str, Any], show: bool = True
) -> Model:
    """The model for ``spec``, with a status line naming it and the loading stage.

    A first load that converts weights shows the converter's own progress bars
    instead of a spinner (two live displays cannot share a terminal).

    Raises:
        pot.models.ModelError: It cannot be loaded.
    """
    from pot import api
    from pot.models.choice import backend_hint

    name = model_name(spec)
    stage, converts = loading_stage(spec, options)
    hint = backend_hint(name, options) if show else None
    if hint:
        console.print(f"[dim]{escape(hint)}[/dim]", highlight=False)

    def load() -> Model:
        # without options, the call every front end makes (tests replace it)
        return api.default_model(spec, **options) if options else api.default_model(spec)

    if not show:
        return load()
    if converts:
        console.print(f"{escape(name)}: {stage}", highlight=False)
        return load()
    with console.status(f"{escape(name)}: {stage}..."):
        return load()
