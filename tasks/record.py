"""The run record: a JSON file beside each results file saying how its records were made.

``runs/gsm8k-pot-qwen2.5-coder-1.5b.jsonl`` gets ``runs/gsm8k-pot-qwen2.5-coder-1.5b.record.json``
(like lm-evaluation-harness' results JSON): the settings that decide what a
record means (:class:`RunSettings`: task and its options, mode, model, prompt and
its hash, temperature, seed, max steps, timeout, samples, ...) and one
:class:`Session` per invocation (date, pot version and commit, machine, the
model's files with sha256, quantization, how many problems, how it ended).

``--resume`` appends a session, and only when the settings are the same
(:func:`check_settings`): a results file is never continued with another task,
model, prompt or sampling setting.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pot._version import __version__
from pot.tasks.base import TaskError
from pot.tasks.provenance import Machine, ModelFile, git_commit, machine, model_files

RECORD_FORMAT = 1
"""Version of the record's layout."""

Outcome = Literal["running", "finished", "stopped", "interrupted", "failed"]


class RecordMismatchError(TaskError):
    """A results file's run record was made with other settings than the run resuming it."""


class TaskSpec(BaseModel):
    """What was evaluated: the task spec and everything that decides its problems."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spec: str = Field(description="As given, e.g. 'gsm8k', 'rg:suite', 'my.jsonl'.")
    size: int | None = Field(default=None, description="reasoning-gym: problems per generator.")
    seed: int | None = Field(default=None, description="reasoning-gym: the generators' seed.")
    judge: str | None = Field(default=None, description="Problem files: the --judge given.")
    shard: str | None = Field(default=None, description="'I/N' when one shard was run.")
    package: str | None = Field(
        default=None, description="Version of the package that makes the problems (reasoning-gym)."
    )
    file_sha256: str | None = Field(default=None, description="Problem files: their sha256.")


class RunSettings(BaseModel):
    """The settings a resumed run must share with the records already written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: TaskSpec
    mode: str
    model: str = Field(
        description="The model as run labels name it (alias, folder name, served model's name)."
    )
    prompt: str = Field(description="The prompt's name (the mode's, or a file's stem).")
    prompt_sha256: str = Field(description="sha256 of its system message and examples.")
    temperature: float
    seed: int | None = Field(description="Sampling seed (None: unseeded).")
    max_steps: int
    max_new_tokens: int
    timeout: float
    samples: int


class Session(BaseModel):
    """One invocation that wrote to the results file (a run and each of its resumptions)."""

    model_config = ConfigDict(extra="allow")

    started: str = Field(description="ISO 8601, UTC.")
    ended: str | None = None
    outcome: Outcome = "running"
    pot_version: str
    git_commit: str | None = None
    git_dirty: bool | None = None
    model_spec: str | None = Field(default=None, description="The model spec as loaded.")
    model_files: list[ModelFile] = Field(default_factory=list)
    quantization: str | None = None
    device: str | None = None
    context: int | None = Field(
        default=None, description="Tokens a conversation may hold (llama.cpp models)."
    )
    machine: Machine
    problems: int = Field(default=0, description="Problems asked for (after limit and shard).")
    skipped: int = Field(default=0, description="Already in the results file.")
    finished: int = Field(default=0, description="Solved and written by this session.")
    errors: dict[str, int] = Field(default_factory=dict)
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Settings that do not change a record's meaning "
        "(limit, per_task, concurrency, kernels, executor, max_errors).",
    )


class RunRecord(BaseModel):
    """Everything about how a results file was made."""

    model_config = ConfigDict(extra="allow")

    format: int = RECORD_FORMAT
    results: str = Field(description="The results file's name (beside this record).")
    run: str = Field(description="The run label written on every result.")
    settings: RunSettings
    sessions: list[Session] = Field(default_factory=list)


def record_path(out: str | os.PathLike[str]) -> Path:
    """The record beside a results file: ``x.jsonl`` -> ``x.record.json``."""
    path = Path(out)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(f"{stem}.record.json")


def now() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def prompt_sha256(system: str, examples: list[dict[str, str]]) -> str:
    """The hash of a prompt's content (its name left out)."""
    content = json.dumps({"system": system, "examples": examples}, sort_keys=True)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def read_record(out: str | os.PathLike[str]) -> RunRecord | None:
    """The record beside ``out``, or None when there is none.

    Raises:
        RecordMismatchError: The record exists but is not a run record.
    """
    path = record_path(out)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RecordMismatchError(f"{path} cannot be read ({error})") from None
    try:
        return RunRecord.model_validate_json(text)
    except ValidationError as error:
        raise RecordMismatchError(
            f"{path} is not a pot run record ({error.error_count()} problems); move it away "
            "or write to another --out"
        ) from None


def write_record(out: str | os.PathLike[str], record: RunRecord) -> Path:
    """Write the record beside ``out`` atomically (a reader never sees half of it)."""
    path = record_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(record.model_dump_json(indent=2) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): value}


def differences(before: RunSettings, after: RunSettings) -> list[str]:
    """The settings that differ, as ``"timeout 10.0 -> 5.0"`` (nested names dotted)."""
    old, new = _flatten(before.model_dump()), _flatten(after.model_dump())
    changed = []
    for key in old:
        if old[key] == new.get(key):
            continue
        if key == "prompt_sha256":
            changed.append("prompt content")
        else:
            changed.append(f"{key} {old[key]!r} -> {new.get(key)!r}")
    return changed


def check_settings(out: str | os.PathLike[str], settings: RunSettings) -> RunRecord | None:
    """Check that a run with ``settings`` may continue the results file ``out``.

    Returns:
        The existing record (None when ``out`` has none, e.g. written by an older pot).

    Raises:
        RecordMismatchError: The record says the file was made with other settings.
    """
    record = read_record(out)
    if record is None:
        return None
    changed = differences(record.settings, settings)
    if changed:
        raise RecordMismatchError(
            f"{out} was made with other settings ({'; '.join(changed)}); resume with the "
            "same ones or write to another --out"
        )
    return record


def start_session(model: Any, *, problems: int, skipped: int, options: dict[str, Any]) -> Session:
    """A new session for this invocation: date, pot's version and commit, machine, model files.

    Args:
        model: The loaded model (its files, ``quantization``, ``device`` and ``context``
            are read).
        problems: Problems asked for.
        skipped: Problems already in the results file.
        options: Settings that do not change a record's meaning (``limit``, ``concurrency``...).
    """
    commit, dirty = git_commit()
    device = getattr(model, "device", None)
    return Session(
        started=now(),
        pot_version=__version__,
        git_commit=commit,
        git_dirty=dirty,
        model_spec=getattr(model, "name", None),
        model_files=model_files(model),
        quantization=getattr(model, "quantization", None),
        device=None if device is None else str(device),
        context=getattr(model, "context", None),
        machine=machine(),
        problems=problems,
        skipped=skipped,
        options={key: value for key, value in options.items() if value is not None},
    )
