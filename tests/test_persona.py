"""The @PoT persona inside a real JupyterLab server (jupyter-ai 3), with a scripted model.

One server answers through jupyter-ai's REST route (``POST /api/ai/message/PoT``);
another is driven in Debian's Chromium by ``tests/browser/chat.mjs`` (Playwright).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("jupyter_ai_persona_manager", reason="needs pot-reasoning[jupyter]")

REPO = Path(__file__).resolve().parents[1]
BROWSER = REPO / "tests" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_lab(tmp_path: Path, *args: str, **env: str) -> Iterator[tuple[str, Path, Path]]:
    """Start ``jupyter lab`` on loopback (no token, a temporary root folder).

    Yields the base URL, the root folder and the file the test writes the
    scripted replies to (read by the persona on its first question).
    """
    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o755)  # a sandboxed kernel runs as nobody and must enter the chat's folder
    replies = tmp_path / "replies.json"
    replies.write_text("[]")
    port = free_port()
    env = {
        **os.environ,
        "POT_PERSONA_MODEL": f"scripted:{replies}",
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        **env,
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--IdentityProvider.token=", "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}", *args,
    ]  # fmt: skip
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "api/status", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "jupyter lab did not start:\n" + (tmp_path / "server.log").read_text()
                    )
                time.sleep(0.3)
        yield url, root, replies
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """A JupyterLab server whose PoT persona runs its kernels locally (the default)."""
    with running_lab(tmp_path) as started:
        yield started


def ask(url: str, question: str) -> str:
    """A question to PoT through jupyter-ai's REST route; the chat's messages as text."""
    request = urllib.request.Request(
        url + "api/ai/message/PoT",
        data=json.dumps({"message": question}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return str(json.load(response)["response"])


def test_persona_answers_with_steps_in_the_chats_folder(lab: tuple[str, Path, Path]) -> None:
    url, root, replies = lab
    (root / "data.txt").write_text("17 23")
    replies.write_text(
        json.dumps(
            [
                "Read the numbers beside the chat.\n```python\nimport os\n"
                "a, b = map(int, open('data.txt').read().split())\nprint(os.getcwd())\n"
                "open('product.txt', 'w').write(str(a * b))\nprint(a * b)\n```",
            ]
        )
    )
    answer = ask(url, "@PoT Multiply the numbers in data.txt")
    assert "**Step 1** ✓" in answer
    assert "Read the numbers beside the chat." in answer
    assert "```python\nimport os\n" in answer
    assert str(root) in answer  # the kernel works in the chat's folder
    assert "**Answer: 391 (printed by the program)**" in answer
    assert (root / "product.txt").read_text() == "391"  # results stay beside the chat
    # the scripted model has nothing left: the failure is a chat message, the server lives on
    answer = ask(url, "What is 2 + 2?")
    assert answer.startswith("**Model error:** ScriptedModel has no reply left")
    assert "Ask me a question" in ask(url, "@PoT")


def test_persona_runs_its_steps_on_a_kernel_gateway(tmp_path: Path) -> None:
    """``POT_EXECUTOR=gateway:URL``: the chat's kernel is one the gateway started."""
    from tests.conftest import GATEWAY_TOKEN, start_gateway, stop_gateway

    gateway, gateway_url = start_gateway(tmp_path)
    try:
        env = {"POT_EXECUTOR": f"gateway:{gateway_url}", "POT_GATEWAY_TOKEN": GATEWAY_TOKEN}
        with running_lab(tmp_path, **env) as (url, _root, replies):
            replies.write_text(json.dumps(["```python\nimport os\nprint(os.getppid())\n```"]))
            answer = ask(url, "@PoT Which process started your kernel?")
        # the kernel's parent is the gateway (a local kernel's would be pot's launcher)
        assert f"**Answer: {gateway.pid} (printed by the program)**" in answer, answer
    finally:
        stop_gateway(gateway)


