"""The hostile-code corpus, timed: what each case does to a kernel and how fast pot recovers.

    .venv/bin/python bench/hostile.py [--unconfined] [--markdown FILE]

For each case in tests/hostile/cases.py: the kernel outcome, the error the code got,
and the seconds from submitting the code until a kernel answers `1+1` again (a pool
of one kernel, lent again after the case as between two problems). For the "two
problems in a row" family: whether problem B printed what it prints in a fresh
kernel, and the seconds from submitting A until B's output is back. With
--unconfined it runs without the bubblewrap sandbox, skipping the cases that only
the sandbox contains; cases that only a control group contains are skipped where
pot cannot make one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pot.api import PRELOAD
from pot.executors import JupyterExecutor, KernelPool, Sandbox
from pot.executors.cgroups import cgroup_problem
from tests.hostile.cases import BENIGN, CASES, SEQUENCES, needs_sandbox

REPOSITORY = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--unconfined", action="store_true", help="run without the sandbox")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    sandbox = Sandbox(mode="none") if args.unconfined else Sandbox(mode="bwrap")
    canary = Path(tempfile.mkdtemp(prefix="pot-bench-canary-"))
    (canary / "secret.txt").write_text("canary")
    project = Path(tempfile.mkdtemp(prefix=".pot-bench-project-", dir=REPOSITORY))
    (project / "secret.txt").write_text("canary")
    server = socket.create_server(("127.0.0.1", 0))
    unix = socket.socket(socket.AF_UNIX)
    unix_path = f"{tempfile.gettempdir()}/pot-bench-{os.getpid()}.sock"
    unix.bind(unix_path)
    values = {
        "{canary}": str(canary),
        "{project}": str(project),
        "{parent}": str(os.getpid()),
        "{port}": str(server.getsockname()[1]),
        "{socket}": unix_path,
        "{abstract}": f"pot-bench-{os.getpid()}",
        "{marker}": "4343.4343",
    }
    with JupyterExecutor(sandbox=sandbox, spares=0) as probe:
        note = f"{probe.isolation.value} ({probe.isolation_note})"
        print(f"isolation: {note}; cgroups: {cgroup_problem() or 'yes'}\n")
    lines = ["| case | outcome | error | recovery (s) |", "|---|---|---|---|"]
    show(lines)
    try:
        for case in CASES:
            if args.unconfined and needs_sandbox(case):
                show(lines, f"| {case.name} | skipped: only the sandbox contains it | | |")
                continue
            if case.cgroup and cgroup_problem() is not None:
                show(lines, f"| {case.name} | skipped: only a cgroup contains it | | |")
                continue
            with KernelPool(size=1, sandbox=sandbox, timeout=case.timeout) as pool:
                with pool.lend() as executor:
                    wait_for_spare(executor)
                    started = time.perf_counter()
                    result = executor.run(fill(case.code, values))
                with pool.lend() as executor:
                    assert executor.run("1+1").result == "2", case.name
                recovery = time.perf_counter() - started
            error = result.error.name if result.error else ""
            show(lines, f"| {case.name} | {result.kernel.value} | {error} | {recovery:.2f} |")
        with JupyterExecutor(sandbox=sandbox, preload=PRELOAD, spares=0) as fresh:
            expected = fresh.run(BENIGN).stdout
        for case in SEQUENCES:
            with KernelPool(size=1, sandbox=sandbox, preload=PRELOAD, timeout=10) as pool:
                with pool.lend() as executor:
                    wait_for_spare(executor)
                    started = time.perf_counter()
                    result = executor.run(fill(case.code, values))
                with pool.lend() as executor:
                    same = executor.run(BENIGN).stdout == expected
                recovery = time.perf_counter() - started
            outcome = "B as in a fresh kernel" if same else "B CHANGED"
            error = result.error.name if result.error else ""
            show(lines, f"| {case.name} | {outcome} | {error} | {recovery:.2f} |")
    finally:
        server.close()
        unix.close()
        Path(unix_path).unlink(missing_ok=True)
        shutil.rmtree(canary, ignore_errors=True)
        shutil.rmtree(project, ignore_errors=True)
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n")


def wait_for_spare(executor: JupyterExecutor, within: float = 60.0) -> None:
    """As between two problems: the hot spare is started and set up."""
    deadline = time.monotonic() + within
    while executor.spares_ready < 1 and time.monotonic() < deadline:
        time.sleep(0.05)


def fill(code: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        code = code.replace(key, value)
    return code


def show(lines: list[str], line: str | None = None) -> None:
    if line is not None:
        lines.append(line)
    print(lines[-1] if line is not None else "\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
