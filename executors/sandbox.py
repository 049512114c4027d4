"""Kernel isolation with bubblewrap: no network, own process tree, nothing of the host
but what Python needs.

Without Docker: ``bwrap`` (Debian package ``bubblewrap``) puts the kernel in new
network, process, IPC and UTS namespaces on an empty root, into which it binds,
read-only, only what a Python kernel needs: the system's programs and libraries
(``/usr``, ``/lib*``), a few files of ``/etc`` (the loader's cache, certificates, the
time zone, name-service settings), the interpreter's prefix and the environment pot
runs in, and pot's launcher; then the kernel's working folder (writable) and the
folders a user grants. Home folders, projects, ``/opt``, ``/var``, ``/run`` and its
sockets are not there at all. When pot runs as root, the kernel also drops to an
unprivileged user (nobody), which makes the process limit count.
"""

from __future__ import annotations

import atexit
import functools
import os
import pwd
import shutil
import site
import subprocess
import sys
import tempfile
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pot.executors.limits import LAUNCHER

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
    expose: tuple[str, ...] = Field(
        default=(),
        description="Host paths the kernel may read (a data folder, another kernel's "
        "interpreter); nothing else of the host is visible besides what Python needs.",
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
        description="Size of each of the kernel's memory-backed folders (/tmp, /var/tmp, "
        "/dev/shm).",
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


SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
"""Programs and libraries, bound read-only (as symlinks where the host has them so)."""
ETC = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "timezone",
    "ssl", "ca-certificates", "ca-certificates.conf", "pki", "crypto-policies",
    "nsswitch.conf", "host.conf", "gai.conf", "hosts", "protocols", "services", "mime.types",
    "fonts",
)  # fmt: skip
"""What of /etc a Python kernel needs (the loader, certificates, time zone, name
services); /etc/passwd and /etc/group are replaced by ones that name only root,
nobody and pot's own user."""
MEMORY_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
"""Empty, size-capped, memory-backed folders."""


def bwrap_argv(sandbox: Sandbox, workdir: Path, runtime: Path) -> list[str]:
    """The bubblewrap command that prefixes a kernel command.

    Args:
        sandbox: The settings.
        workdir: The kernel's working folder (writable).
        runtime: The kernel's own folder for its sockets and settings (writable).
    """
    argv = ["bwrap", "--die-with-parent", "--new-session"]
    argv += ["--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    if not sandbox.network:
        argv.append("--unshare-net")
    argv += ["--unsetenv", "JPY_PARENT_PID", "--perms", "0755", "--dir", "/etc"]
    argv += ["--perms", "0755", "--dir", "/var"]
    for path in SYSTEM:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    etc = [*ETC, "resolv.conf"] if sandbox.network else ETC
    for name in etc:
        path = f"/etc/{name}"
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            argv += ["--ro-bind", path, path]
    accounts = _accounts_folder()
    for name in ("passwd", "group"):
        argv += ["--ro-bind", str(accounts / name), f"/etc/{name}"]
    argv += ["--dev", "/dev", "--proc", "/proc"]
    for folder in MEMORY_FOLDERS:
        argv += ["--perms", "1777", "--size", str(sandbox.tmp_bytes), "--tmpfs", folder]
    binds = [(path, "--ro-bind") for path in _python_paths()]
    binds += [(str(path), "--ro-bind") for path in sandbox.expose]
    binds += [(str(path), "--bind") for path in (*sandbox.writable, workdir, runtime)]
    made = {Path("/etc"), Path("/var")}
    for path, how in binds:
        argv += _make_parents(Path(path), made)
        argv += [how, path, path]
    argv += ["--chdir", str(workdir)]
    if os.geteuid() == 0 and kernel_user(sandbox) is None:
        argv += ["--cap-drop", "ALL"]  # root inside, but without root's powers
    return argv


def _python_paths() -> list[str]:
    """What the interpreter needs outside the system folders: its prefix, the
    environment pot runs in, their site-packages, and pot's launcher."""
    candidates = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        str(Path(sys.executable).resolve().parent.parent),
        *site.getsitepackages(),
        str(LAUNCHER),
    }
    system = [Path(path) for path in SYSTEM]
    needed = sorted(
        str(path)
        for path in map(Path, candidates)
        if path.exists() and not any(_inside(path, folder) for folder in system)
    )
    # a path inside another needed path comes along with it
    return [p for p in needed if not any(p != q and _inside(Path(p), Path(q)) for q in needed)]


def _make_parents(path: Path, made: set[Path]) -> list[str]:
    """Directories above ``path`` on the sandbox's empty root, made traversable (0755):
    bubblewrap would create missing ones as 0700, which an unprivileged kernel could
    not pass through. Those inside the system folders already exist."""
    argv: list[str] = []
    for parent in reversed(path.parents):
        if parent == Path("/") or parent in made:
            continue
        if any(_inside(parent, Path(folder)) for folder in SYSTEM):
            return argv
        made.add(parent)
        if str(parent) not in MEMORY_FOLDERS:
            argv += ["--perms", "0755", "--dir", str(parent)]
    return argv


@functools.lru_cache(maxsize=1)
def _accounts_folder() -> Path:
    """A folder of pot's (readable, not writable, by the kernel) holding the passwd
    and group files the sandbox shows: root, nobody and pot's own user only."""
    folder = Path(tempfile.mkdtemp(prefix=f"pot-kernel-{os.getpid()}-etc-"))
    folder.chmod(0o755)
    uid, gid = os.getuid(), os.getgid()
    users = {0: ("root", 0, "/root"), NOBODY: ("nobody", NOBODY, "/nonexistent")}
    groups = {0: "root", NOBODY: "nogroup"}
    try:
        users.setdefault(uid, (pwd.getpwuid(uid).pw_name, gid, "/home"))
    except KeyError:
        users.setdefault(uid, ("pot", gid, "/home"))
    groups.setdefault(gid, users[uid][0])
    passwd = "".join(
        f"{name}:x:{user}:{group}::{home}:/usr/sbin/nologin\n"
        for user, (name, group, home) in users.items()
    )
    group_lines = "".join(f"{name}:x:{group}:\n" for group, name in groups.items())
    for name, text in (("passwd", passwd), ("group", group_lines)):
        (folder / name).write_text(text)
        (folder / name).chmod(0o644)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True
