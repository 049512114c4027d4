"""``pot.solve``: one call with the default model and a pooled kernel.

The model is loaded on first use and kept for the process; kernels come from
a small :class:`~pot.executors.KernelPool` started on first use (with sympy
preloaded: :data:`pot.preload.PRELOAD`) and shut down at exit. Nothing happens at import time.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pot.models.loading import ModelCache
from pot.preload import PRELOAD
from pot.solver import check_question

if TYPE_CHECKING:
    from pot.executors import Executor, KernelPool
    from pot.models.base import Model
    from pot.trace import Mode, Trace


_lock = threading.Lock()
_models: ModelCache | None = None
_pools: dict[str, KernelPool] = {}


def default_model(spec: str | None = None, **options: Any) -> Model:
    """The model for ``spec`` (default: ``pot.models`` default alias), loaded once per process.

    Args:
        spec: A model spec for :func:`pot.models.load_model`.
        **options: Backend options (``quantization``, ``device``, ``threads``...); the
            same spec with other options is another model.

    Raises:
        pot.models.ModelError: It cannot be loaded; the message says what to do.
    """
    global _models

    with _lock:
        if _models is None:
            _models = ModelCache()
        models = _models
    return models.load(spec, **options)


def forget_models() -> None:
    """Forget the models :func:`default_model` loaded (the next call loads them again)."""
    with _lock:
        if _models is not None:
            _models.clear()


@contextmanager
def lend_executor(timeout: float = 10.0, executor: str | None = None) -> Iterator[Executor]:
    """Lend a kernel from the process-wide pool for ``executor`` (started on first use).

    Every lend gets a new interpreter: the pool discards a returned kernel and a
    hot spare, started in the background with the preload done, takes its place.

    Args:
        timeout: Default seconds one piece of code may run.
        executor: Where kernels run: ``local`` (sandboxed where possible),
            ``sandbox``, ``unconfined`` or ``gateway:URL``; default ``$POT_EXECUTOR``
            or ``local`` (see :mod:`pot.executors.spec`).

    Raises:
        pot.executors.ExecutorError: No kernel could be started, or the setting is wrong.
    """
    from pot.executors import make_pool
    from pot.executors.spec import executor_setting

    key = executor_setting(executor)
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            pool = make_pool(key, size=1, reuse="fresh", preload=PRELOAD, timeout=timeout)
            pool.start()
            atexit.register(pool.shutdown)
            _pools[key] = pool
    with pool.lend() as lent:
        yield lent


def solve(
    question: str,
    *,
    mode: Mode | str | None = None,
    model: Model | str | None = None,
    samples: int = 1,
    max_steps: int | None = None,
    timeout: float = 10.0,
    executor: str | None = None,
    **options: Any,
) -> Trace:
    """Solve one question with the default model and a pooled kernel.

    Args:
        question: The problem, in words.
        mode: ``"auto"``, ``"pot"``, ``"tir"``, ``"coc"``, ``"cot"`` or ``"plain"``
            (default ``$POT_MODE``, else :data:`pot.modes.DEFAULT_MODE`, ``auto``).
        model: A :class:`~pot.models.base.Model`, a spec for
            ``pot.models.loading.load_model`` (``"qwen2.5-coder-0.5b"``,
            ``"openai:NAME@URL"``...), or None for the default model.
        samples: Self-consistency samples (majority vote when more than one).
        max_steps: Generations per sample (default by mode).
        timeout: Seconds one piece of code may run.
        executor: Where kernels run (see :func:`lend_executor`).
        **options: More :class:`~pot.solver.Solver` options (``temperature``, ``seed``...).

    Returns:
        The trace; ``trace.answer.normalized`` is the answer.

    Raises:
        pot.solver.QuestionError: The question is empty or too long.
        pot.models.ModelError: The model cannot be loaded or failed.
        pot.executors.ExecutorError: No kernel could be started.

    Example:
        >>> import pot
        >>> pot.solve("What is 17 * 23?", model="qwen2.5-coder-0.5b").answer.normalized
        '391'
    """
    from pot.session import Session

    check_question(question, options.get("max_question_chars", 20_000))
    session = Session(model, executor=executor, mode=mode, timeout=timeout, **options)
    session.solver_options |= {"samples": samples, "max_steps": max_steps}
    return session.solve(question)
