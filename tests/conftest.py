"""Shared fixtures: real kernels, started once per test run and reset between tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pot.executors import GatewayExecutor, JupyterExecutor, KernelPool, Sandbox

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The benchmark files beside the repository (../shared/data)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"benchmark data not found at {SHARED_DATA}: clone ../shared beside the repo")
    return SHARED_DATA


@pytest.fixture(scope="session")
def session_kernel() -> Iterator[JupyterExecutor]:
    """One real ipykernel for the whole run."""
    with JupyterExecutor(timeout=20) as executor:
        yield executor


@pytest.fixture
def kernel(session_kernel: JupyterExecutor) -> JupyterExecutor:
    """The shared kernel, with a clean namespace and working folder."""
    session_kernel.reset()
    return session_kernel


@pytest.fixture(scope="session")
def session_unconfined_kernel() -> Iterator[JupyterExecutor]:
    """One kernel without the bubblewrap sandbox (pot's hygiene only)."""
    with JupyterExecutor(timeout=20, sandbox=Sandbox(mode="none")) as executor:
        yield executor


@pytest.fixture
def unconfined_kernel(session_unconfined_kernel: JupyterExecutor) -> JupyterExecutor:
    session_unconfined_kernel.reset()
    return session_unconfined_kernel


@pytest.fixture(scope="session")
def session_pool() -> Iterator[KernelPool]:
    """A pool of two warm kernels for the whole run."""
    with KernelPool(size=2, timeout=20) as pool:
        yield pool


@pytest.fixture
def pooled_kernel(session_pool: KernelPool) -> Iterator[JupyterExecutor]:
    """A kernel lent from the shared pool (reset when it is given back)."""
    with session_pool.lend(timeout=60) as executor:
        yield executor


GATEWAY_TOKEN = "pot-test-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gateway(
    tmp: Path, *options: str, port: int | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """A real `jupyter kernelgateway` on loopback; returns the process and its URL."""
    port = port or free_port()
    log = open(tmp / f"gateway-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            sys.executable, "-m", "kernel_gateway",
            "--KernelGatewayApp.ip=127.0.0.1",
            f"--KernelGatewayApp.port={port}",
            f"--KernelGatewayApp.auth_token={GATEWAY_TOKEN}",
            *options,
        ],
        cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    process.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"http://127.0.0.1:{port}"
        if process.poll() is not None:
            break
        time.sleep(0.1)
    stop_gateway(process)
    raise RuntimeError(f"kernel gateway did not start: {(tmp / f'gateway-{port}.log').read_text()}")


def stop_gateway(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real Jupyter Kernel Gateway on loopback, for the whole run."""
    process, url = start_gateway(tmp_path_factory.mktemp("gateway"))
    yield url
    stop_gateway(process)


@pytest.fixture(scope="session")
def session_gateway_kernel(gateway: str) -> Iterator[GatewayExecutor]:
    with GatewayExecutor(gateway, token=GATEWAY_TOKEN, timeout=20) as executor:
        yield executor


@pytest.fixture
def gateway_kernel(session_gateway_kernel: GatewayExecutor) -> GatewayExecutor:
    """A remote kernel through the gateway, with a clean namespace and folder."""
    session_gateway_kernel.reset()
    return session_gateway_kernel
