"""Shared fixtures: real kernels, started once per test run and reset between tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pot.executors import JupyterExecutor, KernelPool, Sandbox

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
