"""The evaluation runner: solve a task's problems, many in flight, one result line each.

``aevaluate`` is asyncio throughout: ``concurrency`` worker tasks (not threads)
take problems from one queue, each with its own :class:`~pot.solver.Solver`
over ONE shared model. Kernels come from a :class:`~pot.executors.KernelPool`
of ``kernels`` warm kernels, borrowed at a problem's first code step and given
back when it ends (:meth:`~pot.executors.KernelPool.on_demand`), so problems
waiting on the model hold no kernel and 256 problems in flight need no 256
kernels. An ``OpenAIModel`` is awaited (one keep-alive connection pool, up to
``max_in_flight`` requests); a blocking model (``TransformersModel``) gets a
daemon thread per problem in flight, where its generations merge into batches
(:mod:`pot.awaitable`).

Each finished problem is judged and written at once (append, flush, fsync) as
a :class:`~pot.tasks.ResultRecord`; ids already in the results file are
skipped, except problems whose record says the server or the kernels failed
(``model_error``, ``kernel_error``), which ``resume`` solves again; so a killed
run resumes where it stopped and never writes a finished problem twice. A
problem that raises is recorded with its error kind; Ctrl-C abandons only the
problems in flight. ``evaluate`` is the blocking twin.

Failures of the server or the kernels are not wrong answers: they are counted
apart (:attr:`EvalSummary.judged` leaves them out), and ``max_errors`` of them in
a row stop the run with :class:`InfrastructureError` (``resume`` continues it).
Beside the results file, a run record (:mod:`pot.tasks.record`) keeps the
settings, and each session's machine, model files and outcome; a resumed run
must have the same settings.

Example:
    >>> from pot.tasks import load_problems
    >>> problems = load_problems("gsm8k", limit=20)
    >>> summary = evaluate(problems, model, "runs/gsm8k.jsonl", mode="pot", concurrency=4)
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pot.awaitable import awaitable_model
from pot.eval_problem import solve_problem
from pot.modes import Mode, default_mode
from pot.preload import PRELOAD
from pot.run_record import open_record, recorded, run_settings
from pot.runs import (
    EvaluationError,
    check_results_file,
    model_label,
    run_label,
)
from pot.tasks import RETRIED_ERRORS, Problem, ResultRecord, ResultWriter
from pot.tasks.record import RunSettings, record_path

if TYPE_CHECKING:
    from pot.executors import KernelPool
    from pot.models.base import Model

RecordCallback = Callable[[ResultRecord], None]


@dataclass
class EvalSummary:
    """What one call of :func:`evaluate` did.

    Attributes:
        out: The results file.
        run: The run label written on every record.
        problems: Problems asked for (after removing duplicate ids).
        skipped: Problems already in the results file (resume).
        again: Problems in the results file solved again (resume), by their earlier
            error kind (``model_error``, ``kernel_error``, ``context_full``).
        finished: Problems solved and written by this call.
        correct: How many of those were judged correct.
        errors: This call's problems by error kind.
        seconds: Wall seconds of this call.
        interrupted: True when the run was stopped before every problem finished.
        record: The run record beside ``out``.
    """

    out: Path
    run: str
    problems: int = 0
    skipped: int = 0
    again: Counter[str] = field(default_factory=Counter)
    finished: int = 0
    correct: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    interrupted: bool = False
    record: Path | None = None

    @property
    def infrastructure_errors(self) -> int:
        """This call's problems that failed because the server or the kernels did."""
        return sum(self.errors[kind] for kind in RETRIED_ERRORS)

    @property
    def judged(self) -> int:
        """This call's problems that got a verdict: finished, less infrastructure failures."""
        return self.finished - self.infrastructure_errors


class InfrastructureError(EvaluationError):
    """The server or the kernels failed ``max_errors`` problems in a row; the run stopped.

    Attributes:
        kind: ``"model_error"`` or ``"kernel_error"`` (the last failure's kind).
        count: Failures in a row.
        detail: The last failure's message.
        summary: What the run had done.
    """

    def __init__(self, kind: str, count: int, detail: str, summary: EvalSummary) -> None:
        what = "the model" if kind == "model_error" else "the kernels"
        super().__init__(
            f"stopped after {count} problems in a row failed in {what} ({kind}; last: "
            f"{detail}); the finished problems are in {summary.out}: fix it and continue "
            "with --resume"
        )
        self.kind = kind
        self.count = count
        self.detail = detail
        self.summary = summary


