"""Judging a results file's answers again with the judges of today (``pot report --rejudge``).

Judges get better (a fix reads ``james + 4`` as no number where it once read 4), and a
results file keeps the verdicts of the day it ran. Re-judging loads the run's problems
again from its run record (the task spec, reasoning-gym's size and seed, a problem
file's judge and sha256), judges each answer as the solver gave it and returns the
records with the new verdicts; the files are not changed. Problems whose solver failed
(no answer, the model's or the kernel's error) have nothing to judge and stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pot.tasks.base import Problem, TaskError
from pot.tasks.loaders import DataDir
from pot.tasks.record import read_record, record_path
from pot.tasks.registry import TaskOptions, describe_task, judge, load_problems
from pot.tasks.results import PathLike, ResultRecord


class RejudgeError(TaskError):
    """A results file whose problems cannot be had again (no run record, a changed file)."""


@dataclass
class Rejudged:
    """What re-judging one results file did.

    Attributes:
        records: The records, with today's verdicts where there was an answer.
        judged: How many answers were judged again.
        changed: Ids whose verdict changed, each with ``right`` or ``wrong`` (its new verdict).
    """

    records: list[ResultRecord]
    judged: int = 0
    changed: list[tuple[str, str]] = field(default_factory=list)


def judged_text(answer: object) -> str | None:
    """What a trace's answer (its dict form) is judged as: the normalised answer, else the
    raw one; None where it has no answer."""
    if isinstance(answer, dict) and answer.get("value") is not None:
        return answer.get("normalized") or answer.get("value")
    return None


def answer_given(record: ResultRecord) -> str | None:
    """The answer the solver gave as it was judged: the trace's normalised one, else the
    prediction (records of a run without traces)."""
    trace = record.trace or {}
    given = judged_text(trace.get("answer")) if isinstance(trace, dict) else None
    return given if given is not None else record.prediction


def run_problems(path: PathLike, ids: Sequence[str], data_dir: DataDir) -> dict[str, Problem]:
    """The problems ``ids`` of the run that wrote ``path``, loaded again from its run record."""
    record = read_record(path)
    if record is None:
        raise RejudgeError(
            f"{path}: no run record beside it ({record_path(path).name}), so its task is not "
            "known; re-judging needs a results file written by `pot eval`"
        )
    task = record.settings.task
    options = TaskOptions(size=task.size, seed=task.seed, judge=task.judge)
    if task.file_sha256 is not None:
        now = describe_task(task.spec, options).file_sha256
        if now != task.file_sha256:
            raise RejudgeError(
                f"{path}: the problem file {task.spec} is missing or changed since the run "
                "(its sha256 differs), so its golds cannot be trusted for re-judging"
            )
    found = load_problems(task.spec, data_dir=data_dir, options=options, ids=ids)
    return {problem.id: problem for problem in found}


def rejudge(
    path: PathLike, records: Sequence[ResultRecord], *, data_dir: DataDir = None
) -> Rejudged:
    """Judge the answers of ``records`` (read from the results file ``path``) again.

    Raises:
        RejudgeError: No run record beside the file, or its problem file changed.
        pot.tasks.TaskError: The task's problems could not be loaded (data missing,
            reasoning-gym not installed, an id the task no longer has).
    """
    answers = [(record, answer_given(record)) for record in records]
    answered = [record.id for record, answer in answers if answer is not None]
    problems = run_problems(path, answered, data_dir) if answered else {}
    result = Rejudged(records=[])
    for record, answer in answers:
        if answer is None:
            result.records.append(record)
            continue
        verdict = judge(answer, problems[record.id])
        update: dict[str, Any] = {"correct": verdict.correct, "normalized": verdict.normalized}
        if verdict.score is not None:
            update["score"] = verdict.score
        if record.error == "judge_error":
            update["error"] = None
        result.judged += 1
        if verdict.correct != record.correct:
            result.changed.append((record.id, "right" if verdict.correct else "wrong"))
        result.records.append(record.model_copy(update=update))
    return result
