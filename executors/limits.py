"""Hygiene settings for kernels: resource limits, a scrubbed environment, output caps."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pot.executors.cgroups import new_cgroup

GIB = 1024**3

# What a kernel needs from pot's environment; everything else stays behind (database
# URLs, tokens, index credentials: no list of secret names can be complete).
KERNEL_VARIABLES = frozenset(
    {
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "TZ", "TMPDIR",
        "LANG", "LANGUAGE", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONHASHSEED",
        "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "VIRTUAL_ENV", "LD_LIBRARY_PATH",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
        "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
        "MPLBACKEND",
    }
)  # fmt: skip
KERNEL_PREFIXES = ("LC_",)
"""Variables named with these prefixes pass too (locale settings)."""

LAUNCHER = Path(__file__).with_name("launch.py")


class ResourceLimits(BaseModel):
    """Limits applied inside each kernel process (``setrlimit``) before it starts.

    ``None`` leaves a limit as inherited. The defaults suit model-written
    arithmetic and small data work; raise them for heavy workloads.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    memory_bytes: int | None = Field(
        default=4 * GIB,
        gt=0,
        description="Address-space cap (RLIMIT_AS: allocations beyond it raise MemoryError) "
        "and, where cgroups work, the memory of the kernel's whole process tree (memfd, "
        "/dev/shm and tmpfs pages included; beyond it the kernel is killed and replaced).",
    )
    cpu_seconds: int | None = Field(
        default=300,
        gt=0,
        description="CPU seconds one run may use (RLIMIT_CPU soft limit, re-armed before "
        "every run in IPython kernels); a kernel that exceeds it is killed and restarted.",
    )
    kernel_cpu_seconds: int | None = Field(
        default=1800,
        gt=0,
        description="CPU seconds one kernel process may use in its life (RLIMIT_CPU hard "
        "limit, which the code cannot raise; a run's own limit stops below it).",
    )
    processes: int | None = Field(
        default=512,
        gt=0,
        description="Processes: RLIMIT_NPROC for the kernel's user (not enforced for "
        "root) and, where cgroups work, pids.max of the kernel's group (also for root).",
    )
    cpus: float | None = Field(
        default=None,
        gt=0,
        description="CPUs the kernel's process tree may keep busy (cgroup CPU bandwidth), "
        "only where cgroups work. Off by default: capped at 1 CPU on a loaded 2-core "
        "machine, a busy loop's interrupt missed its grace period 4 times in 5.",
    )
    file_bytes: int | None = Field(
        default=1 * GIB,
        gt=0,
        description="Largest file the kernel may write (RLIMIT_FSIZE).",
    )
    cgroup: bool = Field(
        default=True,
        description="Put each kernel process in a control group of its own where pot can "
        "(see pot.executors.cgroups); False: setrlimit limits only.",
    )


class OutputLimits(BaseModel):
    """How much output one run may return. Beyond it, head and tail are kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    head_chars: int = Field(default=48_000, ge=0, description="Characters kept from the start.")
    tail_chars: int = Field(default=16_000, ge=0, description="Characters kept from the end.")
    display_bytes: int = Field(
        default=16 * 1024**2, ge=0, description="Total bytes of rich outputs (images) kept."
    )


def scrub_environment(
    environ: Mapping[str, str], keep: Iterable[str] = frozenset()
) -> dict[str, str]:
    """Copy of ``environ`` with only what a kernel needs (an allow-list).

    Passes :data:`KERNEL_VARIABLES`, names starting with :data:`KERNEL_PREFIXES`, and
    the names in ``keep``; every other variable is left out, whatever its name.

    Args:
        environ: The environment to copy (usually ``os.environ``).
        keep: More names to pass; a name ending in ``*`` passes every variable
            that starts with the rest (``"OMP_*"``).
    """
    names = {name for name in keep if not name.endswith("*")}
    prefixes = (*KERNEL_PREFIXES, *(name[:-1] for name in keep if name.endswith("*")))
    return {
        name: value
        for name, value in environ.items()
        if name in KERNEL_VARIABLES or name in names or name.startswith(prefixes)
    }


def launcher_argv(
    limits: ResourceLimits,
    kernel_argv: list[str],
    user: int | None = None,
    sandboxed: bool = False,
) -> list[str]:
    """Prefix a kernel command so that it starts under ``limits`` (and as ``user``).

    The launcher is run by path (``python launch.py``), so it does not import pot
    and adds only an interpreter start to the kernel's start time.
    """
    cpu = [limits.cpu_seconds, limits.kernel_cpu_seconds]
    if None not in cpu:
        cpu[0] = min(limits.cpu_seconds or 0, limits.kernel_cpu_seconds or 0)
    settings = {
        "RLIMIT_AS": limits.memory_bytes,
        "RLIMIT_CPU": cpu,
        "RLIMIT_NPROC": limits.processes,
        "RLIMIT_FSIZE": limits.file_bytes,
        "parent": 0 if sandboxed else os.getpid(),
        "user": user,
    }
    return [sys.executable, "-S", str(LAUNCHER), json.dumps(settings), "--", *kernel_argv]


def kernel_command(
    limits: ResourceLimits,
    kernel_argv: list[str],
    user: int | None = None,
    sandbox_prefix: Sequence[str] = (),
) -> list[str]:
    """The whole command that starts one kernel process: inside a new control group
    of its own (where pot can make one), the sandbox (if any), then pot's launcher.

    Args:
        limits: The kernel's limits (rlimits in the launcher; memory, processes and
            CPUs in the group too).
        kernel_argv: The kernel's own command.
        user: The uid the launcher switches to (root only).
        sandbox_prefix: The bubblewrap command, or nothing.
    """
    join: list[str] = []
    group = (
        new_cgroup(limits.memory_bytes, limits.processes, limits.cpus) if limits.cgroup else None
    )
    if group is not None:
        join = group.join_argv()
        # the group counts this kernel's processes; RLIMIT_NPROC would count every
        # process of its user, all kernels together (a busy pool hit it at start)
        limits = limits.model_copy(update={"processes": None})
    launch = launcher_argv(limits, kernel_argv, user, sandboxed=bool(sandbox_prefix))
    return [*join, *sandbox_prefix, *launch]
