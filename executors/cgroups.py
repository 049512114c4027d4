"""Limits a kernel cannot lift: one control group per kernel process.

``setrlimit`` limits are per process and leave gaps: memory in a memfd or in
``/dev/shm`` is not address space, and every child process gets a fresh CPU budget.
A control group counts the whole process tree: memory (page cache, tmpfs and memfd
pages included), processes and CPU time. pot uses cgroup v2 when its memory and
pids controllers can be given to a group of pot's, else the v1 memory, pids and cpu
hierarchies; both need write access to the cgroup file system (root, or a delegated
subtree). Where neither is writable, :func:`cgroup_problem` says why and kernels get
the ``setrlimit`` limits only.

A process joins its group before it runs anything (the command prefix of
:meth:`KernelCgroup.join_argv` writes its own pid, then ``exec``\\ s the kernel
command), so everything the kernel starts is inside. Groups are named
``pot-<pot's pid>-<n>``; empty ones are removed when a new one is made and at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

GROUP = "pot-kernels"
"""The folder, in each hierarchy, that holds pot's kernel groups."""
PERIOD_US = 100_000
"""The CPU bandwidth period; a kernel may use ``cpus`` times it per period."""
JOIN = (
    'for f in "$@"; do [ "$f" = -- ] && break; echo $$ > "$f" || exit 70; shift; done; '
    'shift; exec "$@"'
)
"""Shell that writes its own pid into each ``cgroup.procs`` given, then becomes the
kernel command after ``--`` (exit status 70 when a group cannot be joined)."""
SETTLE_SECONDS = 60.0
"""An empty group younger than this may be waiting for its process: not swept."""

_counter = itertools.count()


@dataclass(frozen=True)
class Hierarchy:
    """Where pot makes groups for one cgroup version."""

    version: int
    bases: dict[str, Path]
    """Controller -> the folder holding pot's groups (v2: one folder for all)."""


@dataclass(frozen=True)
class KernelCgroup:
    """The control group(s) of one kernel process."""

    version: int
    folders: tuple[Path, ...]

    def join_argv(self) -> list[str]:
        """The prefix that runs a command inside this group."""
        procs = [str(folder / "cgroup.procs") for folder in self.folders]
        return ["/bin/sh", "-c", JOIN, "pot-cgroup", *procs, "--"]

    def pids(self) -> set[int]:
        """The processes in the group now."""
        found: set[int] = set()
        for folder in self.folders:
            with contextlib.suppress(OSError, ValueError):
                found.update(map(int, (folder / "cgroup.procs").read_text().split()))
        return found

    def memory_bytes(self) -> int | None:
        """Memory charged to the group now (page cache, tmpfs and memfd included)."""
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        for folder in self.folders:
            with contextlib.suppress(OSError, ValueError):
                return int((folder / name).read_text())
        return None

    def kill(self) -> None:
        """Kill every process in the group, including those that left the kernel's
        process tree (``setsid``, double forks)."""
        killer = self.folders[0] / "cgroup.kill"
        if self.version == 2 and killer.exists():
            with contextlib.suppress(OSError):
                killer.write_text("1")
        for _ in range(100):  # a forking process may add pids while we kill
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def remove(self) -> bool:
        """Remove the group once it is empty; False while processes remain."""
        removed = True
        for folder in self.folders:
            try:
                folder.rmdir()
            except FileNotFoundError:
                pass
            except OSError:
                removed = False
        return removed


def new_cgroup(
    memory_bytes: int | None, processes: int | None, cpus: float | None
) -> KernelCgroup | None:
    """Make a group for one kernel process with these limits, or None where pot
    cannot use cgroups here (see :func:`cgroup_problem`)."""
    hierarchy = _hierarchy()
    if isinstance(hierarchy, str):
        return None
    sweep()
    name = f"pot-{os.getpid()}-{next(_counter)}"
    # a group in the CPU controller is one scheduling entity: under load its threads
    # share one task's weight, and a busy loop's interrupt came late (measured), so a
    # kernel joins it only when its CPUs are capped
    bases = hierarchy.bases
    if hierarchy.version == 2:
        folders: tuple[Path, ...] = ((bases["cpu"] if cpus else bases["memory"]) / name,)
    else:
        wanted = ("memory", "pids", "cpu") if cpus else ("memory", "pids")
        folders = tuple(bases[c] / name for c in wanted if c in bases)
    group = KernelCgroup(hierarchy.version, folders)
    try:
        for folder in folders:
            folder.mkdir()
        _write_limits(hierarchy, name, memory_bytes, processes, cpus)
    except OSError:
        group.remove()
        return None
    return group


def cgroup_problem() -> str | None:
    """Why pot cannot put kernels in control groups here; None when it can."""
    hierarchy = _hierarchy()
    return hierarchy if isinstance(hierarchy, str) else None


def cgroup_version() -> int | None:
    """The cgroup version pot uses here (2 or 1), or None."""
    hierarchy = _hierarchy()
    return None if isinstance(hierarchy, str) else hierarchy.version


