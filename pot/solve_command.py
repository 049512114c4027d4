"""``pot solve QUESTION``: solve one question, showing each step live.

Exit codes: 0 answered; 1 finished without an answer; 2 bad question or
option; 3 the model failed; 4 no kernel could be used.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from pot.cli_options import (
    EXIT_BAD_INPUT,
    EXIT_EXECUTOR,
    EXIT_MODEL,
    ExecutorOption,
    MaxStepsOption,
    ModelOption,
    ModeOption,
    PromptOption,
    SamplesOption,
    TimeoutOption,
)
from pot.modes import Mode

EXIT_NO_ANSWER = 1


def solve_command(
    question: Annotated[str, typer.Argument(help="The question, or - to read it from stdin.")],
    mode: ModeOption = Mode.POT,
    model: ModelOption = None,
    samples: SamplesOption = 1,
    max_steps: MaxStepsOption = None,
    timeout: TimeoutOption = 10.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the trace as JSON, nothing else.")
    ] = False,
    trace_file: Annotated[
        Path | None, typer.Option("--trace", help="Save the trace as JSON to this file.")
    ] = None,
    notebook: Annotated[
        Path | None, typer.Option(help="Save the trace as a notebook (.ipynb).")
    ] = None,
    executor: ExecutorOption = None,
    prompt: PromptOption = None,
) -> None:
    """Solve QUESTION: the model writes Python, a kernel runs it, the answer comes back."""
    from rich.console import Console

    from pot import api
    from pot.executors import ExecutorError
    from pot.models.base import ModelError
    from pot.prompt_file import PromptFileError, load_prompt
    from pot.render import step_renderable
    from pot.solver import QuestionError, Solver, check_question
    from pot.trace import Trace

    console = Console(stderr=as_json)
    errors = Console(stderr=True)
    try:
        text = check_question(read_stdin() if question == "-" else question)
        custom = load_prompt(prompt) if prompt is not None else None
        if not as_json:
            console.print(f"[bold]{text}[/bold]")
        loading = console.status("loading the model...") if not as_json else nullcontext()
        with loading:
            chosen = api.default_model(model)
        with api.lend_executor(timeout, executor) as lent:
            solver = Solver(
                chosen,
                lent,
                mode,
                samples=samples,
                max_steps=max_steps,
                timeout=timeout,
                prompt=custom,
            )
            events = []
            for event in solver.stream(text):
                events.append(event)
                if not as_json:
                    console.print(step_renderable(event))
    except (QuestionError, PromptFileError) as error:
        errors.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ModelError as error:
        errors.print(f"[red]model error:[/red] {error}")
        raise typer.Exit(EXIT_MODEL) from None
    except ExecutorError as error:
        errors.print(f"[red]kernel error:[/red] {error}")
        raise typer.Exit(EXIT_EXECUTOR) from None
    trace = Trace.from_events(text, mode, solver.model_name, samples, events)
    if as_json:
        typer.echo(trace.to_json())
    if trace_file is not None:
        trace.save(trace_file)
        errors.print(f"trace saved to {trace_file}")
    if notebook is not None:
        trace.to_notebook(notebook)
        errors.print(f"notebook saved to {notebook}")
    if not trace.answer.ok:
        raise typer.Exit(EXIT_NO_ANSWER)


def read_stdin() -> str:
    """Standard input as text.

    Raises:
        NotTextError: It is not UTF-8 (the message says how to convert it).
    """
    from pot.questions import NotTextError

    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 4]
        raise NotTextError(
            f"standard input is not UTF-8 text (byte {error.start}: {bad!r}); "
            "convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None
