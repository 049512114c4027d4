"""Checks the commands run before anything heavy starts (a model load, a kernel).

Each raises a typed error whose message names the flag and what to do, so
``pot solve`` and ``pot eval`` refuse a bad setting at once, with exit code 2,
instead of failing after a 30-second model load.
"""

from __future__ import annotations

import os
from pathlib import Path

LOCAL_ONLY = ("quantization", "device", "threads", "context")
"""Model options that only a model loaded in this process understands."""


class SettingError(ValueError):
    """A command-line setting that cannot work; the message names the flag."""


def check_executor(spec: str | None) -> None:
    """Refuse an executor setting pot does not understand.

    Raises:
        SettingError: Not local, sandbox, unconfined or gateway:URL.
    """
    from pot.executors.spec import ExecutorSpecError, parse_executor

    try:
        parse_executor(spec)
    except ExecutorSpecError as error:
        raise SettingError(f"--executor: {error}") from None


def check_model(spec: str | None, **local_options: object) -> None:
    """Refuse a model spec that cannot load, as far as that is cheap to know.

    Checks the ``openai:`` server address, ``scripted:`` replies and ``.gguf``
    files (present, starting with the GGUF magic bytes); aliases, folders and
    hub ids are checked by the load itself. ``local_options`` (quantization,
    device, threads) given for a server or scripted model are refused.

    Raises:
        pot.models.errors.UnknownModelError: The spec names nothing loadable.
        pot.models.errors.CorruptModelError: A GGUF file that is not one.
        SettingError: Local model options for a model that is not local.
    """
    if not spec:
        return
    text = spec.strip()
    lowered = text.lower()
    given = [name for name, value in local_options.items() if value is not None]
    if lowered.startswith(("openai:", "scripted:")) and given:
        flags = ", ".join(f"--{name}" for name in given)
        raise SettingError(f"{flags}: only for models loaded here, not {text.split(':')[0]}:")
    if lowered.startswith("openai:"):
        from pot.models.loading import parse_openai_spec

        parse_openai_spec(text)
    elif lowered.startswith("scripted:"):
        from pot.testing import scripted_replies

        scripted_replies(text)
    elif lowered.endswith(".gguf"):
        from pot.models.hf_load import check_gguf

        check_gguf(Path(text).expanduser())


def check_writable(path: Path, flag: str) -> None:
    """Refuse an output path that cannot be written (a missing folder is created later).

    Raises:
        SettingError: The path is a folder, lies under a file, or in a folder pot may
            not write.
    """
    if path.is_dir():
        raise SettingError(f"{flag} {path}: is a folder; give a file name")
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise SettingError(f"{flag} {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SettingError(f"{flag} {path}: no permission to write in {folder}")
    if path.exists() and not os.access(path, os.W_OK):
        raise SettingError(f"{flag} {path}: the file is read-only")
