"""The results file: one JSON line per finished problem, appended, flushed and synced.

A run can be killed at any moment (Ctrl-C, SIGKILL, a lost machine). What that
can leave behind is at most one partly written last line; the reader skips it, the
writer cuts it off before appending again, and duplicates (a problem written by two
runs) keep their first record, unless it records a failed server or kernel
(``RETRIED_ERRORS``). ``finished_ids`` tells ``--resume`` what to skip.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pot.tasks.base import ResultsFileError

PathLike = str | os.PathLike[str]

DEFAULT_RUN = "run"
"""The label of records that carry none."""

RETRIED_ERRORS = frozenset({"model_error", "kernel_error"})
"""Error kinds that say the server or the kernels failed, not the solver: ``--resume``
solves such problems again, and the new record replaces the old one."""

REPLACED_ERRORS = RETRIED_ERRORS | {"context_full"}
"""Error kinds a later record of the same id replaces: the retried kinds, and a question
longer than the model's context, which ``--resume`` solves again when the run goes on
with a larger context (``pot.runs.retried_kinds``)."""


class ResultRecord(BaseModel):
    """One finished problem. Unknown fields are kept, so newer files stay readable."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="The problem id, e.g. 'gsm8k/17'.")
    task: str = Field(description="The problem's task, e.g. 'gsm8k' or 'bbh/navigate'.")
    run: str | None = Field(
        default=None,
        description="Label of the run (e.g. 'pot/qwen2.5-coder-1.5b'); the report merges "
        "files with the same label as shards and compares different labels.",
    )
    prediction: str | None = Field(default=None, description="The answer the solver gave.")
    normalized: str | None = Field(default=None, description="The prediction as judged.")
    gold: str = Field(description="The gold answer.")
    correct: bool = False
    error: str | None = Field(
        default=None,
        description="Kind of failure, e.g. 'timeout', 'no_answer', 'model_error', "
        "'kernel_died'; None when the solver finished normally.",
    )
    steps: int = Field(default=0, description="Code steps executed.")
    seconds: float = Field(default=0.0, description="Wall seconds spent on this problem.")
    timings: dict[str, float] = Field(
        default_factory=dict, description="Seconds by phase, e.g. {'model': .., 'execution': ..}."
    )
    prompt_tokens: int = 0
    completion_tokens: int = 0
    started_at: float | None = Field(default=None, description="Unix time the problem started.")
    finished_at: float | None = Field(default=None, description="Unix time it finished.")
    trace: dict[str, Any] | None = Field(default=None, description="The full trace, as a dict.")


@dataclass
class ResultsScan:
    """What reading results files found.

    Attributes:
        records: The records, first occurrence of each id, in file order.
        truncated: Partly written last lines that were skipped.
        duplicates: Records skipped because their id came earlier.
        retried: Records that replaced an earlier ``model_error``, ``kernel_error`` or
            ``context_full`` record of the same id (a resumed run solved it again).
    """

    records: list[ResultRecord] = field(default_factory=list)
    truncated: int = 0
    duplicates: int = 0
    retried: int = 0

    @property
    def finished_ids(self) -> set[str]:
        """Ids a resumed run skips: all but those whose server or kernels failed."""
        return self.done_ids(RETRIED_ERRORS)

    def done_ids(self, retried: Iterable[str]) -> set[str]:
        """Ids a resumed run skips when it solves the ``retried`` error kinds again."""
        again = set(retried)
        return {record.id for record in self.records if record.error not in again}


def _cut_partial_tail(path: Path) -> None:
    """Remove a partly written last line (a writer killed mid-line) before appending."""
    with open(path, "rb+") as stream:
        size = stream.seek(0, os.SEEK_END)
        if size == 0:
            return
        stream.seek(size - 1)
        if stream.read(1) == b"\n":
            return
        position = size
        while position > 0:
            chunk = min(65536, position)
            stream.seek(position - chunk)
            newline = stream.read(chunk).rfind(b"\n")
            if newline >= 0:
                stream.truncate(position - chunk + newline + 1)
                return
            position -= chunk
        stream.truncate(0)