DEFAULT_MAX_KERNELS = 32
"""Kernels a run starts when ``kernels`` is not given: ``min(concurrency, 32)``."""
DEFAULT_MAX_ERRORS = 5
"""Infrastructure failures in a row (model or kernel errors) that stop a run."""


def evaluate(
    problems: Sequence[Problem], model: Model, out: str | Path, **options: Any
) -> EvalSummary:
    """The blocking twin of :func:`aevaluate` (same arguments).

    Called where an event loop is already running (a notebook cell), the run gets
    an event loop on a thread of its own.
    """
    coroutine = aevaluate(problems, model, out, **options)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1, thread_name_prefix="pot-eval") as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def aevaluate(
    problems: Sequence[Problem],
    model: Model,
    out: str | Path,
    *,
    mode: str | None = None,
    run: str | None = None,
    concurrency: int = 1,
    kernels: int | None = None,
    samples: int = 1,
    max_steps: int | None = None,
    timeout: float = 10.0,
    resume: bool = False,
    pool: KernelPool | None = None,
    executor: str | None = None,
    max_errors: int | None = DEFAULT_MAX_ERRORS,
    settings: RunSettings | None = None,
    session_options: dict[str, Any] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_record: RecordCallback | None = None,
    **solver_options: Any,
) -> EvalSummary:
    """Solve ``problems``, ``concurrency`` at a time, appending one record per problem to ``out``.

    Args:
        problems: The problems (e.g. from ``pot.tasks.load_problems``).
        model: One model shared by every problem in flight.
        out: The results file (JSON lines).
        mode: ``"auto"``, ``"pot"``, ``"tir"``, ``"coc"``, ``"cot"`` or ``"plain"``
            (default ``$POT_MODE``, else ``auto``).
        run: The run label (default ``run_label(mode, model.name, samples)``, with
            the name of ``prompt`` when one is among the solver options).
        concurrency: Problems in flight (asyncio tasks).
        kernels: Kernels in the default pool (default ``min(concurrency, 32)``);
            a problem holds one only from its first code step to its end.
        samples: Self-consistency samples per problem.
        max_steps: Generations per sample (default by mode).
        timeout: Seconds one piece of code may run.
        resume: Skip the problems already in ``out`` instead of refusing to write
            (problems recorded with ``model_error`` or ``kernel_error`` are solved again,
            and ``context_full`` ones when the model now holds a larger context).
        pool: Kernels to borrow from (default: a pool of ``kernels`` started here
            and shut down at the end; ``cot`` needs none).
        executor: Where that default pool's kernels run: ``local``, ``sandbox``,
            ``unconfined`` or ``gateway:URL`` (default ``$POT_EXECUTOR`` or ``local``).
        max_errors: Stop after this many problems in a row failed in the model or
            the kernels (0 or None: never stop).
        settings: The run's settings for its record (default :func:`run_settings`
            with the problems' tasks and the model's name).
        session_options: Settings that do not change what a record means (``limit``,
            ``concurrency``...), kept in the record's session.
        on_start: Called once with (problems to solve, skipped).
        on_record: Called after each record is written (on the event loop).
        **solver_options: More :class:`~pot.solver.Solver` options (``temperature``...).

    Returns:
        What was done; the records themselves are in ``out``.

    Raises:
        ResultsExistError: ``out`` holds results and ``resume`` is False.
        RunMismatchError: ``out`` holds results of another run.
        pot.tasks.record.RecordMismatchError: ``out``'s record has other settings.
        InfrastructureError: ``max_errors`` model or kernel failures in a row.
        pot.tasks.ResultsFileError: ``out`` is corrupt.
        pot.executors.ExecutorError: The kernels could not be started.
        KeyboardInterrupt: Passed on after the finished records are safe.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if kernels is not None and kernels < 1:
        raise ValueError(f"kernels must be at least 1, got {kernels}")
    mode = (default_mode() if mode is None else Mode(mode)).value
    name = str(getattr(model, "name", type(model).__name__))
    prompt = solver_options.get("prompt")
    label = run or run_label(mode, model_label(name), samples, getattr(prompt, "name", None))
    context = getattr(model, "context", None)
    resumed = check_results_file(out, label, resume=resume, context=context)
    by_id: dict[str, Problem] = {}
    for problem in problems:
        by_id.setdefault(problem.id, problem)
    unique = list(by_id.values())
    todo = [problem for problem in unique if problem.id not in resumed.done]
    summary = EvalSummary(out=Path(out), run=label, problems=len(unique))
    summary.skipped = len(unique) - len(todo)
    summary.again.update(resumed.again[p.id] for p in todo if p.id in resumed.again)
    options = dict(solver_options, samples=samples, max_steps=max_steps, timeout=timeout)
    tasks = ",".join(dict.fromkeys(problem.task for problem in unique))
    record, _ = open_record(
        out,
        label,
        settings or run_settings(tasks, model_label(name), mode, **options),
        model,
        problems=len(unique),
        skipped=summary.skipped,
        options=dict(session_options or {}, concurrency=concurrency, max_errors=max_errors),
    )
    summary.record = record_path(out)
    if on_start is not None:
        on_start(len(todo), summary.skipped)
    with recorded(out, record, summary):
        if todo:
            settings_ = dict(options, mode=mode)
            limits = (concurrency, kernels, max_errors)
            await _solve_all(
                todo, model, out, summary, settings_, limits, pool, executor, on_record
            )
    return summary


async def _solve_all(
    todo: list[Problem],
    model: Model,
    out: str | Path,
    summary: EvalSummary,
    settings: dict[str, Any],
    limits: tuple[int, int | None, int | None],
    pool: KernelPool | None,
    executor: str | None,
    on_record: RecordCallback | None,
) -> None:
    """Start the kernels and the model's event-loop side, then the workers.

    ``limits`` is (concurrency, kernels, max_errors).
    """
    concurrency, kernels, max_errors = limits
    mode = settings["mode"]
    in_flight = min(concurrency, len(todo))
    size = min(kernels or min(in_flight, DEFAULT_MAX_KERNELS), in_flight)
    async with (
        _kernels(mode, pool, size, settings["timeout"], executor) as lender,
        awaitable_model(model, in_flight) as awaited,
    ):
        started = time.perf_counter()
        try:
            await _run_workers(
                todo, awaited, lender, settings, out, in_flight, summary, max_errors, on_record
            )
        finally:
            summary.seconds = time.perf_counter() - started


@asynccontextmanager
async def _kernels(
    mode: str, pool: KernelPool | None, size: int, timeout: float, executor: str | None
) -> AsyncIterator[KernelPool | None]:
    """The pool problems borrow from: ``pool``, a new one, or none for ``cot``."""
    if pool is not None:
        yield pool
        return
    if mode == "cot":
        yield None
        return
    from pot.executors import make_pool  # loads the kernel transports: only when used

    # the plain baseline gets a kernel with nothing preloaded, as a user's own script would
    preload = "" if mode == "plain" else PRELOAD
    own = make_pool(executor, size=size, preload=preload, timeout=timeout)
    await own.astart()
    try:
        yield own
    finally:
        await own.ashutdown()


async def _run_workers(
    todo: list[Problem],
    model: Model,
    pool: KernelPool | None,
    settings: dict[str, Any],
    out: str | Path,
    in_flight: int,
    summary: EvalSummary,
    max_errors: int | None,
    on_record: RecordCallback | None,
) -> None:
    """``in_flight`` worker tasks share one queue of problems and one writer.

    A record is written (and synced) on the event loop before its problem counts
    as finished; a cancelled worker (Ctrl-C) drops only the problem it holds.
    ``max_errors`` infrastructure failures in a row (in the order problems finish)
    raise :class:`InfrastructureError`; the problems still in flight are dropped.
    """
    waiting = deque(todo)
    writer = ResultWriter(out).open()
    failing: list[ResultRecord] = []  # infrastructure failures since the last other record

    async def work() -> None:
        while waiting:
            problem = waiting.popleft()
            record = await solve_problem(problem, model, pool, summary.run, settings)
            writer.write(record)
            summary.finished += 1
            summary.correct += record.correct
            if record.error:
                summary.errors[record.error] += 1
            if on_record is not None:
                on_record(record)
            if record.error not in RETRIED_ERRORS:
                failing.clear()
                continue
            failing.append(record)
            if max_errors and len(failing) >= max_errors:
                detail = str(getattr(record, "detail", "") or record.error)
                raise InfrastructureError(str(record.error), len(failing), detail, summary)

    workers = [asyncio.ensure_future(work()) for _ in range(in_flight)]
    try:
        await asyncio.gather(*workers)
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        writer.close()
        summary.interrupted = summary.finished < len(todo)