def sweep() -> None:
    """Remove empty kernel groups: this process's once settled, any of a dead pot's."""
    hierarchy = _hierarchy()
    if isinstance(hierarchy, str):
        return
    now = time.time()
    for base in set(hierarchy.bases.values()):
        with contextlib.suppress(OSError):
            for folder in base.iterdir():
                owner = folder.name.split("-")[1] if folder.name.startswith("pot-") else ""
                if not owner.isdigit():
                    continue
                mine = int(owner) == os.getpid()
                with contextlib.suppress(OSError):
                    if mine and now - folder.stat().st_ctime < SETTLE_SECONDS:
                        continue
                    if mine or not _alive(int(owner)):
                        folder.rmdir()  # refused while processes remain


def _sweep_own() -> None:
    """At exit: every empty group of this process, settled or not."""
    hierarchy = _hierarchy()
    if isinstance(hierarchy, str):
        return
    for base in set(hierarchy.bases.values()):
        for folder in base.glob(f"pot-{os.getpid()}-*"):
            with contextlib.suppress(OSError):
                folder.rmdir()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_limits(
    hierarchy: Hierarchy,
    name: str,
    memory_bytes: int | None,
    processes: int | None,
    cpus: float | None,
) -> None:
    bases = hierarchy.bases
    quota = None if cpus is None else max(1000, int(cpus * PERIOD_US))
    if hierarchy.version == 2:
        folder = (bases["cpu"] if cpus else bases["memory"]) / name
        settings = {
            "memory.max": memory_bytes,
            "memory.swap.max": 0 if memory_bytes is not None else None,
            "pids.max": processes,
            "cpu.max": None if quota is None else f"{quota} {PERIOD_US}",
        }
        for file, value in settings.items():
            if value is not None and (folder / file).exists():
                (folder / file).write_text(str(value))
        return
    if memory_bytes is not None:
        memory = bases["memory"] / name
        (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
        swap = memory / "memory.memsw.limit_in_bytes"  # memory + swap: no swapping out
        if swap.exists():
            swap.write_text(str(memory_bytes))
    if processes is not None and "pids" in bases:
        (bases["pids"] / name / "pids.max").write_text(str(processes))
    if quota is not None and "cpu" in bases:
        (bases["cpu"] / name / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (bases["cpu"] / name / "cpu.cfs_quota_us").write_text(str(quota))


@functools.lru_cache(maxsize=1)
def _hierarchy() -> Hierarchy | str:
    """pot's group folders, made on first use, or why there are none."""
    if not Path("/proc/self/cgroup").exists():
        return "no control groups (not Linux)"
    mounts = _mounts()
    own = _own_groups()
    problem = "no writable cgroup file system (cgroups need root or a delegated subtree)"
    v2 = mounts.get("cgroup2")
    if v2 is not None:
        found = _v2_base(v2, GROUP, cpu=False)
        capped = _v2_base(v2, f"{GROUP}-cpu", cpu=True)
        if isinstance(found, Path):
            atexit.register(_sweep_own)
            cpu = capped if isinstance(capped, Path) else found
            return Hierarchy(2, {"memory": found, "pids": found, "cpu": cpu})
        problem = found
    bases: dict[str, Path] = {}
    for controller in ("memory", "pids", "cpu"):
        mount = mounts.get(controller)
        if mount is None:
            continue
        base = mount / own.get(controller, "/").lstrip("/") / GROUP
        try:
            base.mkdir(exist_ok=True)
        except OSError:
            continue
        bases[controller] = base
    if "memory" in bases and "pids" in bases:
        atexit.register(_sweep_own)
        return Hierarchy(1, bases)
    if bases:
        problem = f"cgroup v1 without a writable memory and pids hierarchy ({sorted(bases)})"
    return problem


def _v2_base(mount: Path, name: str, cpu: bool) -> Path | str:
    """A folder of pot's at the top of the v2 hierarchy whose groups get memory and
    pids (and cpu if ``cpu``), or why that cannot be."""
    try:
        available = (mount / "cgroup.controllers").read_text().split()
    except OSError as error:
        return f"cgroup v2 unreadable: {error}"
    controllers = ("memory", "pids", "cpu") if cpu else ("memory", "pids")
    wanted = [controller for controller in controllers if controller in available]
    if "memory" not in wanted or "pids" not in wanted:
        has = " ".join(available) or "none"
        return f"cgroup v2 without the memory and pids controllers (it has: {has})"
    base = mount / name
    try:
        enable = " ".join(f"+{name}" for name in wanted)
        (mount / "cgroup.subtree_control").write_text(enable)
        base.mkdir(exist_ok=True)
        (base / "cgroup.subtree_control").write_text(enable)
    except OSError as error:
        return f"cgroup v2 not writable here ({error.strerror})"
    return base


def _mounts() -> dict[str, Path]:
    """``cgroup2`` -> its mount point; each v1 controller -> its hierarchy's."""
    found: dict[str, Path] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            fields = line.split()
            if " - " not in line:
                continue
            fstype, _source, options = line.split(" - ", 1)[1].split()[:3]
            point = Path(fields[4])
            if fstype == "cgroup2":
                found.setdefault("cgroup2", point)
            elif fstype == "cgroup":
                for option in options.split(","):
                    if option in ("memory", "pids", "cpu"):
                        found.setdefault(option, point)
    return found


def _own_groups() -> dict[str, str]:
    """v1 controller -> this process's group path (``/proc/self/cgroup``)."""
    groups: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _number, controllers, path = line.split(":", 2)
            for controller in controllers.split(","):
                groups[controller] = path
    return groups
