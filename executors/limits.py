"""Hygiene settings for kernels: resource limits, a scrubbed environment, output caps."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

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
        description="Address-space cap (RLIMIT_AS): allocations beyond it raise MemoryError.",
    )
    cpu_seconds: int | None = Field(
        default=300,
        gt=0,
        description="CPU seconds one run may use (RLIMIT_CPU, re-armed before every run in "
        "IPython kernels); a kernel that exceeds it is killed and restarted.",
    )
    processes: int | None = Field(
        default=512,
        gt=0,
        description="Processes for the kernel's user (RLIMIT_NPROC). Not enforced for root.",
    )
    file_bytes: int | None = Field(
        default=1 * GIB,
        gt=0,
        description="Largest file the kernel may write (RLIMIT_FSIZE).",
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
    settings = {
        "RLIMIT_AS": limits.memory_bytes,
        "RLIMIT_CPU": limits.cpu_seconds,
        "RLIMIT_NPROC": limits.processes,
        "RLIMIT_FSIZE": limits.file_bytes,
        "parent": 0 if sandboxed else os.getpid(),
        "user": user,
    }
    return [sys.executable, "-S", str(LAUNCHER), json.dumps(settings), "--", *kernel_argv]
