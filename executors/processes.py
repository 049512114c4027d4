"""Process and folder housekeeping for local kernels: no orphans, no leftovers."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import signal
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any, Protocol

import psutil
from jupyter_client.manager import AsyncKernelManager

from pot.executors.sandbox import Isolation

TEMP_PREFIX = "pot-kernel-"


class _Stoppable(Protocol):
    def shutdown(self) -> None: ...


def kernel_pid(manager: AsyncKernelManager) -> int | None:
    process = getattr(manager.provisioner, "process", None)
    return process.pid if process is not None else None


def kernel_process(pid: int | None) -> int | None:
    """The kernel itself below a launcher ``pid``: the process, or the first process
    in its tree that is not bubblewrap."""
    if pid is None:
        return None
    try:
        process = psutil.Process(pid)
        while process.name() == "bwrap":
            children = process.children()
            if not children:
                return None
            process = children[0]
        return process.pid
    except psutil.Error:
        return None


async def kill_descendants(pid: int | None) -> None:
    """Kill every descendant of the kernel, including those that left its process group."""
    if pid is None:
        return
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.kill()
    # Poll rather than asyncio.to_thread: thread pools refuse work at interpreter exit.
    deadline = asyncio.get_running_loop().time() + 1.0
    while any(_running(child) for child in children):
        if asyncio.get_running_loop().time() > deadline:
            return
        await asyncio.sleep(0.01)


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def describe_exit(code: int | None, isolation: Isolation = Isolation.NONE) -> str:
    """Say how a kernel process ended, in words a model and a person understand."""
    if code is None:
        return "no exit status"
    if isolation is Isolation.SANDBOX and code > 128:
        code = -(code - 128)  # bubblewrap exits with 128 + the signal that killed the kernel
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else ""
        hint = {
            "SIGKILL": ": often the out-of-memory killer",
            "SIGSEGV": ": a segmentation fault",
            "SIGXCPU": ": the CPU-time limit",
        }.get(name, "")
        return f"killed by signal {name or -code}{hint}"
    return f"exit status {code}"


def empty_folder(folder: Path | None) -> None:
    if folder is None or not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def installed_kernels() -> list[str]:
    from jupyter_client.kernelspec import KernelSpecManager

    return list(KernelSpecManager().find_kernel_specs())


def sweep_stale_folders() -> None:
    """Remove folders left by pot processes that were killed (SIGKILL leaves no cleanup)."""
    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{TEMP_PREFIX}*"):
        owner = folder.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and int(owner) != os.getpid() and not psutil.pid_exists(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


_live: weakref.WeakSet[Any] = weakref.WeakSet()
_atexit_lock = threading.Lock()
_atexit_registered = False


def _shutdown_all() -> None:
    for executor in list(_live):
        with contextlib.suppress(Exception):
            executor.shutdown()


def _register_atexit() -> None:
    global _atexit_registered
    with _atexit_lock:
        if not _atexit_registered:
            atexit.register(_shutdown_all)
            _atexit_registered = True


def track(executor: Any) -> None:
    """Shut ``executor`` down at interpreter exit if it is still running."""
    _register_atexit()
    _live.add(executor)


def untrack(executor: Any) -> None:
    _live.discard(executor)
