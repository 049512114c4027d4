"""`pot chat`: driven through a pseudo-terminal as a user would, and its loop in-process."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from rich.console import Console

from pot.chat_command import Conversation, start_kernel
from pot.config import Settings
from pot.testing import ScriptedModel
from tests.waiting import wait_until

POT = str(Path(sys.executable).with_name("pot"))


def code(text: str) -> str:
    return f"```python\n{text}\n```"


@pytest.mark.parametrize("started_in_background", [False, True])
def test_chat_in_a_pseudo_terminal(tmp_path: Path, started_in_background: bool) -> None:
    # a shell starts background jobs with Ctrl-C ignored; chat takes it back
    replies = tmp_path / "replies.json"
    replies.write_text(
        json.dumps(
            [
                code("prices = [3, 4, 5]\ntotal = sum(prices)\nprint(total)"),
                code("print(total * 2)"),  # a follow-up sees the earlier variable
                code(
                    "import time\nopen('running.txt', 'w').close()\n"
                    "for n in range(10**6):\n    time.sleep(0.1)\nprint(n)"
                ),
                code("print(total + 1)"),  # variables survive Ctrl-C
            ]
        )
    )
    env = {
        "POT_MODEL": f"scripted:{replies}",
        "POT_MODE": "pot",
        "POT_CONFIG": str(tmp_path / "none.toml"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TERM": "dumb",
        "COLUMNS": "100",
    }

    def ignore() -> None:
        if started_in_background:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    chat = pexpect.spawn(
        POT, ["chat"], env=env, cwd=str(tmp_path), encoding="utf-8", timeout=90, preexec_fn=ignore
    )
    try:
        chat.expect("kernel in ")
        chat.expect("pot> ")
        chat.sendline("What do the prices add up to?")
        chat.expect("Answer: 12 \\(printed by the program\\)")
        chat.expect("pot> ")
        chat.sendline("And twice that?")
        chat.expect("Answer: 24")
        chat.expect("pot> ")
        chat.sendline("Count slowly")
        chat.expect("thinking")
        # the kernel works in the chat's folder: the file says the step runs
        wait_until((tmp_path / "running.txt").exists, "the step to run in the kernel")
        chat.sendintr()
        chat.expect("stopped: the kernel keeps its variables")
        chat.expect("KeyboardInterrupt")
        chat.expect("pot> ")
        chat.sendline("One more than the total?")
        chat.expect("Answer: 13")
        chat.expect("pot> ")
        chat.sendeof()
        chat.expect(pexpect.EOF)
    finally:
        chat.close(force=True)
    assert chat.exitstatus == 0, chat.before


@pytest.fixture
def conversation(tmp_path: Path) -> Iterator[Conversation]:
    kernel = start_kernel(tmp_path, timeout=20)
    model = ScriptedModel()
    console = Console(record=True, width=100, color_system=None)
    yield Conversation(console, model, kernel, Settings(mode="pot"), tmp_path)
    kernel.shutdown()


def test_ctrl_c_before_the_step_starts_stops_the_question_not_the_chat(
    conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C that lands while "thinking..." is printed (seen once on a loaded machine:
    the chat exited) stops that question only; no step runs."""
    import pot.terminal

    shown = pot.terminal.print_note

    def interrupted(console: Console, text: str, style: str) -> None:
        if text == "thinking...":
            raise KeyboardInterrupt
        shown(console, text, style)

    monkeypatch.setattr(pot.terminal, "print_note", interrupted)
    calls = len(conversation.model.calls)
    conversation.ask("What is 2 + 2?")
    assert len(conversation.model.calls) == calls
    assert "stopped before it started" in conversation.console.export_text()


def test_follow_ups_are_told_the_variables_and_figures_are_saved(
    conversation: Conversation, tmp_path: Path
) -> None:
    model = conversation.model
    assert isinstance(model, ScriptedModel)
    model.add(
        code("speeds = [3, 5]\nprint(max(speeds))"),
        code("import matplotlib.pyplot as plt\nplt.plot(speeds)\nplt.show()\nprint(len(speeds))"),
    )
    conversation.ask("Which speed is highest?")
    conversation.ask("Plot the speeds; how many are there?")
    asked = model.calls[-1].conversations[0][-1].content
    assert "speeds (list)" in asked
    assert "- Which speed is highest? -> 5" in asked
    assert asked.endswith("Now: Plot the speeds; how many are there?")
    assert (tmp_path / "pot-chat-1.png").read_bytes().startswith(b"\x89PNG")
    text = conversation.console.export_text()
    assert f"figure saved: {tmp_path / 'pot-chat-1.png'}" in text
    assert "Answer: 2 (printed by the program)" in text
