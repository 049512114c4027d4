"""``pot chat``: a terminal conversation with one persistent, sandboxed kernel.

The kernel works in the current folder (the one host folder it may write) and
lives for the whole conversation: a follow-up question sees the variables and
files of the earlier ones, and the model is told which variables exist and what
was asked before. Figures are saved as PNG files in the folder, their paths
printed. Ctrl-C stops the running step (the kernel keeps its variables); Ctrl-D
or ``exit`` ends the conversation.

Exit codes: 0 the conversation ended; 2 a bad option or config file; 3 the
model could not be loaded; 4 no kernel could be started.
"""

from __future__ import annotations

import queue
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from pot.cli_options import (
    EXIT_BAD_INPUT,
    EXIT_EXECUTOR,
    EXIT_MODEL,
    ContextOption,
    DeviceOption,
    MaxNewTokensOption,
    ModelOption,
    ModeOption,
    QuantizationOption,
    SeedOption,
    TemperatureOption,
    ThreadsOption,
    TimeoutOption,
)

if TYPE_CHECKING:
    from rich.console import Console

    from pot.config import Settings
    from pot.executors import JupyterExecutor
    from pot.models.base import Model
    from pot.trace import Step

PROMPT = "pot> "
_NAMES = (
    "print(sorted(f'{name} ({type(value).__name__})' for name, value in list(globals().items())"
    " if not name.startswith('_') and name not in _pot_chat_baseline))"
)


class Stopped(Exception):
    """The user pressed Ctrl-C: no more code runs for this question."""


def chat_command(
    model: ModelOption = None,
    mode: ModeOption = None,
    timeout: TimeoutOption = None,
    temperature: TemperatureOption = None,
    seed: SeedOption = None,
    max_new_tokens: MaxNewTokensOption = None,
    quantization: QuantizationOption = None,
    device: DeviceOption = None,
    threads: ThreadsOption = None,
    context: ContextOption = None,
) -> None:
    """Talk with pot in the terminal; one kernel, in this folder, keeps your variables."""
    from rich.console import Console

    from pot.cli_checks import SettingError, check_model
    from pot.cli_model import load_model_for, model_name, model_options
    from pot.config import ConfigError, load_configuration
    from pot.executors import ExecutorError
    from pot.models.base import ModelError
    from pot.models.errors import UnknownModelError
    from pot.terminal import print_error, print_note

    console = Console(highlight=False)
    flags = {"model": model, "mode": mode, "timeout": timeout, "temperature": temperature}
    flags |= {"seed": seed, "max_new_tokens": max_new_tokens, "device": device}
    flags |= {"quantization": quantization.value if quantization else None, "threads": threads}
    flags |= {"context": context}
    try:
        settings = load_configuration(flags).settings
        check_model(settings.model, **model_options(settings))
        chosen = load_model_for(console, settings.model, model_options(settings))
    except (ConfigError, SettingError, UnknownModelError) as error:
        print_error(console, error)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ModelError as error:
        print_error(console, error, "model error")
        raise typer.Exit(EXIT_MODEL) from None
    folder = Path.cwd()
    try:
        kernel = start_kernel(folder, settings.timeout)
    except ExecutorError as error:
        print_error(console, error, "kernel error")
        raise typer.Exit(EXIT_EXECUTOR) from None
    print_note(
        console,
        f"pot chat · {model_name(settings.model)} · {settings.mode.value} · kernel in {folder}. "
        "Ctrl-C stops a step, Ctrl-D or 'exit' quits.",
        "dim",
    )
    try:
        Conversation(console, chosen, kernel, settings, folder).run()
    finally:
        kernel.shutdown()


def start_kernel(folder: Path, timeout: float) -> JupyterExecutor:
    """A sandboxed kernel (where the sandbox works) writing in ``folder``, kept for the chat."""
    from pot.executors import JupyterExecutor, Sandbox
    from pot.preload import PRELOAD

    enter = f"import os\ntry:\n    os.chdir({str(folder)!r})\nexcept OSError:\n    pass\n"
    kernel = JupyterExecutor(
        timeout=timeout,
        preload=f"{PRELOAD}\n{enter}",
        sandbox=Sandbox(mode="auto", writable=(str(folder),), drop_root=False),
        reuse="reset",
        spares=0,
    )
    kernel.start()
    kernel.run("_pot_chat_baseline = set(globals()) | {'In', 'Out', 'exit', 'quit'}")
    return kernel


