"""Hygiene settings for kernels: resource limits, a scrubbed environment, output caps."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

GIB = 1024**3

# Names that look like they hold a credential. Matched case-insensitively against
# the whole variable name.
SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|API_?KEY|ACCESS_?KEY|"
    r"PRIVATE_?KEY|AUTH|COOKIE|SESSION_?ID|(^|_)KEY$|(^|_)PAT$",
    re.IGNORECASE,
)

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
    environ: Mapping[str, str], keep: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Copy ``environ`` without variables whose names look like secrets.

    Args:
        environ: The environment to copy (usually ``os.environ``).
        keep: Names to keep even if they look like secrets.
    """
    return {
        name: value
        for name, value in environ.items()
        if name in keep or not SECRET_NAME.search(name)
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