def test_chat_in_chromium(lab: tuple[str, Path, Path], tmp_path: Path) -> None:
    """Create a chat, ask PoT, see the steps, the figure and the answer; stop a long step."""
    missing = [
        what
        for what, ok in [
            (CHROMIUM, Path(CHROMIUM).exists()),
            ("node", shutil.which("node") is not None),
            ("tests/browser/node_modules", (BROWSER / "node_modules" / "playwright-core").is_dir()),
        ]
        if not ok
    ]
    if missing:
        message = f"browser test needs {', '.join(missing)} (see the CI install steps)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    url, _root, replies = lab
    plot = (
        "I will add the prices and plot the running total.\n```python\n"
        "import matplotlib.pyplot as plt\nprices = [3, 5, 7, 11]\n"
        "running = [sum(prices[:n]) for n in range(1, 5)]\nplt.figure(figsize=(4, 2.4))\n"
        "plt.plot(range(1, 5), running, marker='o')\nplt.title('running total')\n"
        "plt.xlabel('parcels')\nplt.show()\nprint(running[-1])\n```"
    )
    slow = (
        "```python\nimport time\nopen('running.txt', 'w').close()\n"
        "for n in range(10**9):\n    time.sleep(0.1)\nprint(n)\n```"
    )
    replies.write_text(json.dumps([plot, slow]))
    screenshot = tmp_path / "chat.png"
    completed = subprocess.run(
        ["node", str(BROWSER / "chat.mjs"), url, str(screenshot)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "CHROMIUM": CHROMIUM},
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "CHAT_TEST_OK" in output
    assert screenshot.stat().st_size > 10_000
    if os.environ.get("POT_UPDATE_SCREENSHOT"):
        (REPO / "docs").mkdir(exist_ok=True)
        shutil.copyfile(screenshot, REPO / "docs" / "chat.png")


def test_the_persona_takes_the_generation_and_model_options_the_cli_has() -> None:
    """c.PoTPersona.temperature / seed / max_new_tokens / quantization / device / threads."""
    from traitlets.config import Config

    from pot.jupyter.persona import PoTPersona

    names = set(PoTPersona.class_trait_names(config=True))
    options = {"temperature", "seed", "max_new_tokens", "quantization", "device", "threads"}
    options |= {"context"}
    assert options <= names
    config = Config()
    config.PoTPersona.quantization = "int8"
    config.PoTPersona.threads = 2
    config.PoTPersona.context = 8192
    persona = PoTPersona.__new__(PoTPersona)
    persona.config = config
    assert persona._loader_options() == {"quantization": "int8", "threads": 2, "context": 8192}


def test_the_persona_takes_a_prompt_file(tmp_path: Path) -> None:
    """c.PoTPersona.prompt: a TOML prompt file, read at each question; a bad one is a
    chat message, not a failure."""
    from traitlets.config import Config

    from pot.jupyter.persona import PoTPersona
    from pot.prompt_file import PromptFileError

    good = tmp_path / "terse.toml"
    good.write_text('system = "Answer with one Python program."\n', encoding="utf-8")
    config = Config()
    config.PoTPersona.prompt = str(good)
    persona = PoTPersona.__new__(PoTPersona)
    persona.config = config
    prompt = persona._prompt()
    assert prompt is not None and prompt.system == "Answer with one Python program."
    good.write_text("not toml [", encoding="utf-8")
    with pytest.raises(PromptFileError):
        persona._prompt()
    unset = PoTPersona.__new__(PoTPersona)
    unset.config = Config()
    assert unset._prompt() is None


def test_a_bad_prompt_file_is_a_chat_message_in_a_real_server(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("system = [", encoding="utf-8")
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.py").write_text(f"c.PoTPersona.prompt = {str(bad)!r}\n")
    with running_lab(tmp_path) as (url, _root, replies):
        replies.write_text(json.dumps(["```python\nprint(4)\n```"]))
        answer = ask(url, "@PoT What is 2 + 2?")
    assert answer.startswith("**Prompt file error:**") and "bad.toml" in answer, answer
