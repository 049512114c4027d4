"""The hostile-code corpus, timed: what each case does to a kernel and how fast pot recovers.

    .venv/bin/python bench/hostile.py [--unconfined]

For each case in tests/hostile/cases.py: the kernel outcome, the error the code got,
and the seconds from submitting the code until a reset kernel answers `1+1` again.
With --unconfined it runs without the bubblewrap sandbox, skipping the cases that
only the sandbox contains.
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

from pot.executors import JupyterExecutor, Sandbox
from tests.hostile.cases import CASES, needs_sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--unconfined", action="store_true", help="run without the sandbox")
    args = parser.parse_args()
    sandbox = Sandbox(mode="none") if args.unconfined else Sandbox(mode="bwrap")
    canary = Path(tempfile.mkdtemp(prefix="pot-bench-canary-"))
    (canary / "secret.txt").write_text("canary")
    server = socket.create_server(("127.0.0.1", 0))
    values = {
        "{canary}": str(canary),
        "{parent}": str(os.getpid()),
        "{port}": str(server.getsockname()[1]),
        "{marker}": "4343.4343",
    }
    with JupyterExecutor(sandbox=sandbox) as probe:
        print(f"isolation: {probe.isolation.value} ({probe.isolation_note})\n")
    print("| case | outcome | error | recovery (s) |\n|---|---|---|---|")
    for case in CASES:
        if args.unconfined and needs_sandbox(case):
            print(f"| {case.name} | skipped: only the sandbox contains it | | |")
            continue
        code = case.code
        for key, value in values.items():
            code = code.replace(key, value)
        with JupyterExecutor(sandbox=sandbox, timeout=case.timeout) as executor:
            started = time.perf_counter()
            result = executor.run(code)
            executor.reset()
            assert executor.run("1+1").result == "2", case.name
            recovery = time.perf_counter() - started
        error = result.error.name if result.error else ""
        print(f"| {case.name} | {result.kernel.value} | {error} | {recovery:.2f} |")
    server.close()
    shutil.rmtree(canary, ignore_errors=True)


if __name__ == "__main__":
    main()
