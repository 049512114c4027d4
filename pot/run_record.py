"""The run record's side of an evaluation: resolve a run's settings, open and close sessions.

The record itself (its fields, where it lives, the resume check) is
:mod:`pot.tasks.record`; this module ties it to the solver's defaults and to one
call of :func:`pot.evaluate.aevaluate`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pot.runs import EvaluationError
from pot.solver import Solver
from pot.tasks.record import (
    RecordMismatchError,
    RunRecord,
    RunSettings,
    Session,
    TaskSpec,
    check_settings,
    now,
    prompt_sha256,
    start_session,
    write_record,
)


def run_settings(
    task: TaskSpec | str,
    model: str,
    mode: str = "pot",
    *,
    samples: int = 1,
    max_steps: int | None = None,
    timeout: float = 10.0,
    **solver_options: Any,
) -> RunSettings:
    """The settings a run's records depend on, resolved as its solvers resolve them.

    Args:
        task: The task (a spec, or a :class:`~pot.tasks.record.TaskSpec` with its options).
        model: The model, as run labels name it (:func:`pot.runs.model_label`: an alias,
            a folder's name, the served model's name).
        mode: The mode.
        samples: Self-consistency samples.
        max_steps: Generations per sample (None: the mode's default).
        timeout: Seconds one piece of code may run.
        **solver_options: Other :class:`~pot.solver.Solver` options (``temperature``,
            ``seed``, ``max_new_tokens``, ``prompt``).

    Raises:
        ValueError: An option the solver refuses.
    """
    # a solver without model or kernel: only its resolved settings are read
    solver = Solver(
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        mode,
        samples=samples,
        max_steps=max_steps,
        timeout=timeout,
        **solver_options,
    )
    examples = [example.model_dump() for example in solver.prompt.examples]
    return RunSettings(
        task=TaskSpec(spec=task) if isinstance(task, str) else task,
        mode=solver.mode.value,
        model=model,
        prompt=solver.prompt.name,
        prompt_sha256=prompt_sha256(solver.prompt.system, examples),
        temperature=solver.temperature,
        seed=solver.seed,
        max_steps=solver.max_steps,
        max_new_tokens=solver.max_new_tokens,
        timeout=solver.timeout,
        samples=solver.samples,
    )


def open_record(
    out: str | Path,
    run: str,
    settings: RunSettings,
    model: Any,
    *,
    problems: int,
    skipped: int,
    options: dict[str, Any],
) -> tuple[RunRecord, Session]:
    """The record for a run about to write ``out``, with a new session appended and written.

    A results file that already holds records (a resumed run) must have been made
    with the same settings; a record left beside an empty file is replaced.

    Raises:
        pot.tasks.record.RecordMismatchError: The existing record has other settings.
    """
    path = Path(out)
    existing = check_settings(path, settings) if path.is_file() and path.stat().st_size else None
    session = start_session(model, problems=problems, skipped=skipped, options=options)
    earlier = [old.quantization for old in (existing.sessions if existing else [])]
    if earlier and earlier[-1] != session.quantization:
        # the same alias in other weights is another model (llama.cpp installed meanwhile...)
        raise RecordMismatchError(
            f"{out} was made with quantization {earlier[-1] or 'none given'} and this run "
            f"loads {session.quantization or 'none given'}; resume with --quantization "
            f"{earlier[-1] or '...'} or write to another --out"
        )
    record = existing or RunRecord(results=path.name, run=run, settings=settings)
    record.sessions.append(session)
    write_record(path, record)
    return record, session


@contextmanager
def recorded(out: str | Path, record: RunRecord, counts: Any) -> Iterator[Session]:
    """Close the record's last session when the block ends: its outcome, end and counts.

    Args:
        out: The results file.
        record: Its record, as :func:`open_record` returned it.
        counts: What was done (``finished`` and ``errors`` are read at the end).
    """
    session = record.sessions[-1]
    try:
        yield session
        session.outcome = "finished"
    except EvaluationError:
        session.outcome = "stopped"
        raise
    except (KeyboardInterrupt, asyncio.CancelledError):
        session.outcome = "interrupted"
        raise
    except BaseException:
        session.outcome = "failed"
        raise
    finally:
        session.ended = now()
        session.finished = counts.finished
        session.errors = dict(counts.errors)
        write_record(out, record)
