"""Solve and judge one problem: the record :func:`pot.evaluate.aevaluate` writes for it."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from pot.executors import ExecutorError
from pot.runs import error_kind
from pot.solver import Solver
from pot.tasks import Problem, ResultRecord, judge

if TYPE_CHECKING:
    from pot.executors import ExecutionResult, KernelPool
    from pot.models.base import Model
    from pot.trace import Trace


class _NoKernel:
    """The executor of ``cot`` runs, which never run code (resets are no-ops)."""

    def start(self) -> None:
        pass

    def run(self, code: str, timeout: float | None = None) -> ExecutionResult:
        raise ExecutorError("cot runs have no kernel")

    def reset(self) -> None:
        pass

    def interrupt(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


async def solve_problem(
    problem: Problem,
    model: Model,
    pool: KernelPool | None,
    label: str,
    settings: dict[str, Any],
) -> ResultRecord:
    """Solve and judge one problem; any exception becomes a record with its error kind.

    Args:
        problem: The problem.
        model: The shared model.
        pool: Where a kernel is borrowed at the first code step (None: ``cot``).
        label: The run label.
        settings: Solver options (``mode``, ``samples``, ``max_steps``, ``timeout``...).
    """
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
    lent = pool.on_demand() if pool is not None else None
    try:
        solver = Solver(model, lent or _NoKernel(), mode, **options)
        trace = await solver.asolve(problem.question)
        lent_for = lent.waited if lent is not None else 0.0
        if lent is not None:
            lent.release()  # before judging: the kernel is free for the next problem
        fields.update(await asyncio.to_thread(_judged, trace, problem))
        fields["timings"]["wait"] = lent_for
    except Exception as error:
        fields.update(error=error_kind(error), detail=f"{type(error).__name__}: {error}")
    finally:
        if lent is not None:
            lent.release()
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
        # the answer pot gives is the normalised one ('54.0' is 54, '\\text{Owen}' is Owen)
        verdict = judge(answer.normalized or answer.value, problem)
    except Exception as error:
        fields.update(error="judge_error", detail=f"{type(error).__name__}: {error}")
        return fields
    fields["timings"]["judge"] = time.perf_counter() - began
    fields.update(correct=verdict.correct, normalized=verdict.normalized)
    if verdict.score is not None:  # partial credit from the task's own scorer (reasoning-gym)
        fields["score"] = verdict.score
    if verdict.reason:
        fields["detail"] = verdict.reason
    return fields
