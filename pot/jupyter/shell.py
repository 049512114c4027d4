"""ShellExecutor: run model-written steps in the notebook's own IPython namespace.

Used by ``%%pot --here``: the model sees the user's variables and leaves its
results behind. There is no isolation: the code runs in the user's process.
"""

from __future__ import annotations

import _thread
import ast
import base64
import linecache
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from time import perf_counter
from typing import TYPE_CHECKING, Any

from IPython.lib.pretty import pretty
from IPython.utils.capture import capture_output

from pot.executors import DisplayData, ErrorInfo, ExecutionResult, KernelEvent

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

OUTPUT_CAP = 100_000
"""Characters of stdout or stderr kept from one step."""

_steps = count(1)


class _StepTimeout(BaseException):
    """Raised inside a step that ran past its deadline (a BaseException, so that
    ``except Exception`` in the step cannot swallow it)."""


class ShellExecutor:
    """Runs code in an IPython shell's user namespace (the :class:`~pot.executors.Executor`
    protocol).

    Output, rich displays and matplotlib figures are captured, not shown; the
    value of a last expression becomes ``result``. Deadlines use ``SIGALRM`` and
    so apply only when called from the main thread. ``reset()`` does nothing:
    the namespace belongs to the user.

    Args:
        shell: The running IPython shell (``get_ipython()``).
        timeout: Default seconds per run.
    """

    def __init__(self, shell: InteractiveShell, timeout: float = 10.0) -> None:
        self.shell = shell
        self.timeout = timeout
        self._running = False
        self._interrupted = False  # interrupt() was called for the running step

    def start(self) -> None:
        """Nothing to start: the shell is already running."""

    def reset(self) -> None:
        """Keep the user's namespace as it is."""

    def interrupt(self) -> None:
        """Stop the running step as Ctrl-C would (steps run in the main thread); with
        no step running, nothing happens (the notebook itself is never interrupted)."""
        if self._running and threading.current_thread() is not threading.main_thread():
            self._interrupted = True
            _thread.interrupt_main()

    def shutdown(self) -> None:
        """Nothing to stop."""

    def __enter__(self) -> ShellExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def run(self, code: str, timeout: float | None = None) -> ExecutionResult:
        """Run ``code`` in the shell's namespace and return what it produced."""
        filename = f"<pot-step-{next(_steps)}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        started = perf_counter()
        value: Any = None
        error: ErrorInfo | None = None
        event = KernelEvent.OK
        limit = self.timeout if timeout is None else timeout
        with capture_output() as captured:
            try:
                with _deadline(limit):
                    self._running = True
                    try:
                        value = self._execute(code, filename)
                    finally:
                        self._running = False
                    _flush_figures()
            except _StepTimeout:
                event = KernelEvent.INTERRUPTED
                error = ErrorInfo(
                    name="TimeoutError",
                    value=f"the code ran longer than {limit:g} s and was interrupted",
                )
            except KeyboardInterrupt:
                if not self._interrupted:
                    raise  # the notebook's own interrupt stops the whole magic
                event = KernelEvent.INTERRUPTED
                error = ErrorInfo(name="KeyboardInterrupt", value="interrupted")
            except BaseException as exc:  # the model's code may raise anything, SystemExit too
                error = _error_info(exc, filename)
            finally:
                self._interrupted = False
        stdout, cut_out = _cap(captured.stdout)
        stderr, cut_err = _cap(captured.stderr)
        return ExecutionResult(
            stdout=stdout,
            stderr=stderr,
            result=None if value is None else _plain(value),
            displays=[_display(output.data) for output in captured.outputs],
            error=error,
            elapsed=perf_counter() - started,
            kernel=event,
            truncated=cut_out or cut_err,
        )

    def _execute(self, code: str, filename: str) -> Any:
        tree = ast.parse(code, filename)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        namespace = self.shell.user_ns
        exec(compile(tree, filename, "exec"), namespace)
        if last is None:
            return None
        return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _StepTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _flush_figures() -> None:
    """Show open matplotlib figures now (the inline backend would wait for the cell's end)."""
    backend = sys.modules.get("matplotlib_inline.backend_inline")
    if backend is not None:
        backend.flush_figures()


def _error_info(exc: BaseException, filename: str) -> ErrorInfo:
    frames = exc.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename != filename:
        frames = frames.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, frames or exc.__traceback__))
    return ErrorInfo(name=type(exc).__name__, value=str(exc), traceback=text)


def _plain(value: Any) -> str:
    text, _ = _cap(pretty(value))
    return text


def _display(data: dict[str, Any]) -> DisplayData:
    texts: dict[str, str] = {}
    blobs: dict[str, bytes] = {}
    for mime, content in data.items():
        if mime.startswith("image/") and mime != "image/svg+xml":
            blobs[mime] = content if isinstance(content, bytes) else base64.b64decode(content)
        elif isinstance(content, str):
            texts[mime] = content
    return DisplayData(data=texts, blobs=blobs)


def _cap(text: str) -> tuple[str, bool]:
    if len(text) <= OUTPUT_CAP:
        return text, False
    kept = text[: OUTPUT_CAP // 2] + f"\n... [{len(text) - OUTPUT_CAP} characters omitted] ...\n"
    return kept + text[-OUTPUT_CAP // 2 :], True