class Conversation:
    """The read-solve-print loop of ``pot chat``."""

    def __init__(
        self,
        console: Console,
        model: Model,
        kernel: JupyterExecutor,
        settings: Settings,
        folder: Path,
    ) -> None:
        self.console = console
        self.model = model
        self.kernel = kernel
        self.settings = settings
        self.folder = folder
        self.history: list[tuple[str, str]] = []
        self.figures = 0

    def run(self) -> None:
        """Ask, solve, show, until end of input."""
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            # started in the background by a shell, which ignores Ctrl-C for its children:
            # Ctrl-C is how a step is stopped here, so take it back
            signal.signal(signal.SIGINT, signal.default_int_handler)
        while True:
            try:
                line = input(PROMPT)
            except EOFError:
                self.console.print()
                return
            except KeyboardInterrupt:
                self.console.print()
                continue
            if line.strip() in ("exit", "quit"):
                return
            if line.strip():
                self.ask(line.strip())

    def ask(self, question: str) -> None:
        """Solve one question in the chat's kernel, showing each step; Ctrl-C stops it."""
        from pot.terminal import print_note

        events: queue.Queue[Any] = queue.Queue()
        stop = threading.Event()
        try:  # Ctrl-C before the step starts (a busy machine is slow to print): none runs
            asked = self.with_context(question)
            print_note(self.console, "thinking...", "dim")
        except KeyboardInterrupt:
            print_note(self.console, "stopped before it started", "yellow")
            return
        worker = threading.Thread(target=self._solve, args=(asked, events, stop), daemon=True)
        worker.start()
        while True:
            try:  # Ctrl-C anywhere in here stops the step, printing included
                item = events.get(timeout=0.2)
                if item is None:
                    break
                self._show(question, item)
            except queue.Empty:
                continue
            except KeyboardInterrupt:
                stop.set()
                self.kernel.interrupt()
                print_note(self.console, "stopped: the kernel keeps its variables", "yellow")
        worker.join()

    def _show(self, question: str, item: Any) -> None:
        """Print one event of the solve (a step, an error, the answer) and keep the answer."""
        from pot.executors import ExecutorError
        from pot.models.base import ModelError
        from pot.questions import QuestionError
        from pot.render import step_renderable
        from pot.terminal import print_error

        if isinstance(item, Exception):
            label = "error"
            if isinstance(item, ModelError):
                label = "model error"
            elif isinstance(item, ExecutorError):
                label = "kernel error"
            elif not isinstance(item, QuestionError):
                label = f"pot failed ({type(item).__name__})"
            print_error(self.console, item, label)
            return
        self.console.print(step_renderable(item))
        self._save_figures(item)
        answer = getattr(item, "answer", None)
        if item.kind == "final" and answer is not None:
            self.history.append((question, answer.normalized or "no answer"))

    def with_context(self, question: str) -> str:
        """The question with what the model needs to follow up: earlier questions and
        answers, and the variables the kernel holds now."""
        if not self.history:
            return question
        names = self.kernel.run(_NAMES).stdout.strip()
        earlier = "\n".join(f"- {asked} -> {answer}" for asked, answer in self.history[-5:])
        return (
            f"Earlier in this session (the Python session still holds its variables: {names}):\n"
            f"{earlier}\n\nNow: {question}"
        )

    def _solve(self, question: str, events: queue.Queue[Any], stop: threading.Event) -> None:
        from pot.session import Session

        settings = self.settings
        session = Session(
            self.model,
            executor=_Stoppable(self.kernel, stop),
            mode=settings.mode,
            timeout=settings.timeout,
            temperature=settings.temperature,
            seed=settings.seed,
            max_new_tokens=settings.max_new_tokens,
        )
        try:
            for event in session.stream(question):
                events.put(event)
                if stop.is_set():
                    break
        except Stopped:
            pass
        except Exception as error:  # shown as one line; the conversation goes on
            events.put(error)
        finally:
            events.put(None)

    def _save_figures(self, step: Step) -> None:
        from pot.terminal import print_note

        execution = getattr(step, "execution", None)
        for display in execution.displays if execution is not None else []:
            if display.png is None:
                continue
            self.figures += 1
            path = self.folder / f"pot-chat-{self.figures}.png"
            path.write_bytes(display.png)
            print_note(self.console, f"figure saved: {path}", "cyan")


class _Stoppable:
    """The chat's kernel for one question: refuses to run code once Ctrl-C was pressed."""

    def __init__(self, kernel: JupyterExecutor, stop: threading.Event) -> None:
        self.kernel = kernel
        self.stop = stop
        self.preload = kernel.preload

    def run(self, code: str, timeout: float | None = None) -> Any:
        if self.stop.is_set():
            raise Stopped
        return self.kernel.run(code, timeout)

    def reset(self) -> None:
        self.kernel.reset()

    def interrupt(self) -> None:
        self.kernel.interrupt()
