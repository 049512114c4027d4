"""A session: the model and the kernels one front end solves its questions with.

``pot.solve``, ``pot solve`` and ``%%pot`` all do the same thing: load the model
(once per process), borrow a kernel, build a :class:`~pot.solver.Solver`, stream the
steps (with progress while the model writes) and build the :class:`~pot.trace.Trace`.
:class:`Session` is that, written once::

    session = Session("qwen2.5-coder-0.5b", mode="pot", timeout=10.0)
    for step in session.stream("What is 17 * 23?", watch=print):
        ...
    trace = session.trace()
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, closing, nullcontext
from typing import Any

from pot import api
from pot.executors import Executor
from pot.models.base import Model
from pot.models.progress import Watcher, watching
from pot.modes import Mode, default_mode
from pot.solver import Solver
from pot.trace import Step, Trace


class Session:
    """One model and where its code runs, for any number of questions.

    Args:
        model: A loaded :class:`~pot.models.base.Model`, a spec for
            :func:`pot.models.load_model`, or None for the default model; specs are
            loaded once per process (:func:`pot.api.default_model`).
        executor: Where code runs: an :class:`~pot.executors.Executor` used as it is
            (the notebook's own namespace, a chat's kernel), or a spec for the
            process-wide pool (``local``, ``sandbox``, ``unconfined``, ``gateway:URL``;
            default ``$POT_EXECUTOR`` or ``local``), which lends a fresh interpreter to
            every question.
        mode: How to reason (default ``$POT_MODE``, else ``auto``).
        timeout: Seconds one piece of code may run.
        model_options: Backend options for loading a spec (``quantization``, ``device``,
            ``threads``).
        **solver_options: More :class:`~pot.solver.Solver` options (``samples``,
            ``max_steps``, ``temperature``, ``seed``, ``max_new_tokens``, ``prompt``...).
    """

    def __init__(
        self,
        model: Model | str | None = None,
        *,
        executor: Executor | str | None = None,
        mode: Mode | str | None = None,
        timeout: float = 10.0,
        model_options: dict[str, Any] | None = None,
        **solver_options: Any,
    ) -> None:
        self._model = model
        self.executor = executor
        self.mode = default_mode() if mode is None else mode
        self.timeout = timeout
        self.model_options = dict(model_options or {})
        self.solver_options = solver_options
        self.solver: Solver | None = None
        """The solver of the last question (its model name and kernel setup)."""
        self._question = ""
        self._events: list[Step] = []

    @property
    def model(self) -> Model:
        """The model, loaded on first use (raises pot.models.ModelError)."""
        if self._model is None or isinstance(self._model, str):
            spec = self._model
            options = self.model_options
            self._model = api.default_model(spec, **options) if options else api.default_model(spec)
        return self._model

    def stream(self, question: str, watch: Watcher | None = None) -> Iterator[Step]:
        """Solve ``question`` on a kernel of this session, yielding each step as it ends.

        Args:
            question: The problem, in words.
            watch: Told of the model's progress while it writes
                (:mod:`pot.models.progress`), in this thread.

        Raises:
            pot.solver.QuestionError: The question is empty or too long.
            pot.models.ModelError: The model cannot be loaded or failed.
            pot.executors.ExecutorError: No kernel could be started.
        """
        model = self.model
        self._question, self._events = question, []
        with self._kernel() as kernel:
            self.solver = Solver(
                model, kernel, self.mode, timeout=self.timeout, **self.solver_options
            )
            with watching(watch):
                for event in self.solver.stream(question):
                    self._events.append(event)
                    yield event

    async def astream(self, question: str, watch: Watcher | None = None) -> AsyncIterator[Step]:
        """The asyncio twin of :meth:`stream` (the persona's): the model is awaited in a
        thread, the kernel on asyncio. The session's executor must be an executor (a
        chat's own kernel), and a spec'd model must have been loaded (:attr:`model`)."""
        if self.executor is None or isinstance(self.executor, str):
            raise ValueError("astream needs the session's own executor, not a pool spec")
        model = self.model
        self._question, self._events = question, []
        self.solver = Solver(
            model, self.executor, self.mode, timeout=self.timeout, **self.solver_options
        )
        with watching(watch):
            async for event in self.solver.astream(question):
                self._events.append(event)
                yield event

    def solve(self, question: str, watch: Watcher | None = None) -> Trace:
        """Solve ``question`` and return its trace (see :meth:`stream`)."""
        with closing(self.stream(question, watch)) as steps:
            for _ in steps:
                pass
        return self.trace()

    def trace(self) -> Trace:
        """The trace of the question :meth:`stream` finished last."""
        solver = self.solver
        if solver is None:
            raise RuntimeError("no question was solved in this session yet")
        return Trace.from_events(
            self._question,
            solver.mode,
            solver.model_name,
            solver.samples,
            self._events,
            solver.kernel_setup,
        )

    def _kernel(self) -> AbstractContextManager[Executor]:
        if self.executor is not None and not isinstance(self.executor, str):
            return nullcontext(self.executor)
        return api.lend_executor(self.timeout, self.executor)
