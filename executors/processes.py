"""Process and folder housekeeping for local kernels: no orphans, no leftovers."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import signal
import stat
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any, Protocol

import psutil
from jupyter_client.kernelspec import KernelSpecManager
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
    """Kill every descendant of ``pid``, including those that left its process group."""
    if pid is None:
        return
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return
    await _kill_and_wait(children)


async def kill_tree(pid: int | None) -> None:
    """Kill ``pid`` and every process below it (in the sandbox: its whole process
    namespace goes with bubblewrap)."""
    if pid is None:
        return
    try:
        root = psutil.Process(pid)
        family = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    await _kill_and_wait(family)


async def kill_strays(pid: int | None) -> None:
    """Kill every process below the launcher ``pid`` except the kernel and the
    processes above it: what the code started, including processes that called
    ``setsid`` or were reparented to the sandbox's init."""
    kernel = kernel_process(pid)
    if pid is None or kernel is None:
        return
    try:
        keep = {kernel, *(parent.pid for parent in psutil.Process(kernel).parents())}
        strays = [p for p in psutil.Process(pid).children(recursive=True) if p.pid not in keep]
    except psutil.Error:
        return
    await _kill_and_wait(strays)


async def _kill_and_wait(processes: list[psutil.Process]) -> None:
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.kill()
    # Poll rather than asyncio.to_thread: thread pools refuse work at interpreter exit.
    deadline = asyncio.get_running_loop().time() + 1.0
    while any(_running(process) for process in processes):
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
    """Delete everything inside ``folder`` without following a link anywhere (the
    kernel may have planted links to host paths)."""
    if folder is None:
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        _empty(descriptor)
    finally:
        os.close(descriptor)


def remove_tree(folder: Path | None) -> None:
    """Delete ``folder`` and everything in it, without following links, even where
    the kernel took away its own write permission."""
    if folder is None:
        return
    try:
        mode = os.lstat(folder).st_mode
    except OSError:
        return
    if stat.S_ISDIR(mode):
        empty_folder(folder)
        with contextlib.suppress(OSError):
            os.rmdir(folder)
    else:
        with contextlib.suppress(OSError):
            os.unlink(folder)


def _empty(top: int) -> None:
    # depth first with a stack, not recursion: the kernel may have built a folder
    # thousands of levels deep
    stack: list[tuple[int, list[os.DirEntry[str]]]] = [(top, _entries(top))]
    while stack:
        descriptor, entries = stack[-1]
        if not entries:
            stack.pop()
            if stack:
                os.close(descriptor)
                with contextlib.suppress(OSError):
                    os.rmdir(_pop_name(stack), dir_fd=stack[-1][0])
            continue
        entry = entries[-1]
        try:
            folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            folder = False
        if not folder:
            entries.pop()
            # another pot process sweeping the same stale folder may have been first
            with contextlib.suppress(OSError):
                os.unlink(entry.name, dir_fd=descriptor)
            continue
        try:
            flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
            child = os.open(entry.name, flags, dir_fd=descriptor)
        except OSError:
            entries.pop()
            continue
        stack.append((child, _entries(child)))


def _pop_name(stack: list[tuple[int, list[os.DirEntry[str]]]]) -> str:
    """The name of the folder just emptied: the last entry of its parent's list."""
    return stack[-1][1].pop().name


def _entries(descriptor: int) -> list[os.DirEntry[str]]:
    # a folder the kernel made unwritable (chmod 0500) would keep its entries
    with contextlib.suppress(OSError):
        os.fchmod(descriptor, stat.S_IRWXU)
    try:
        return list(os.scandir(descriptor))
    except OSError:
        return []


def installed_kernels() -> list[str]:
    return list(KernelSpecManager().find_kernel_specs())


def sweep_stale_folders() -> None:
    """Remove folders left by pot processes that were killed (SIGKILL leaves no cleanup)."""
    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{TEMP_PREFIX}*"):
        owner = folder.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and int(owner) != os.getpid() and not psutil.pid_exists(int(owner)):
            remove_tree(folder)


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
