"""``pot eval TASK``: run a benchmark (``pot report`` is :mod:`pot.report_command`).

Exit codes: 0 done; 2 bad input (unknown task, mode or
model, missing data, bad shard, an existing or corrupt results file); 3 the
model failed to load, or ``--max-errors`` problems in a row failed in the model;
4 no kernel could be started, or ``--max-errors`` problems in a row failed in the
kernels; 130 interrupted (the finished problems are safe in the results file:
continue with ``--resume``).
"""

from __future__ import annotations

from collections import Counter
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pot.cli_options import (
    EXIT_BAD_INPUT,
    EXIT_EXECUTOR,
    EXIT_MODEL,
    ContextOption,
    DataOption,
    DeviceOption,
    ExecutorOption,
    MaxStepsOption,
    ModelOption,
    ModeOption,
    PromptOption,
    QuantizationOption,
    SamplesOption,
    ThreadsOption,
    TimeoutOption,
    fail,
)

if TYPE_CHECKING:
    from rich.console import Console

    from pot.tasks import Problem, ResultRecord

EXIT_INTERRUPTED = 130


class FileJudge(str, Enum):
    """Judges a problem file's rows may use (``--judge``)."""

    NUMBER = "number"
    MATH = "math"
    EXACT = "exact"
    CHOICE = "choice"


def eval_command(
    task: Annotated[
        str,
        typer.Argument(
            help="Task spec: gsm8k, svamp, math500, cruxeval, bbh[:t1,t2], rg[:suite|NAME,...], "
            "or your own problems.jsonl / problems.csv (see `pot tasks`)."
        ),
    ],
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=0, help="Only the first N problems.")
    ] = None,
    per_task: Annotated[
        int | None,
        typer.Option(
            "--per-task",
            min=1,
            help="Only the first N problems of each subtask (e.g. of each BBH task).",
        ),
    ] = None,
    mode: ModeOption = None,
    model: ModelOption = None,
    samples: SamplesOption = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, help="Problems in flight.")
    ] = 1,
    kernels: Annotated[
        int | None,
        typer.Option(
            "--kernels",
            min=1,
            help="Kernels in the pool (default min(concurrency, 32)); a problem holds one "
            "only while it runs code, so many problems can share few kernels.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Results file (default runs/<task>-<mode>-<model>.jsonl)."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the results file, skipping finished ids.")
    ] = False,
    shard: Annotated[
        str | None, typer.Option(help="Only shard I/N of the problems (0-based), e.g. 0/4.")
    ] = None,
    ids: Annotated[
        str | None,
        typer.Option(
            "--ids",
            help="Only these problems: ids comma-separated (gsm8k/3,gsm8k/12), or @FILE with "
            "one id a line or JSON lines with an id (a results file).",
        ),
    ] = None,
    interleaved: Annotated[
        bool,
        typer.Option(
            "--interleave",
            help="Take the problems in turn from each task or generator (the first of "
            "each, then the second...): stopped early, the run has measured every kind "
            "alike. Results do not depend on the order; --resume may change it.",
        ),
    ] = False,
    data: DataOption = None,
    timeout: TimeoutOption = None,
    max_steps: MaxStepsOption = None,
    executor: ExecutorOption = None,
    prompt: PromptOption = None,
    quantization: QuantizationOption = None,
    device: DeviceOption = None,
    threads: ThreadsOption = None,
    context: ContextOption = None,
    size: Annotated[
        int | None,
        typer.Option(min=1, help="rg: problems per reasoning-gym generator (default 20)."),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(min=0, help="rg: the generators' seed (default 0)."),
    ] = None,
    judge: Annotated[
        FileJudge | None,
        typer.Option(
            help="Problem files: how to judge rows that name no judge (default: guessed)."
        ),
    ] = None,
    max_errors: Annotated[
        int,
        typer.Option(
            "--max-errors",
            min=0,
            help="Stop after N problems in a row fail in the model or the kernels (exit 3 or "
            "4; continue with --resume); 0 never stops.",
        ),
    ] = 5,
) -> None:
    """Evaluate on TASK: one JSON line per problem as it finishes, then the summary."""
    from rich.console import Console

    from pot.cli_checks import SettingError, check_executor, check_model, check_writable
    from pot.cli_model import load_model_for, model_options
    from pot.config import ConfigError, load_configuration
    from pot.evaluate import InfrastructureError, evaluate
    from pot.executors import ExecutorError
    from pot.models.base import ModelError
    from pot.models.errors import UnknownModelError
    from pot.prompt_file import PromptFileError, load_prompt
    from pot.run_record import run_settings
    from pot.runs import (
        EvaluationError,
        check_results_file,
        default_out,
        model_label,
        run_label,
    )
    from pot.tasks import (
        TaskError,
        TaskOptions,
        interleave,
        load_problems,
        parse_ids,
        parse_shard,
        render_report,
        report,
    )
    from pot.tasks.record import check_settings
    from pot.tasks.registry import describe_task, task_file_name
    from pot.terminal import print_note

    console, errors = Console(), Console(stderr=True)
    try:  # flags, then $POT_MODEL/$POT_EXECUTOR/$POT_DATA, then config files (pot.config)
        flags = {"model": model, "mode": mode, "samples": samples, "timeout": timeout}
        flags |= {"max_steps": max_steps, "executor": executor, "data": data}
        flags |= {"quantization": quantization.value if quantization else None}
        flags |= {"device": device, "threads": threads, "context": context}
        settings = load_configuration(flags).settings
        custom = load_prompt(prompt) if prompt is not None else None
    except (PromptFileError, ConfigError) as error:
        raise fail(errors, str(error), EXIT_BAD_INPUT) from None
    model, mode, samples, data = settings.model, settings.mode, settings.samples, settings.data
    timeout, max_steps, executor = settings.timeout, settings.max_steps, settings.executor
    mode_name = mode.value
    label = model_label(model)
    if settings.quantization:  # a run of other weights is another run in the report
        label = f"{label}@{settings.quantization}"
    labelled = f"{mode_name}+{custom.name}" if custom else mode_name
    run = run_label(mode_name, label, samples, custom.name if custom else None)
    try:
        if data is not None and not data.is_dir():
            raise fail(errors, f"data folder {data} does not exist", EXIT_BAD_INPUT)
        if shard is not None:
            parse_shard(shard)
        task_options = TaskOptions(size=size, seed=seed, judge=judge.value if judge else None)
        chosen_ids = parse_ids(ids) if ids is not None else None
        problems = load_problems(
            task,
            data_dir=data,
            limit=limit,
            per_task=per_task,
            shard=shard,
            options=task_options,
            ids=chosen_ids,
        )
        problems = interleave(problems) if interleaved else problems
        out = out or default_out(task_file_name(task, task_options), labelled, label, shard)
        check_writable(out, "--out")
        check_results_file(out, run, resume=resume)
        options = {"samples": samples, "max_steps": max_steps, "timeout": timeout, "prompt": custom}
        described = describe_task(task, task_options, shard)
        recorded = run_settings(described, label, mode_name, **options)
        if resume and out.is_file() and out.stat().st_size:
            check_settings(out, recorded)
        check_executor(executor)
        local = model_options(settings)
        check_model(model, **local)
    except (TaskError, EvaluationError, SettingError, UnknownModelError, ValueError) as error:
        raise fail(errors, str(error), EXIT_BAD_INPUT) from None
    except ModelError as error:
        raise fail(errors, f"model failed: {error}", EXIT_MODEL) from None
    _note_judges(errors, problems)
    if not problems:
        raise fail(errors, f"{task} has no problems to evaluate", EXIT_BAD_INPUT)
    try:
        chosen = load_model_for(errors, model, local)
    except UnknownModelError as error:
        raise fail(errors, str(error), EXIT_BAD_INPUT) from None
    except ModelError as error:
        raise fail(errors, f"model failed: {error}", EXIT_MODEL) from None
    print_note(errors, f"{run} on {task}: {len(problems)} problems -> {out}")
    session = {"limit": limit, "per_task": per_task, "kernels": kernels, "executor": executor}
    session |= {"ids": chosen_ids} if chosen_ids else {}
    session |= {"interleave": True} if interleaved else {}
    try:
        with _Progress(errors) as progress:
            summary = evaluate(
                problems,
                chosen,
                out,
                mode=mode_name,
                run=run,
                concurrency=concurrency,
                kernels=kernels,
                resume=resume,
                on_start=progress.start,
                on_record=progress.advance,
                executor=executor,
                max_errors=max_errors,
                settings=recorded,
                session_options=session,
                **options,
            )
    except KeyboardInterrupt:
        print_note(errors, f"interrupted: finished problems are in {out}; continue with --resume")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except ExecutorError as error:
        raise fail(errors, f"kernel error: {error}", EXIT_EXECUTOR) from None
    except InfrastructureError as error:
        code = EXIT_MODEL if error.kind == "model_error" else EXIT_EXECUTOR
        raise fail(errors, str(error), code) from None
    except (EvaluationError, TaskError) as error:
        raise fail(errors, str(error), EXIT_BAD_INPUT) from None
    if summary.skipped:
        errors.print(f"resumed: {summary.skipped} problems were already finished")
    if summary.again:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(summary.again.items()))
        errors.print(f"resumed: solved again the problems recorded as {kinds}")
    render_report(report([out]), console)
    print_note(console, f"results: {out}")


