"""Which backend runs a local model when the caller names no quantization.

On a CPU, pot's offline aliases and ``.gguf`` files run as Qwen quantized them
(Q4_K_M), in llama.cpp, when llama-cpp-python is installed (the ``[llama]`` extra):
about 3x the tokens per second of bitsandbytes NF4 here, half the memory, and no
second quantization of already-quantized weights (see the README's Models section).
Without llama-cpp-python, on a GPU, or for hub ids and folders, transformers loads
the model (NF4 by default). An explicit ``quantization`` always wins.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

LLAMA_OPTIONS = frozenset(
    {
        "quantization",
        "device",
        "threads",
        "max_batch",
        "context",
        "prefix_cache",
        "repack",
        "cache_dir",
        "progress",
        "name",
    }
)
"""Options :class:`~pot.models.llamacpp.LlamaCppModel` takes; any other keeps transformers."""

LLAMA_HINT = (
    "llama-cpp-python is not installed, so this model runs with bitsandbytes NF4 "
    "(about 3x slower on a CPU); pip install 'pot-reasoning[llama]' (builds for a few "
    "minutes, once) runs its GGUF as it is"
)


def runs_a_gguf(spec: str, options: dict[str, Any]) -> bool:
    """Whether ``spec`` is a ``.gguf`` file or an alias whose GGUF is here (joined in
    pot's cache or in its chunk packages); an alias fetched from the hub loads Qwen's
    original weights with transformers instead."""
    from pot.models.weights import ALIASES, chunk_files, gguf_path

    lowered = spec.strip().lower()
    if lowered.endswith(".gguf"):
        return True
    alias = ALIASES.get(lowered)
    if alias is None:
        return False
    return gguf_path(alias, options.get("cache_dir")).is_file() or chunk_files(alias) is not None


BUILD = "pot-llama-build"
"""``scripts/setup.sh`` builds llama-cpp-python in the background (``scripts/build-llama.sh``):
``BUILD.running`` (its pid), ``BUILD.log`` and, after a failure, ``BUILD.failed`` lie in
the environment's folder."""
BUILD_HOURS = 2
"""A build marker older than this is stale (a build killed with its machine)."""


def llama_build(prefix: str | Path | None = None) -> str | None:
    """``"running"`` or ``"failed"`` for the background build of llama-cpp-python into
    this environment (``prefix``, default :data:`sys.prefix`), else None."""
    folder = Path(prefix or sys.prefix)
    running = folder / f"{BUILD}.running"
    try:
        pid = int(running.read_text().strip())
        fresh = time.time() - running.stat().st_mtime < BUILD_HOURS * 3600
    except (OSError, ValueError):
        pid, fresh = 0, False
    if fresh and _alive(pid):
        return "running"
    return "failed" if (folder / f"{BUILD}.failed").is_file() else None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def llama_installed() -> bool:
    """Whether llama-cpp-python can be imported (without importing it), and no background
    build is still installing it."""
    return importlib.util.find_spec("llama_cpp") is not None and llama_build() != "running"


def cuda_available() -> bool:
    """Whether torch sees a CUDA device (False without torch)."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) == "" or not importlib.util.find_spec("torch"):
        return False
    import torch

    return bool(torch.cuda.is_available())


def on_cpu(options: dict[str, Any]) -> bool:
    """Whether a model loaded with ``options`` runs on the CPU."""
    device = options.get("device")
    if device is not None:
        return str(device) == "cpu"
    return not cuda_available()


def default_quantization(spec: str, options: dict[str, Any]) -> str | None:
    """``"gguf"`` when llama.cpp should run ``spec``; None to let transformers choose.

    Args:
        spec: The model spec (an alias, a ``.gguf`` file, a hub id or a folder).
        options: The backend options the caller gave.
    """
    if options.get("quantization") is not None or not runs_a_gguf(spec, options):
        return None
    if set(options) - LLAMA_OPTIONS or not llama_installed() or not on_cpu(options):
        return None
    return "gguf"


def backend_hint(spec: str, options: dict[str, Any]) -> str | None:
    """One line for the user when a faster CPU backend is one install away (or being
    built), else None."""
    if options.get("quantization") is not None or not runs_a_gguf(spec, options):
        return None
    if llama_installed() or not on_cpu(options):
        return None
    log = Path(sys.prefix) / f"{BUILD}.log"
    build = llama_build()
    if build == "running":
        return (
            "llama.cpp, about 3x faster on a CPU, is being built in the background "
            f"(log: {log}); until it is installed this model runs with bitsandbytes NF4"
        )
    if build == "failed":
        return (
            f"the background build of llama.cpp failed (log: {log}), so this model runs "
            "with bitsandbytes NF4 (about 3x slower); after fixing what the log says, "
            "pip install 'pot-reasoning[llama]'"
        )
    return LLAMA_HINT


def engine(spec: str, options: dict[str, Any] | None = None) -> str:
    """In words, what runs ``spec`` when it is loaded with ``options`` (``pot models``)."""
    options = options or {}
    quantization = options.get("quantization") or default_quantization(spec, options)
    if quantization == "gguf":
        return "llama.cpp, the GGUF file as Qwen quantized it (Q4_K_M)"
    weights = {"int8": "8-bit", "none": "bf16"}.get(str(quantization), "4-bit NF4")
    where = "CPU" if on_cpu(options) else "GPU"
    hint = backend_hint(spec, options) and "; pip install 'pot-reasoning[llama]' runs it faster"
    return f"transformers, {weights} on the {where}{hint or ''}"
