"""Keep dependencies' noise off the user's screen; log it at debug level instead.

transformers, bitsandbytes, accelerate and torch print warnings and log lines
(deprecations, "Failed to load CPU gemm_4bit_forward from kernels-community",
loading progress bars) that mean nothing to a pot user. :func:`quiet_dependencies`
sends all of it to the ``pot.dependencies`` logger at DEBUG level, so a user sees
pot's own messages only, and ``POT_LOG=debug`` (or ``pot -v``) shows everything.

Warning *filters* are left alone: a test suite that turns warnings into errors
still sees them; only how a warning that passed the filters is shown changes.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

DEPENDENCIES = (
    "transformers",
    "bitsandbytes",
    "accelerate",
    "torch",
    "gguf",
    "huggingface_hub",
    "safetensors",
    "llama_cpp",
)
"""Top-level packages whose warnings and log records are routed to debug."""

_OWN_LOGGING = ("torch",)
"""Packages whose logging is configured by the package itself (``TORCH_LOGS``): left alone."""

LOGGER = logging.getLogger("pot.dependencies")
_POT_ROOT = str(Path(__file__).resolve().parent)
_lock = threading.Lock()
_installed = False
_original_showwarning = warnings.showwarning


class _ToDebug(logging.Handler):
    """Re-emits a dependency's log record on ``pot.dependencies`` at DEBUG."""

    def emit(self, record: logging.LogRecord) -> None:
        LOGGER.debug("%s: %s", record.name, record.getMessage())


def _from_dependency(filename: str) -> bool:
    """Whether a warning was raised from code outside pot (and outside ``__main__``)."""
    path = str(Path(filename).resolve()) if filename else ""
    if path.startswith(_POT_ROOT):
        return False
    return any(f"{os.sep}{name}{os.sep}" in path for name in DEPENDENCIES)


def _showwarning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    if _from_dependency(filename):
        LOGGER.debug("%s:%s: %s: %s", filename, lineno, category.__name__, message)
        return
    _original_showwarning(message, category, filename, lineno, file, line)


def debug_requested() -> bool:
    """Whether ``POT_LOG`` asks for debug output."""
    return os.environ.get("POT_LOG", "").strip().lower() in ("debug", "1", "true", "verbose")


def show_debug(stream: TextIO | None = None) -> None:
    """Print pot's debug log (dependencies' messages included) to ``stream`` (stderr)."""
    logger = logging.getLogger("pot")
    if not any(getattr(handler, "_pot_debug", False) for handler in logger.handlers):
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._pot_debug = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def quiet_dependencies() -> None:
    """Route dependencies' warnings and log records to ``pot.dependencies`` (DEBUG).

    Safe to call many times and from any thread; cheap after the first call.
    Called by the model backends as they import their libraries, so every
    front end (CLI, ``%%pot``, the chat persona, the Python API) is covered.
    """
    global _installed
    with _lock:
        if _installed:
            _quiet_loggers()
            return
        _installed = True
        warnings.showwarning = _showwarning
        _quiet_loggers()
        if debug_requested():
            show_debug()


def _quiet_loggers() -> None:
    for name in DEPENDENCIES:
        if name in _OWN_LOGGING:
            continue
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if not isinstance(handler, _ToDebug):
                logger.removeHandler(handler)
        if not any(isinstance(handler, _ToDebug) for handler in logger.handlers):
            logger.addHandler(_ToDebug())
        logger.propagate = False
        logger.setLevel(logging.INFO if debug_requested() else logging.WARNING)
    transformers = sys.modules.get("transformers")
    if transformers is not None:
        _quiet_transformers(transformers)


def _quiet_transformers(transformers: Any) -> None:
    """transformers keeps its own handler and progress bars; turn both off."""
    utils = getattr(transformers, "utils", None)
    logging_utils = getattr(utils, "logging", None)
    if logging_utils is None:
        return
    logging_utils.disable_default_handler()
    if not debug_requested():
        logging_utils.disable_progress_bar()


@contextmanager
def gguf_bars_hidden() -> Iterator[None]:
    """Hide the progress bar transformers draws while it reads a GGUF file.

    Its GGUF reader uses ``tqdm`` directly, a bar that transformers' own
    ``disable_progress_bar`` does not reach; pot shows its own progress instead. The
    bar is shown as before under ``POT_LOG=debug``.
    """
    try:
        from transformers import modeling_gguf_pytorch_utils as reader
    except ImportError:
        reader = None
    bar = getattr(reader, "tqdm", None)
    if reader is None or bar is None or debug_requested():
        yield
        return
    reader.tqdm = functools.partial(bar, disable=True)
    try:
        yield
    finally:
        reader.tqdm = bar
