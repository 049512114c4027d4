"""The evaluation runner: solve a task's problems, many in flight, one result line each.

``evaluate`` gives each of ``concurrency`` worker threads its own
:class:`~pot.solver.Solver` over ONE shared model and a kernel lent from a
:class:`~pot.executors.KernelPool` of the same size, so a
``TransformersModel`` merges the workers' generations into batches and an
``OpenAIModel`` simply gets that many requests at once. Each finished problem is
judged and written at once (append, flush, fsync) as a
:class:`~pot.tasks.ResultRecord`; ids already in the results file are skipped,
so a killed run resumes where it stopped and never writes a problem twice. A
problem that raises is recorded with its error kind; Ctrl-C abandons only the
problems in flight.

Example:
    >>> from pot.tasks import load_problems
    >>> problems = load_problems("gsm8k", limit=20)
    >>> summary = evaluate(problems, model, "runs/gsm8k.jsonl", mode="pot", concurrency=4)
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pot.runs import (
    check_results_file,
    error_kind,
    model_label,
    run_label,
)
from pot.tasks import Problem, ResultRecord, ResultWriter, judge

if TYPE_CHECKING:
    from pot.executors import ExecutionResult, Executor, KernelPool
    from pot.models.base import Model
    from pot.trace import Trace

RecordCallback = Callable[[ResultRecord], None]


@dataclass
class EvalSummary:
    """What one call of :func:`evaluate` did.

    Attributes:
        out: The results file.
        run: The run label written on every record.
        problems: Problems asked for (after removing duplicate ids).
        skipped: Problems already in the results file (resume).
        finished: Problems solved and written by this call.
        correct: How many of those were judged correct.
        errors: This call's problems by error kind.
        seconds: Wall seconds of this call.
        interrupted: True when the run was stopped before every problem finished.
    """

    out: Path
    run: str
    problems: int = 0
    skipped: int = 0
    finished: int = 0
    correct: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    interrupted: bool = False


def evaluate(
    problems: Sequence[Problem],
    model: Model,
    out: str | Path,
    *,
    mode: str = "pot",
    run: str | None = None,
    concurrency: int = 1,
    samples: int = 1,
    max_steps: int | None = None,
    timeout: float = 10.0,
    resume: bool = False,
    pool: KernelPool | None = None,
    executor: str | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_record: RecordCallback | None = None,
    **solver_options: Any,
) -> EvalSummary:
    """Solve ``problems``, ``concurrency`` at a time, appending one record per problem to ``out``.

    Args:
        problems: The problems (e.g. from ``pot.tasks.load_problems``).
        model: One model shared by every worker.
        out: The results file (JSON lines).
        mode: ``"pot"``, ``"tir"``, ``"coc"`` or ``"cot"``.
        run: The run label (default ``run_label(mode, model.name, samples)``).
        concurrency: Problems in flight (worker threads, and kernels in the pool).
        samples: Self-consistency samples per problem.
        max_steps: Generations per sample (default by mode).
        timeout: Seconds one piece of code may run.
        resume: Skip the problems already in ``out`` instead of refusing to write.
        pool: Kernels to borrow from (default: a ``KernelPool(concurrency)``
            started here and shut down at the end; ``cot`` needs none).
        executor: Where that default pool's kernels run: ``local``, ``sandbox``,
            ``unconfined`` or ``gateway:URL`` (default ``$POT_EXECUTOR`` or ``local``).
        on_start: Called once in the calling thread with (problems to solve, skipped).
        on_record: Called in the calling thread after each record is written.
        **solver_options: More :class:`~pot.solver.Solver` options (``temperature``...).

    Returns:
        What was done; the records themselves are in ``out``.

    Raises:
        ResultsExistError: ``out`` holds results and ``resume`` is False.
        RunMismatchError: ``out`` holds results of another run.
        pot.tasks.ResultsFileError: ``out`` is corrupt.
        pot.executors.ExecutorError: The kernels could not be started.
        KeyboardInterrupt: Passed on after the finished records are safe.
    """
    from pot.modes import Mode

    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    mode = Mode(mode).value
    name = str(getattr(model, "name", type(model).__name__))
    label = run or run_label(mode, model_label(name), samples)
    done_ids = check_results_file(out, label, resume=resume)
    by_id: dict[str, Problem] = {}
    for problem in problems:
        by_id.setdefault(problem.id, problem)
    unique = list(by_id.values())
    todo = [problem for problem in unique if problem.id not in done_ids]
    summary = EvalSummary(out=Path(out), run=label, problems=len(unique))
    summary.skipped = len(unique) - len(todo)
    if on_start is not None:
        on_start(len(todo), summary.skipped)
    if not todo:
        return summary
    settings = dict(
        solver_options, mode=mode, samples=samples, max_steps=max_steps, timeout=timeout
    )
    kernels = _kernels(mode, pool, min(concurrency, len(todo)), timeout, executor)
    with kernels as lend:
        started = time.perf_counter()
        try:
            _run_workers(todo, model, lend, label, settings, out, concurrency, summary, on_record)
        finally:
            summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def _kernels(
    mode: str, pool: KernelPool | None, size: int, timeout: float, executor: str | None
) -> Iterator[Callable[[], AbstractContextManager[Executor]]]:
    """How workers borrow an executor: from ``pool``, a new pool, or none for ``cot``."""
    if pool is not None:
        yield pool.lend
        return
    if mode == "cot":
        yield lambda: nullcontext(_NoKernel())
        return
    from pot.api import PRELOAD
    from pot.executors import make_pool

    own = make_pool(executor, size=size, preload=PRELOAD, timeout=timeout)
    own.start()
    try:
        yield own.lend
    finally:
        own.shutdown()


class _NoKernel:
    """The executor of ``cot`` runs, which never run code (resets are no-ops)."""

    def start(self) -> None:
        pass

    def run(self, code: str, timeout: float | None = None) -> ExecutionResult:
        from pot.executors import ExecutorError

        raise ExecutorError("cot runs have no kernel")

    def reset(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


@dataclass(frozen=True)
class _Fatal:
    error: BaseException


def _run_workers(
    todo: list[Problem],
    model: Model,
    lend: Callable[[], AbstractContextManager[Executor]],
    label: str,
    settings: dict[str, Any],
    out: str | Path,
    concurrency: int,
    summary: EvalSummary,
    on_record: RecordCallback | None,
) -> None:
    """Start the workers, collect their records in this thread, stop them on any exit."""
    waiting: queue.Queue[Problem] = queue.Queue()
    for problem in todo:
        waiting.put(problem)
    finished: queue.Queue[ResultRecord | _Fatal] = queue.Queue()
    stop = threading.Event()
    write_lock = threading.Lock()
    writer = ResultWriter(out).open()

    def work() -> None:
        while not stop.is_set():
            try:
                problem = waiting.get_nowait()
            except queue.Empty:
                return
            try:
                record = solve_problem(problem, model, lend, label, settings)
                with write_lock:
                    if stop.is_set():
                        return  # abandoned: the run stopped while this one was in flight
                    writer.write(record)
            except BaseException as error:  # the writer failed: stop the run
                finished.put(_Fatal(error))
                return
            finished.put(record)

    workers = [
        threading.Thread(target=work, name=f"pot-eval-{index}", daemon=True)
        for index in range(min(concurrency, len(todo)))
    ]
    for worker in workers:
        worker.start()
    remaining = len(todo)
    try:
        while remaining:
            try:
                item = finished.get(timeout=0.2)
            except queue.Empty:
                if not any(worker.is_alive() for worker in workers) and finished.empty():
                    break
                continue
            if isinstance(item, _Fatal):
                raise item.error
            remaining -= 1
            summary.finished += 1
            summary.correct += item.correct
            if item.error:
                summary.errors[item.error] += 1
            if on_record is not None:
                on_record(item)
    finally:
        summary.interrupted = remaining > 0
        with write_lock:  # after this no worker writes: in-flight problems are dropped
            stop.set()
            writer.close()


def solve_problem(
    problem: Problem,
    model: Model,
    lend: Callable[[], AbstractContextManager[Executor]],
    label: str,
    settings: dict[str, Any],
) -> ResultRecord:
    """Solve and judge one problem; any exception becomes a record with its error kind.

    Args:
        problem: The problem.
        model: The shared model.
        lend: Returns a context manager that lends an executor.
        label: The run label.
        settings: Solver options (``mode``, ``samples``, ``max_steps``, ``timeout``...).
    """
    from pot.solver import Solver

    started_at, began = time.time(), time.perf_counter()
    fields: dict[str, Any] = {
        "id": problem.id,
        "task": problem.task,
        "run": label,
        "gold": problem.answer,
        "mode": settings["mode"],
        "model": str(getattr(model, "name", type(model).__name__)),
        "samples": settings["samples"],
        "started_at": started_at,
    }
    options = dict(settings)
    mode = options.pop("mode")
    try:
        with lend() as executor:
            lent = time.perf_counter()
            solver = Solver(model, executor, mode, **options)
            trace = solver.solve(problem.question)
        fields.update(_judged(trace, problem))
        fields["timings"]["wait"] = lent - began
    except Exception as error:
        fields.update(error=error_kind(error), detail=f"{type(error).__name__}: {error}")
    fields["seconds"] = time.perf_counter() - began
    fields["finished_at"] = time.time()
    return ResultRecord.model_validate(fields)


def _judged(trace: Trace, problem: Problem) -> dict[str, Any]:
    """The record fields that come from a trace and the judge's verdict on it."""
    answer = trace.answer
    fields: dict[str, Any] = {
        "prediction": answer.value,
        "steps": len(trace.code_steps),
        "generations": sum(1 for step in trace.steps if step.kind in ("code", "text")),
        "timings": {"model": trace.model_seconds, "kernel": trace.kernel_seconds},
        "prompt_tokens": trace.prompt_tokens,
        "completion_tokens": trace.completion_tokens,
        "trace": json.loads(trace.model_dump_json()),
    }
    if answer.value is None:
        reason = answer.reason.value if answer.reason is not None else "no_answer"
        fields.update(error=reason, detail=answer.detail)
        return fields
    began = time.perf_counter()
    try:
        verdict = judge(answer.value, problem)
    except Exception as error:
        fields.update(error="judge_error", detail=f"{type(error).__name__}: {error}")
        return fields
    fields["timings"]["judge"] = time.perf_counter() - began
    fields.update(correct=verdict.correct, normalized=verdict.normalized)
    if verdict.reason:
        fields["detail"] = verdict.reason
    return fields
