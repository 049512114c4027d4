"""What a fresh interpreter per problem costs: ``pot eval`` throughput with fresh vs reset kernels.

    .venv/bin/python bench/reuse.py [--problems 48] [--concurrency 4] [--kernels 4]
                                    [--delay 0.5] [--spares 1] [--executor local]

Runs ``aevaluate`` (the code behind ``pot eval``) twice on the same synthetic
problems, with a pool of local kernels made ``fresh`` between problems (the
default: each problem gets a new interpreter, a hot spare) and then ``reset``
(namespace cleared, same interpreter), and prints side by side: problems per
minute, the median wait for a kernel, the CPU the kernels used per problem (every
kernel process, bubblewrap and launcher included, spares too) and pot's own CPU per
problem.

The model is SIMULATED (``pot.simulated``, an OpenAI-compatible server on loopback
in this process) and answers every generation after ``--delay`` seconds with the
same small sympy program, so the figures isolate the kernels' cost.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from pot.api import PRELOAD
from pot.evaluate import aevaluate
from pot.executors import make_pool
from pot.models.openai import OpenAIModel
from pot.simulated import SimulatedServer
from pot.tasks import Problem, scan_results

PROGRAM = (
    "```python\nfrom sympy import Rational\nprice = Rational(3, 2)\ncount = 4\n"
    "total = price * count\nprint(total)\n```"
)


@dataclass
class Run:
    reuse: str
    problems: int
    correct: int
    seconds: float
    kernel_cpu: float
    pot_cpu: float
    wait_ms: float

    @property
    def per_minute(self) -> float:
        return self.problems / self.seconds * 60


class KernelCpu:
    """CPU seconds used by every process below this one, sampled in the background.

    A process's times are read until it ends (its last tenth of a second is
    missed; kernels are idle then); processes alive when sampling starts count
    only what they use afterwards.
    """

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.seen: dict[tuple[int, float], float] = {}
        self.base: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> KernelCpu:
        self._read(self.base)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read(self.seen)

    @property
    def seconds(self) -> float:
        return sum(cpu - self.base.get(key, 0.0) for key, cpu in self.seen.items())

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self._read(self.seen)

    @staticmethod
    def _read(into: dict[tuple[int, float], float]) -> None:
        for process in psutil.Process().children(recursive=True):
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    key = (process.pid, process.create_time())
            except psutil.Error:
                continue
            into[key] = max(into.get(key, 0.0), times.user + times.system)


def synthetic(count: int, reuse: str) -> list[Problem]:
    return [
        Problem(
            id=f"reuse-{reuse}/{index}",
            question=f"Problem {index}: 4 items at 3/2 dollars each; what is the total?",
            answer="6",
            meta={"task": "gsm8k", "index": index},
        )
        for index in range(count)
    ]


async def run_one(args: argparse.Namespace, reuse: str, url: str, folder: Path) -> Run:
    pool = make_pool(
        args.executor,
        size=args.kernels,
        reuse=reuse,  # type: ignore[arg-type]
        spares=args.spares,
        preload=PRELOAD,
        timeout=30,
    )
    await pool.astart()
    await asyncio.sleep(3)  # the spares finish starting: the pool is as it would be warm
    model = OpenAIModel("simulated", base_url=url)
    out = folder / f"{reuse}.jsonl"
    problems = synthetic(args.problems, reuse)
    try:
        with KernelCpu() as kernels:
            cpu_before, began = time.process_time(), time.perf_counter()
            summary = await aevaluate(problems, model, out, concurrency=args.concurrency, pool=pool)
            seconds = time.perf_counter() - began
            pot_cpu = time.process_time() - cpu_before
            # what the last problems left to do (discards, spares) is part of the cost
            await pool.asettle()
            await asyncio.sleep(2.0)  # and the spares they took are replaced
    finally:
        await model.aclose()
        await pool.ashutdown()
    records = scan_results(out).records
    waits = [record.timings.get("wait", 0.0) for record in records]
    return Run(
        reuse=reuse,
        problems=len(records),
        correct=summary.correct,
        seconds=seconds,
        kernel_cpu=kernels.seconds,
        pot_cpu=pot_cpu,
        wait_ms=statistics.median(waits) * 1000 if waits else 0.0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--problems", type=int, default=48)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--kernels", type=int, default=4)
    parser.add_argument("--spares", type=int, default=1)
    parser.add_argument("--delay", type=float, default=0.5, help="Simulated seconds per answer.")
    parser.add_argument("--executor", default="local", help="local, sandbox or unconfined.")
    args = parser.parse_args()

    async def both(url: str) -> list[Run]:
        with tempfile.TemporaryDirectory(prefix="pot-reuse-") as folder:
            runs = []
            for reuse in ("fresh", "reset"):
                runs.append(await run_one(args, reuse, url, Path(folder)))
                print(f"{reuse}: {runs[-1].problems} problems", file=sys.stderr, flush=True)
            return runs

    with SimulatedServer(reply=PROGRAM, delay=args.delay) as server:
        runs = asyncio.run(both(server.url))
    print(
        f"{args.problems} problems, C={args.concurrency}, {args.kernels} kernels "
        f"({args.executor}), {args.spares} spare(s), simulated model {args.delay:g} s per "
        f"answer, {psutil.cpu_count()} cores"
    )
    print(
        "| reuse | correct | wall s | problems/min | median kernel wait ms "
        "| kernel CPU s/problem | pot CPU ms/problem |"
    )
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        print(
            f"| {run.reuse} | {run.correct}/{run.problems} | {run.seconds:.1f} "
            f"| {run.per_minute:.0f} | {run.wait_ms:.0f} | {run.kernel_cpu / run.problems:.2f} "
            f"| {run.pot_cpu / run.problems * 1000:.0f} |"
        )


if __name__ == "__main__":
    main()
