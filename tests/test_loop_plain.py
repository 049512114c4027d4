"""The plain baseline: one program from a minimal prompt, run once, no repair, no nudge."""

from __future__ import annotations

import pytest

from pot.executors import JupyterExecutor
from pot.prompts import SYSTEMS
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Mode, NoAnswerReason


def test_plain_sends_only_a_minimal_system_prompt_and_the_question(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel(["```python\nprint(6 * 7)\n```"])
    trace = Solver(model, kernel, mode="plain").solve("What is 6 times 7?")
    assert trace.answer.normalized == "42"
    [conversation] = model.calls[0].conversations
    assert [message.role for message in conversation] == ["system", "user"]
    assert conversation[0].content == SYSTEMS[Mode.PLAIN]
    assert conversation[1].content == "What is 6 times 7?"


def test_plain_does_not_repair_a_failing_program(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint(1 / 0)\n```", "```python\nprint(1)\n```"])
    trace = Solver(model, kernel, mode="plain").solve("1/0?")
    assert trace.answer.value is None
    assert trace.answer.reason is NoAnswerReason.CODE_FAILED
    assert len(model.calls) == 1


def test_plain_does_not_nudge_a_reply_without_code(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["The answer is 42.", "```python\nprint(42)\n```"])
    trace = Solver(model, kernel, mode="plain").solve("What is 6 times 7?")
    assert trace.answer.value is None
    assert trace.answer.reason is NoAnswerReason.NO_CODE
    assert len(model.calls) == 1
    assert trace.steps[0].nudge == ""


def test_plain_takes_the_last_printed_line(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint('working...')\nprint(7)\n```"])
    trace = Solver(model, kernel, mode="plain").solve("What is 3 + 4?")
    assert trace.answer.normalized == "7"


def test_plain_runs_exactly_one_program(kernel: JupyterExecutor) -> None:
    with pytest.raises(ValueError, match="max_steps must be 1"):
        Solver(ScriptedModel([]), kernel, mode="plain", max_steps=3)
