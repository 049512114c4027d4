"""Kernel isolation with bubblewrap: no network, own process tree, read-only host.

Without Docker and without root: ``bwrap`` (Debian package ``bubblewrap``) puts the
kernel in new network, process, IPC and UTS namespaces, mounts the host read-only,
hides home folders and /tmp behind empty ones, and gives the kernel write access to
its working folder alone. When pot runs as root, the kernel also drops to an
unprivileged user (nobody), which makes the process limit count and keeps root-only
files unreadable.
"""

from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

NOBODY = 65534


class Isolation(str, Enum):
    """The isolation a kernel actually runs under."""

    SANDBOX = "sandbox"
    """bubblewrap namespaces: no network (unless allowed), private process tree,
    read-only host, only the working folder writable."""
    NONE = "none"
    """A plain process with pot's hygiene (limits, scrubbed env, temp folder) only."""


class SandboxUnavailableError(RuntimeError):
    """``Sandbox(mode="bwrap")`` was required but bubblewrap cannot run here."""


class Sandbox(BaseModel):
    """How to isolate local kernels.

    ``mode="auto"`` (the default) uses bubblewrap where it works and otherwise
    runs unconfined, saying so in ``JupyterExecutor.isolation`` and its
    ``isolation_note``; ``"bwrap"`` refuses to run without it; ``"none"`` turns
    isolation off.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: str = Field(default="auto", pattern="^(auto|bwrap|none)$")
    network: bool = Field(default=False, description="Let kernels reach the network.")
    hide: tuple[str, ...] = Field(
        default=("/home", "/root", "/tmp", "/var/tmp", "/run/user", "/mnt", "/media"),
        description="Host folders replaced by empty ones inside the sandbox.",
    )
    expose: tuple[str, ...] = Field(
        default=(),
        description="Host paths made visible read-only again (e.g. a data folder under /home).",
    )
    writable: tuple[str, ...] = Field(
        default=(),
        description="Host folders the kernel may write to, besides its working folder "
        "(when pot runs as root the kernel is user nobody: the folder must be writable "
        "by it, or set drop_root=False).",
    )
    tmp_bytes: int = Field(
        default=256 * 1024**2,
        gt=0,
        description="Size of each empty folder put over a hidden one (memory-backed).",
    )
    drop_root: bool = Field(
        default=True, description="When pot runs as root, run the kernel as user nobody."
    )


def resolve(sandbox: Sandbox) -> tuple[Isolation, str]:
    """Decide the isolation for ``sandbox`` on this machine, with a note on why."""
    if sandbox.mode == "none":
        return Isolation.NONE, "isolation turned off (Sandbox(mode='none'))"
    problem = bwrap_problem()
    if problem is None:
        return Isolation.SANDBOX, "bubblewrap sandbox"
    if sandbox.mode == "bwrap":
        raise SandboxUnavailableError(problem)
    return Isolation.NONE, f"unconfined: {problem}"


@functools.lru_cache(maxsize=1)
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot be used here, or None when it works (probed once)."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    binary = shutil.which("bwrap")
    if binary is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    probe = [binary, "--unshare-net", "--unshare-pid", "--die-with-parent"]
    probe += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"]
    try:
        completed = subprocess.run(probe, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap failed to start: {error}"
    if completed.returncode != 0:
        reason = completed.stderr.decode(errors="replace").strip()
        return f"bubblewrap cannot create namespaces here: {reason}"
    return None


def kernel_user(sandbox: Sandbox) -> int | None:
    """The uid the sandboxed kernel switches to, or None to keep pot's own."""
    return NOBODY if sandbox.drop_root and os.geteuid() == 0 else None


def bwrap_argv(sandbox: Sandbox, workdir: Path, runtime: Path) -> list[str]:
    """The bubblewrap command that prefixes a kernel command."""
    argv = ["bwrap", "--die-with-parent", "--new-session"]
    argv += ["--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    if not sandbox.network:
        argv.append("--unshare-net")
    argv += ["--unsetenv", "JPY_PARENT_PID", "--ro-bind", "/", "/"]
    for folder in sandbox.hide:
        if Path(folder).is_dir():
            argv += ["--size", str(sandbox.tmp_bytes), "--tmpfs", folder]
    for path in _needed_paths(sandbox):
        argv += _make_parents(path, sandbox.hide)
        argv += ["--ro-bind", path, path]
    for folder in (*sandbox.writable, workdir, runtime):
        argv += _make_parents(str(folder), sandbox.hide)
        argv += ["--bind", str(folder), str(folder)]
    argv += ["--dev", "/dev", "--proc", "/proc", "--chdir", str(workdir)]
    if os.geteuid() == 0 and kernel_user(sandbox) is None:
        argv += ["--cap-drop", "ALL"]  # root inside, but without root's powers
    return argv


def _needed_paths(sandbox: Sandbox) -> list[str]:
    """Host paths the kernel needs that a hidden folder would cover: the interpreter,
    its site-packages, pot's launcher, and what the user exposes."""
    candidates = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        str(Path(sys.executable).resolve().parent.parent),
        str(Path(__file__).resolve().parent),
        *site.getsitepackages(),
        *sandbox.expose,
    }
    hidden = [Path(folder) for folder in sandbox.hide]
    needed = []
    for candidate in sorted(candidates):
        path = Path(candidate)
        if path.exists() and any(_inside(path, folder) for folder in hidden):
            needed.append(str(path))
    # a path inside another needed path comes along with it
    return [p for p in needed if not any(p != q and _inside(Path(p), Path(q)) for q in needed)]


def _make_parents(path: str, hide: tuple[str, ...]) -> list[str]:
    """Directories between a hidden folder and ``path``, made traversable (0755):
    bubblewrap creates missing mount points as 0700, which an unprivileged kernel
    could not pass through."""
    target = Path(path)
    for folder in map(Path, hide):
        if _inside(target, folder) and target != folder:
            parents = []
            current = target.parent
            while current != folder and _inside(current, folder):
                parents.append(current)
                current = current.parent
            argv: list[str] = []
            for parent in reversed(parents):
                argv += ["--perms", "0755", "--dir", str(parent)]
            return argv
    return []


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True
