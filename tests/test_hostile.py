"""The hostile-code corpus through the real executor and the real loop: contained."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from pot.executors import Isolation, JupyterExecutor
from pot.solver import Solver
from pot.testing import ScriptedModel
from tests.hostile.cases import CASES, Case, needs_sandbox

CANARY = "pot-canary-7f3a9c"
MARKER = "4242.4242"  # `sleep` argument that marks a leftover daemon
GIB = 1024**3


class HostServer:
    """A TCP server on the host's loopback that counts who reached it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.socket.close()


@pytest.fixture(scope="module")
def host_server() -> Iterator[HostServer]:
    server = HostServer()
    yield server
    server.close()


@pytest.fixture
def canary(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A host folder outside every work dir holding a secret, and a secret variable."""
    folder = Path(tempfile.mkdtemp(prefix="pot-hostile-canary-"))
    (folder / "secret.txt").write_text(CANARY)
    monkeypatch.setenv("POT_HOSTILE_API_KEY", CANARY)
    monkeypatch.setenv("POT_HOSTILE_TOKEN", CANARY)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def fill(code: str, canary: Path, server: HostServer) -> str:
    return (
        code.replace("{canary}", str(canary))
        .replace("{parent}", str(os.getpid()))
        .replace("{port}", str(server.port))
        .replace("{marker}", MARKER)
    )


def descendants() -> set[int]:
    return {child.pid for child in psutil.Process().children(recursive=True)}


def marked_processes() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if MARKER in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


def sandbox_available() -> bool:
    with JupyterExecutor() as executor:
        return executor.isolation is Isolation.SANDBOX


@pytest.fixture(scope="module")
def sandboxed() -> bool:
    return sandbox_available()


@pytest.mark.parametrize("case", CASES, ids=[item.name for item in CASES])
def test_hostile_code_is_contained(
    case: Case, canary: Path, host_server: HostServer, sandboxed: bool
) -> None:
    if needs_sandbox(case) and not sandboxed:
        pytest.skip("only the bubblewrap sandbox contains this case (apt-get install bubblewrap)")
    code = fill(case.code, canary, host_server)
    processes_before = descendants()
    disk_before = shutil.disk_usage(tempfile.gettempdir()).used
    memory_before = psutil.virtual_memory().available
    connections_before = host_server.connections
    model = ScriptedModel([f"```python\n{code}```", *["```python\nprint(42)\n```"] * 4])

    with JupyterExecutor(timeout=case.timeout) as executor:
        solver = Solver(model, executor, mode="pot", timeout=case.timeout)
        trace = solver.solve("What does this program do?")
        first = trace.steps[0].execution  # the hostile program's own run
        # the kernel recovered or was replaced and, after the reset a pool does
        # before lending it again, it works
        executor.reset()
        assert executor.run("1 + 1").result == "2"
        assert executor.run("print('still here')").stdout == "still here\n"
        workdir = executor.workdir

    assert first.kernel in case.outcomes, (first.kernel, first.error)
    # the loop carried on to an answer (the repair, or the program's own output)
    assert trace.answer is not None
    # nothing secret reached the model, the trace or the user
    assert CANARY not in trace.model_dump_json()
    # nothing outside the work dir changed
    assert (canary / "secret.txt").read_text() == CANARY
    assert sorted(path.name for path in canary.iterdir()) == ["secret.txt"]
    assert not Path("/etc/pot-escape").exists()
    assert not Path(os.path.expanduser("~/pot-escape")).exists()
    assert host_server.connections == connections_before
    # no process outlives shutdown; folders are gone; disk and memory are back
    assert descendants() <= processes_before
    assert marked_processes() == []
    assert workdir is not None and not workdir.exists()
    assert shutil.disk_usage(tempfile.gettempdir()).used < disk_before + GIB // 8
    assert psutil.virtual_memory().available > memory_before - 2 * GIB
