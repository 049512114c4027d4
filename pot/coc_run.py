"""Chain of Code execution: run a program statement by statement, simulating what cannot run.

A statement that fails because a helper cannot run (see
:data:`pot.coc.SIMULATABLE_ERRORS`) is handed to the model with the program
and the current variables; the assignments it answers with run in the kernel
instead, and the program carries on with the next statement.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pot.coc import (
    MAX_SIMULATIONS,
    VARIABLES_SNIPPET,
    Statement,
    is_simulatable,
    keep_simulation,
    split_statements,
)
from pot.executors import ErrorInfo, ExecutionResult, KernelEvent
from pot.extract import extract_code
from pot.loop_requests import (
    Execute,
    ExecuteReply,
    Generate,
    Loop,
    ProgramRun,
    Request,
    fitting,
)
from pot.models.base import ContextOverflowError, Message
from pot.prompts import simulation_opening, simulation_request
from pot.trace import LineRun


def run_chain(code: str) -> Loop:
    """Run a program statement by statement, simulating what cannot run.

    A program that does not parse runs whole, so the model sees its real
    SyntaxError. Returns a :class:`~pot.loop_requests.ProgramRun` whose ``lines`` say
    which statements ran, were simulated, or failed (the run stops there).
    """
    statements = split_statements(code)
    if not statements:
        executed: ExecuteReply = yield Execute(code)
        return ProgramRun(result=executed.result, kernel_seconds=executed.seconds)
    ran = ProgramRun(result=ExecutionResult(), kernel_seconds=0.0)
    kept: list[ExecutionResult] = []
    simulations = 0
    for statement in statements:
        executed = yield Execute(statement.source)
        ran.kernel_seconds += executed.seconds
        error = executed.result.error
        line = {"lineno": statement.lineno, "end_lineno": statement.end_lineno}
        if executed.result.ok:
            kept.append(executed.result)
            ran.lines.append(LineRun(source=statement.source, how="ran", **line))
            continue
        simulatable = executed.result.kernel is KernelEvent.OK and error is not None
        if simulatable and is_simulatable(error.name) and simulations < MAX_SIMULATIONS:
            simulations += 1
            simulated = yield from _simulate(code, statement, error, ran)
            if simulated is not None:
                kept.append(simulated[1])
                ran.lines.append(
                    LineRun(
                        source=statement.source,
                        how="simulated",
                        simulation=simulated[0],
                        error=f"{error.name}: {error.value}",
                        **line,
                    )
                )
                continue
        kept.append(executed.result)
        reason = f"{error.name}: {error.value}" if error else executed.result.kernel.value
        ran.lines.append(LineRun(source=statement.source, how="failed", error=reason, **line))
        break
    ran.result = combine(kept)
    return ran


def _simulate(
    program: str, statement: Statement, error: ErrorInfo, ran: ProgramRun
) -> Generator[Request, Any, tuple[str, ExecutionResult] | None]:
    """Ask the model for the values a statement would produce; run them instead."""
    variables: ExecuteReply = yield Execute(VARIABLES_SNIPPET)
    ran.kernel_seconds += variables.seconds
    request = simulation_request(
        program,
        variables.result.stdout.strip(),
        statement.source,
        f"{error.name}: {error.value}",
        statement.targets,
    )
    conversation = [*simulation_opening(), Message(role="user", content=request)]
    generated = yield from fitting(Generate(conversation, greedy=True))
    if isinstance(generated, ContextOverflowError):
        return None  # the program and its variables are too long to simulate: the line fails
    generation = generated.samples[0]
    ran.model_seconds += generated.seconds
    ran.prompt_tokens += generation.prompt_tokens
    ran.completion_tokens += generation.completion_tokens
    block = extract_code(generation.text)
    simulation = keep_simulation(block.code, statement.targets) if block else None
    if simulation is None:
        return None
    executed: ExecuteReply = yield Execute(simulation)
    ran.kernel_seconds += executed.seconds
    return (simulation, executed.result) if executed.result.ok else None


def combine(results: list[ExecutionResult]) -> ExecutionResult:
    """One result for a program run statement by statement (the last one may have failed)."""
    if not results:
        return ExecutionResult()
    last = results[-1]
    worst = next(
        (result.kernel for result in results if result.kernel is not KernelEvent.OK),
        KernelEvent.OK,
    )
    return ExecutionResult(
        stdout="".join(result.stdout for result in results),
        stderr="".join(result.stderr for result in results),
        result=last.result,
        displays=[display for result in results for display in result.displays],
        error=last.error,
        elapsed=sum(result.elapsed for result in results),
        kernel=worst,
        truncated=any(result.truncated for result in results),
    )
