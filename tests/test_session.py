"""Session: the model and kernels every front end solves with (real kernels)."""

from __future__ import annotations

import pytest

from pot.executors import JupyterExecutor
from pot.models.progress import Progress
from pot.session import Session
from pot.testing import ScriptedModel
from pot.trace import CodeStep, FinalAnswer

PROGRAM = "```python\nvalue = 17 * 23\nprint(value)\n```"


def test_a_session_streams_steps_and_keeps_the_trace(kernel: JupyterExecutor) -> None:
    session = Session(ScriptedModel([PROGRAM, PROGRAM]), executor=kernel, mode="pot")
    events = list(session.stream("What is 17 * 23?"))
    assert isinstance(events[0], CodeStep) and isinstance(events[-1], FinalAnswer)
    trace = session.trace()
    assert trace.answer.normalized == "391" and trace.question == "What is 17 * 23?"
    assert trace.model == "scripted" and trace.steps == events[:-1]
    # the same executor, used as it is: still running, its namespace kept for a chat
    assert kernel.run("value").result == "391"
    assert session.solve("And again?").answer.normalized == "391"


def test_a_session_borrows_a_fresh_pooled_kernel_for_each_question() -> None:
    first = "```python\nleft_behind = 1\nprint(left_behind)\n```"
    second = "```python\nprint(globals().get('left_behind', 'fresh'))\n```"
    session = Session(ScriptedModel([first, second]), mode="pot", timeout=10.0)
    assert session.solve("first").answer.normalized == "1"
    assert session.solve("second").answer.normalized == "fresh"
    assert session.solver is not None and "import" in session.solver.kernel_setup  # preloads


def test_nothing_solved_yet_and_bad_questions() -> None:
    session = Session(ScriptedModel([]), mode="pot")
    with pytest.raises(RuntimeError, match="no question was solved"):
        session.trace()
    from pot.solver import QuestionError

    with pytest.raises(QuestionError):
        session.solve("   ")


def test_the_watcher_reaches_the_model(kernel: JupyterExecutor) -> None:
    """A model that reports progress (here one that does, by hand) sees the session's watcher."""
    from pot.models.progress import current_watcher

    class Reporting(ScriptedModel):
        def generate(self, conversations, config):  # type: ignore[no-untyped-def]
            watch = current_watcher()
            assert watch is not None
            watch(Progress(0, 0, 3, "print(391)"))
            return super().generate(conversations, config)

    seen: list[int] = []
    session = Session(Reporting(["```python\nprint(391)\n```"]), executor=kernel, mode="pot")
    assert session.solve("x", watch=lambda p: seen.append(p.tokens)).answer.normalized == "391"
    assert seen == [3]


def test_astream_solves_on_the_sessions_own_kernel(kernel: JupyterExecutor) -> None:
    import asyncio

    session = Session(ScriptedModel([PROGRAM]), executor=kernel, mode="pot")

    async def main() -> list[object]:
        return [event async for event in session.astream("What is 17 * 23?")]

    events = asyncio.run(main())
    assert isinstance(events[-1], FinalAnswer)
    assert session.trace().answer.normalized == "391"
    pooled = Session(ScriptedModel([PROGRAM]), mode="pot")

    async def refused() -> None:
        async for _ in pooled.astream("x"):
            pass

    with pytest.raises(ValueError, match="own executor"):
        asyncio.run(refused())
