"""``pot solve QUESTION``: solve one question, showing each step live.

Exit codes: 0 answered; 1 finished without an answer; 2 bad question, option,
config file or model spec (checked before anything heavy starts); 3 the model
could not be loaded or failed; 4 no kernel could be used; 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pot.cli_options import (
    EXIT_BAD_INPUT,
    EXIT_EXECUTOR,
    EXIT_MODEL,
    ContextOption,
    DeviceOption,
    ExecutorOption,
    MaxNewTokensOption,
    MaxStepsOption,
    ModelOption,
    ModeOption,
    PromptOption,
    QuantizationOption,
    SamplesOption,
    SeedOption,
    TemperatureOption,
    ThreadsOption,
    TimeoutOption,
)

if TYPE_CHECKING:
    from rich.console import Console

    from pot.config import Settings
    from pot.prompt_file import Prompt
    from pot.trace import Trace

EXIT_NO_ANSWER = 1
EXIT_INTERRUPTED = 130


def solve_command(
    question: Annotated[str, typer.Argument(help="The question, or - to read it from stdin.")],
    model: ModelOption = None,
    mode: ModeOption = None,
    samples: SamplesOption = None,
    max_steps: MaxStepsOption = None,
    timeout: TimeoutOption = None,
    temperature: TemperatureOption = None,
    seed: SeedOption = None,
    max_new_tokens: MaxNewTokensOption = None,
    quantization: QuantizationOption = None,
    device: DeviceOption = None,
    threads: ThreadsOption = None,
    context: ContextOption = None,
    executor: ExecutorOption = None,
    prompt: PromptOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the trace as JSON, nothing else.")
    ] = False,
    trace_file: Annotated[
        Path | None, typer.Option("--trace", help="Save the trace as JSON to this file.")
    ] = None,
    notebook: Annotated[
        Path | None,
        typer.Option(help="Save the trace as a notebook (.ipynb) that replays the steps."),
    ] = None,
) -> None:
    """Solve QUESTION: the model writes Python, a kernel runs it, the answer comes back."""
    from rich.console import Console

    from pot.terminal import plain

    console = Console(stderr=as_json)
    errors = Console(stderr=True)
    flags = {
        "model": model,
        "mode": mode,
        "samples": samples,
        "max_steps": max_steps,
        "timeout": timeout,
        "temperature": temperature,
        "seed": seed,
        "max_new_tokens": max_new_tokens,
        "quantization": quantization.value if quantization else None,
        "device": device,
        "threads": threads,
        "context": context,
        "executor": executor,
    }
    settings, text, custom = prepare(flags, question, prompt, (trace_file, notebook), errors)
    if not as_json:
        console.print(plain(text, "bold"), highlight=False)
    trace = run_solve(settings, text, custom, console if not as_json else None, errors)
    if as_json:
        typer.echo(trace.to_json())
    save_outputs(trace, trace_file, notebook, errors)
    if not trace.answer.ok:
        raise typer.Exit(EXIT_NO_ANSWER)


def prepare(
    flags: dict[str, object],
    question: str,
    prompt: Path | None,
    outputs: tuple[Path | None, Path | None],
    errors: Console,
) -> tuple[Settings, str, Prompt | None]:
    """Settings, question and prompt, every one checked before anything heavy starts.

    Raises:
        typer.Exit: With code 2 (bad input) or 3 (a broken model file), after one line.
    """
    from pot.cli_checks import SettingError, check_executor, check_model, check_writable
    from pot.cli_model import model_options
    from pot.config import ConfigError, load_configuration
    from pot.models.base import ModelError
    from pot.models.errors import UnknownModelError
    from pot.prompt_file import PromptFileError, load_prompt
    from pot.questions import check_limits
    from pot.solver import QuestionError, check_question
    from pot.terminal import print_error

    try:
        settings = load_configuration(flags).settings
        text = check_question(read_stdin() if question == "-" else question)
        custom = load_prompt(prompt) if prompt is not None else None
        check_limits(settings.samples, settings.max_steps, settings.timeout, 1)
        check_executor(settings.executor)
        check_model(settings.model, **model_options(settings))
        for path, flag in zip(outputs, ("--trace", "--notebook"), strict=True):
            if path is not None:
                check_writable(path, flag)
    except (QuestionError, PromptFileError, SettingError, ConfigError, UnknownModelError) as error:
        print_error(errors, error)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ModelError as error:
        print_error(errors, error, "model error")
        raise typer.Exit(EXIT_MODEL) from None
    return settings, text, custom


def run_solve(
    settings: Settings,
    text: str,
    custom: Prompt | None,
    console: Console | None,
    errors: Console,
) -> Trace:
    """Load the model, lend a kernel and solve, showing each step on ``console`` (if any).

    Raises:
        typer.Exit: With the documented code, after one line, when something fails.
    """
    from contextlib import closing

    from pot.cli_model import load_model_for, model_name, model_options
    from pot.executors import ExecutorError
    from pot.models.base import ModelError
    from pot.models.errors import UnknownModelError
    from pot.models.progress import Progress
    from pot.render import step_renderable
    from pot.session import Session
    from pot.status import WritingStatus
    from pot.terminal import escape, print_error

    try:
        chosen = load_model_for(
            console or errors, settings.model, model_options(settings), show=console is not None
        )
        session = Session(
            chosen,
            executor=settings.executor,
            mode=settings.mode,
            timeout=settings.timeout,
            samples=settings.samples,
            max_steps=settings.max_steps,
            temperature=settings.temperature,
            seed=settings.seed,
            max_new_tokens=settings.max_new_tokens,
            prompt=custom,
        )
        if console is None:
            trace = session.solve(text)
        else:
            writing = WritingStatus(model_name(settings.model))
            with console.status(escape(writing.text())) as status:

                def show(progress: Progress) -> None:
                    writing.seen(progress)
                    status.update(escape(writing.text()))

                with closing(session.stream(text, show)) as steps:  # the kernel goes back
                    for event in steps:
                        console.print(step_renderable(event, settings.samples))
                        writing.next_step()
                        status.update(escape(writing.text()))
            trace = session.trace()
    except UnknownModelError as error:
        print_error(errors, error)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ModelError as error:
        print_error(errors, error, "model error")
        raise typer.Exit(EXIT_MODEL) from None
    except ExecutorError as error:
        print_error(errors, error, "kernel error")
        raise typer.Exit(EXIT_EXECUTOR) from None
    except KeyboardInterrupt:
        print_error(errors, "interrupted", "stopped")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    return trace


def save_outputs(
    trace: Trace, trace_file: Path | None, notebook: Path | None, errors: Console
) -> None:
    """Write the trace and the notebook where asked, one line each.

    Raises:
        typer.Exit: With code 2 when a file cannot be written.
    """
    from pot.terminal import print_error, print_note

    try:
        if trace_file is not None:
            trace_file.parent.mkdir(parents=True, exist_ok=True)
            trace.save(trace_file)
            print_note(errors, f"trace saved to {trace_file}")
        if notebook is not None:
            trace.to_notebook(notebook)
            print_note(errors, f"notebook saved to {notebook}")
    except OSError as error:
        print_error(errors, f"cannot write {error.filename or 'the file'}: {error.strerror}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


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
