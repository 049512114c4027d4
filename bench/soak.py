"""Soak: solve many problems in a row with a scripted model and real pooled kernels,
and show that open files, child processes and memory stay flat.

    .venv/bin/python bench/soak.py [--problems 1000] [--kernels 2]

Each problem runs a real program (a little arithmetic, a print, sometimes an error
that is repaired), so every problem goes through generate, execute, observe.
"""

from __future__ import annotations

import argparse
import time

import psutil

from pot.executors import KernelPool
from pot.solver import Solver
from pot.testing import ScriptedModel


def replies(index: int) -> list[str]:
    if index % 5 == 0:  # one in five needs a repair
        return ["```python\nprint(1 / 0)\n```", f"```python\nprint({index} * 2)\n```"]
    return [f"```python\nimport math\nx = math.isqrt({index * index})\nprint(x * 2)\n```"]


def snapshot(me: psutil.Process) -> dict[str, float]:
    return {
        "open files": me.num_fds(),
        "child processes": len(me.children(recursive=True)),
        "RSS MiB": me.memory_info().rss / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=1000)
    parser.add_argument("--kernels", type=int, default=2)
    args = parser.parse_args()
    me = psutil.Process()
    wrong = 0
    with KernelPool(size=args.kernels) as pool:
        for index in range(5):  # warm up imports and kernels before the first snapshot
            with pool.lend() as executor:
                Solver(ScriptedModel(replies(index)), executor).solve(f"Problem {index}")
        start = snapshot(me)
        started = time.perf_counter()
        for index in range(args.problems):
            with pool.lend() as executor:
                trace = Solver(ScriptedModel(replies(index)), executor).solve(f"Problem {index}")
            wrong += trace.answer.normalized != str(index * 2)
            if (index + 1) % 250 == 0:
                print(f"{index + 1:5d} problems  {snapshot(me)}", flush=True)
        seconds = time.perf_counter() - started
        end = snapshot(me)
    print(
        f"\n{args.problems} problems in {seconds:.1f} s ({seconds / args.problems * 1000:.1f} ms "
        f"each), {wrong} wrong answers (expected 0)"
    )
    print("| measure | start | end |\n|---|---|---|")
    for key in start:
        print(f"| {key} | {start[key]:.0f} | {end[key]:.0f} |")
    print(f"after shutdown: {len(me.children(recursive=True))} child processes")


if __name__ == "__main__":
    main()
