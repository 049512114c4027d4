"""Evaluation runs on disk: labels, default file names, error kinds, and the check
that a results file may be (re)written by a run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pot.executors import ExecutorError
from pot.models.base import ContextOverflowError, ModelError
from pot.models.weights import DEFAULT_MODEL
from pot.questions import QuestionError
from pot.tasks import REPLACED_ERRORS, RETRIED_ERRORS, scan_results
from pot.tasks.record import read_record
from pot.trace import NoAnswerReason


class EvaluationError(Exception):
    """Base class of the errors raised by the evaluation runner."""


class ResultsExistError(EvaluationError, FileExistsError):
    """The results file already holds records and ``resume`` was not asked for."""


class RunMismatchError(EvaluationError):
    """Resuming a results file whose records belong to another run (mode, model, samples)."""


def model_label(spec: str | None) -> str:
    """A short model name for run labels and file names.

    An alias stays as it is, ``openai:NAME@URL`` becomes ``NAME``, a folder or
    GGUF file its name, a ``scripted:`` spec ``scripted``.

    Args:
        spec: A model spec as ``pot.models.loading.load_model`` takes it (None:
            the default model).
    """
    text = (spec or DEFAULT_MODEL).strip()
    lowered = text.lower()
    if lowered.startswith("scripted:"):
        return "scripted"
    if lowered.startswith("openai:"):
        return text[len("openai:") :].split("@", 1)[0] or "openai"
    path = Path(text).expanduser()
    if text.endswith(".gguf"):
        return path.stem
    if path.exists() or text.startswith((".", "/", "~")):
        return path.resolve().name
    return text


def run_label(mode: str, model: str, samples: int = 1, prompt: str | None = None) -> str:
    """The ``run`` label of records: ``"<mode>/<model>"``, ``"<mode>+<prompt>-k<samples>/<model>"``.

    The report merges files with the same label (shards) and compares different ones.
    """
    custom = f"+{prompt}" if prompt else ""
    return f"{mode}{custom}{f'-k{samples}' if samples > 1 else ''}/{model}"


RUNS_FOLDER = Path("runs")
"""Where ``pot eval`` writes results files by default and ``pot report`` reads them
(relative to the working folder)."""


def default_out(task: str, mode: str, model: str, shard: str | None = None) -> Path:
    """The default results file: ``runs/<task>-<mode>-<model>[-shardIofN].jsonl``."""
    parts = [task, mode, model] + ([f"shard{shard.replace('/', 'of')}"] if shard else [])
    name = "-".join(re.sub(r"[^A-Za-z0-9._+-]+", "_", part).strip("_") for part in parts)
    return RUNS_FOLDER / f"{name}.jsonl"


def error_kind(error: BaseException) -> str:
    """The ``error`` field for a problem whose solve raised ``error``: a question longer
    than the model's context is the problem's ``context_full`` (judged, not retried: the
    same settings would fail it again), other model errors are the server's or the
    weights' (``model_error``, retried by ``--resume``)."""
    if isinstance(error, ContextOverflowError):
        return NoAnswerReason.CONTEXT_FULL.value
    if isinstance(error, ModelError):
        return "model_error"
    if isinstance(error, ExecutorError):
        return "kernel_error"
    if isinstance(error, QuestionError):
        return "bad_question"
    if isinstance(error, TimeoutError):
        return "timeout"
    return "exception"


@dataclass
class Resumed:
    """What a results file holds for a run about to resume it.

    Attributes:
        done: Ids the run skips.
        again: Ids it solves again (the kinds :func:`retried_kinds` names), each with the
            error kind it was recorded with.
    """

    done: set[str] = field(default_factory=set)
    again: dict[str, str] = field(default_factory=dict)


def check_results_file(
    out: str | Path, run: str, *, resume: bool, context: int | None = None
) -> Resumed:
    """Check that ``out`` may be written by ``run``; return what a resume skips (all it
    holds but those of the kinds :func:`retried_kinds` names) and solves again.

    Args:
        out: The results file.
        run: The run label of the records about to be written.
        resume: Whether the run continues ``out``.
        context: Tokens this run's model holds (None: not fixed, or not known).

    Raises:
        ResultsExistError: ``out`` is not empty and ``resume`` is False.
        RunMismatchError: ``resume`` and ``out`` holds records of another run.
        pot.tasks.ResultsFileError: ``out`` is corrupt before its last line.
        pot.tasks.record.RecordMismatchError: ``out``'s run record is not one.
    """
    path = Path(out)
    if not path.exists() or path.stat().st_size == 0:
        return Resumed()
    if not resume:
        raise ResultsExistError(
            f"{path} already holds results; pass --resume to continue that run "
            "or --out to write somewhere else"
        )
    scan = scan_results(path)
    others = sorted({record.run or "(none)" for record in scan.records} - {run})
    if others:
        raise RunMismatchError(
            f"{path} holds results of run {', '.join(others)}, not {run}; "
            "resume with the same mode, model and samples, or write to another --out"
        )
    retried = retried_kinds(path, context)
    again = {record.id: record.error for record in scan.records if record.error in retried}
    return Resumed(done=scan.done_ids(retried), again=again)


def retried_kinds(out: str | Path, context: int | None) -> frozenset[str]:
    """The error kinds a run resuming ``out`` solves again: the server's and the
    kernels' failures (``RETRIED_ERRORS``), and ``context_full`` when this run's model
    holds more tokens (``context``) than that of every earlier session of the run
    record, or no earlier session recorded one: a question that did not fit may fit
    now, and one that still does not costs only its tokenizing."""
    if context is None:
        return RETRIED_ERRORS
    record = read_record(out)
    earlier = [session.context for session in record.sessions if session.context] if record else []
    if earlier and context <= max(earlier):
        return RETRIED_ERRORS
    return REPLACED_ERRORS