def _note_judges(console: Console, problems: list[Problem]) -> None:
    """Say which judge a problem file's rows get, and whether it was guessed."""
    from pot.terminal import print_note

    judges = Counter(
        (problem.meta["judge"], problem.meta.get("judge_guessed", False))
        for problem in problems
        if problem.task.startswith("file/")
    )
    for (name, guessed), count in sorted(judges.items()):
        how = "guessed from the gold answers; choose with --judge" if guessed else "as given"
        problems = "problem" if count == 1 else "problems"
        print_note(console, f"judge: {name} for {count} {problems} ({how})")


class _Progress:
    """A rich progress bar with the running accuracy, fed by ``evaluate``'s callbacks."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[accuracy]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self.task_id: int | None = None
        self.judged = 0
        self.correct = 0
        self.failed = 0  # the model or the kernels failed: not judged

    def __enter__(self) -> _Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.progress.stop()

    def start(self, todo: int, skipped: int) -> None:
        """``evaluate``'s ``on_start``: how many problems are left to solve."""
        self.task_id = self.progress.add_task("solving", total=todo, accuracy="acc -")

    def advance(self, record: ResultRecord) -> None:
        """``evaluate``'s ``on_record``: one more problem finished."""
        from pot.tasks import RETRIED_ERRORS

        if record.error in RETRIED_ERRORS:
            self.failed += 1
        else:
            self.judged += 1
            self.correct += record.correct
        accuracy = (
            f"acc {100 * self.correct / self.judged:.1f}% ({self.correct})"
            if self.judged
            else "acc -"
        )
        if self.failed:
            accuracy += f", {self.failed} not judged (model/kernel errors)"
        if self.task_id is not None:
            self.progress.update(self.task_id, advance=1, accuracy=accuracy)