class ResultWriter:
    """Appends records to a results file, one line each, synced to disk before returning.

    Thread-safe. Opening cuts off a partly written last line left by a killed run.

    Args:
        path: The results file (created with its folder when missing).

    Example:
        >>> with ResultWriter("out/gsm8k.jsonl") as writer:  # doctest: +SKIP
        ...     writer.write(record)
    """

    def __init__(self, path: PathLike) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._fd: int | None = None

    def open(self) -> ResultWriter:
        """Open the file for appending (``write`` does this on first use); returns self."""
        with self._lock:
            if self._fd is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if self.path.exists():
                    _cut_partial_tail(self.path)
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return self

    def write(self, record: ResultRecord | Mapping[str, Any]) -> None:
        """Append one record as a JSON line, then flush and fsync.

        Args:
            record: A ``ResultRecord`` or a mapping that validates as one.
        """
        if not isinstance(record, ResultRecord):
            record = ResultRecord.model_validate(record)
        line = (record.model_dump_json() + "\n").encode("utf-8")
        self.open()
        with self._lock:
            if self._fd is None:
                raise ResultsFileError(f"{self.path} was closed while writing.")
            written = 0
            while written < len(line):
                written += os.write(self._fd, line[written:])
            os.fsync(self._fd)

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> ResultWriter:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _parse(line: bytes) -> ResultRecord:
    return ResultRecord.model_validate(json.loads(line))


def scan_results(paths: PathLike | Iterable[PathLike]) -> ResultsScan:
    """Read one or more results files (shards), tolerating a killed writer.

    A bad last line in a file is skipped (counted in ``truncated``); a bad line
    anywhere else raises. Duplicate ids keep their first record, unless that one
    failed for a reason outside the problem or did not fit the model's context
    (:data:`REPLACED_ERRORS`): then the later record wins. Missing files count as empty.

    Args:
        paths: A results file or several (merged in the given order).

    Raises:
        ResultsFileError: A corrupt line that is not the last line of its file.
    """
    scan = ResultsScan()
    seen: dict[str, int] = {}  # id -> position in scan.records
    for path in [paths] if isinstance(paths, (str, os.PathLike)) else list(paths):
        try:
            lines = [line for line in Path(path).read_bytes().split(b"\n") if line.strip()]
        except FileNotFoundError:
            continue
        for number, line in enumerate(lines, start=1):
            try:
                record = _parse(line)
            except (ValueError, ValidationError) as error:
                if number == len(lines):
                    scan.truncated += 1
                    continue
                raise ResultsFileError(
                    f"{path}: record {number} of {len(lines)} is not a valid result "
                    f"({type(error).__name__}); only the last line may be partial."
                ) from error
            if record.id in seen:
                earlier = seen[record.id]
                if scan.records[earlier].error in REPLACED_ERRORS:
                    scan.records[earlier] = record  # a resumed run solved it again
                    scan.retried += 1
                else:
                    scan.duplicates += 1
                continue
            seen[record.id] = len(scan.records)
            scan.records.append(record)
    return scan


def read_results(paths: PathLike | Iterable[PathLike]) -> list[ResultRecord]:
    """The records of one or more results files: see ``scan_results``."""
    return scan_results(paths).records


def finished_ids(paths: PathLike | Iterable[PathLike]) -> set[str]:
    """Ids already in the results file(s), less those that failed for a reason outside
    the problem (``RETRIED_ERRORS``): what ``--resume`` skips. Empty when missing."""
    return scan_results(paths).finished_ids


def group_label(record: ResultRecord, path: PathLike, by: str) -> str:
    """The run ``record`` (read from ``path``) is reported in: its ``run`` label, or the
    file's name where runs are grouped ``by`` file."""
    return Path(path).name if by == "file" else (record.run or DEFAULT_RUN)
