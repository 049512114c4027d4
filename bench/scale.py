"""Problems in flight from one process: throughput, pot's CPU and memory for C = 1..256.

    .venv/bin/python bench/scale.py [--levels 1,4,16,64,256] [--delay 1.0] [--kernels 32]
    .venv/bin/python bench/scale.py --real-gguf PATH --real-levels 1,2,4   # adds a real server

The model side is SIMULATED: an OpenAI-compatible server on loopback (``python -m
pot.simulated``, its own process) answers every request with the same trivial
program after a fixed delay, as a large vLLM deployment would answer hundreds of
requests at once. The kernel side is real: a ``jupyter kernelgateway`` on loopback
(its own process) with ``--kernels`` warm kernels, reached through
``GatewayExecutor``. pot runs ``aevaluate`` (the code behind ``pot eval``) in this
process, so the figures isolate pot's own overhead: wall time, problems per minute,
this process's CPU time per problem (every thread), its peak resident memory, and
the CPU the gateway with its kernels and the server used.

``--real-gguf`` also runs the same sweep against a real llama.cpp server
(llama-cpp-python) serving that GGUF, on the first GSM8K problems of ``--data``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from pot.evaluate import aevaluate
from pot.executors import GatewayExecutor, KernelPool
from pot.models.openai import OpenAIModel
from pot.tasks import Problem, load_problems, scan_results

TOKEN = "pot-bench-token"


@dataclass
class Level:
    concurrency: int
    problems: int
    seconds: float
    pot_cpu: float
    side_cpu: float
    kernels_cpu: float
    peak_rss: int
    correct: int
    wait_ms: float
    model_s: float

    @property
    def per_minute(self) -> float:
        return self.problems / self.seconds * 60


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            headers = {"Authorization": f"token {TOKEN}"}
            if httpx.get(url, timeout=2, headers=headers).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s")


def start(command: list[str], url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    wait_for(url, process)
    return process


def cpu_of(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
        return float(times.user + times.system)
    except psutil.Error:
        return 0.0


def side_cpu(sides: list[subprocess.Popen[bytes]]) -> tuple[float, float]:
    """CPU seconds of the side processes themselves, and of their children (kernels)."""
    own = children = 0.0
    for side in sides:
        root = psutil.Process(side.pid)
        own += cpu_of(root)
        children += sum(cpu_of(child) for child in root.children(recursive=True))
    return own, children


def synthetic(concurrency: int, count: int) -> list[Problem]:
    return [
        Problem(
            id=f"scale-c{concurrency}/{index}",
            question=f"Problem {index}: what is 1 + 1?",
            answer="2",
            meta={"task": "gsm8k", "index": index},
        )
        for index in range(count)
    ]


async def run_level(
    problems: list[Problem],
    model: OpenAIModel,
    pool: KernelPool,
    concurrency: int,
    sides: list[subprocess.Popen[bytes]],
    folder: Path,
) -> Level:
    me = psutil.Process()
    out = folder / f"c{concurrency}-{time.monotonic_ns()}.jsonl"
    peak = me.memory_info().rss
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, me.memory_info().rss)
            await asyncio.sleep(0.25)  # the sampling's own CPU counts as pot's

    sampler = asyncio.ensure_future(sample())
    side_before, kernels_before = side_cpu(sides)
    cpu_before, began = time.process_time(), time.perf_counter()
    summary = await aevaluate(problems, model, out, concurrency=concurrency, pool=pool)
    seconds, pot_cpu = time.perf_counter() - began, time.process_time() - cpu_before
    side_after, kernels_after = side_cpu(sides)
    done.set()
    await sampler
    records = scan_results(out).records
    out.unlink()
    waits = [record.timings.get("wait", 0.0) for record in records]
    models = [record.timings.get("model", 0.0) for record in records]
    return Level(
        concurrency=concurrency,
        problems=len(records),
        seconds=seconds,
        pot_cpu=pot_cpu,
        side_cpu=side_after - side_before,
        kernels_cpu=kernels_after - kernels_before,
        peak_rss=peak,
        correct=summary.correct,
        wait_ms=statistics.median(waits) * 1000 if waits else 0.0,
        model_s=statistics.median(models) if models else 0.0,
    )


def print_table(title: str, levels: list[Level]) -> None:
    print(f"\n{title}")
    print(
        "| C | problems | correct | wall s | problems/min | x C=1 | pot CPU ms/problem "
        "| pot CPU % of a core | gateway+server CPU ms/problem | kernels CPU ms/problem "
        "| pot peak RSS MiB | median kernel wait ms | median model s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    base = levels[0].per_minute
    for level in levels:
        print(
            f"| {level.concurrency} | {level.problems} | {level.correct} | {level.seconds:.1f} "
            f"| {level.per_minute:.0f} | {level.per_minute / base:.1f} "
            f"| {level.pot_cpu / level.problems * 1000:.1f} "
            f"| {level.pot_cpu / level.seconds * 100:.0f} "
            f"| {level.side_cpu / level.problems * 1000:.1f} "
            f"| {level.kernels_cpu / level.problems * 1000:.1f} "
            f"| {level.peak_rss / 2**20:.0f} | {level.wait_ms:.1f} | {level.model_s:.2f} |"
        )
    verdict(levels)


def verdict(levels: list[Level]) -> None:
    """Where the curve flattens (under half the ideal gain) and which side limits it."""
    base = levels[0]
    cores = os.cpu_count() or 1
    for level in levels[1:]:
        gain = level.per_minute / base.per_minute
        if gain >= 0.5 * level.concurrency / base.concurrency:
            continue
        busy = (level.pot_cpu + level.side_cpu + level.kernels_cpu) / level.seconds
        if level.pot_cpu / level.seconds > 0.6:
            side = (
                f"pot (its process uses {100 * level.pot_cpu / level.seconds:.0f}% of a core; "
                "its two event loops share one interpreter lock)"
            )
        elif busy > 0.85 * cores:
            side = f"this machine's {cores} cores (pot, gateway, kernels and server together)"
        elif level.wait_ms > 0.5 * level.model_s * 1000:
            side = "kernels (problems wait for a free kernel)"
        else:
            side = (
                f"the model server (median answer {level.model_s:.2f} s against "
                f"{levels[0].model_s:.2f} s at C = {base.concurrency}, with the {cores} cores "
                f"{100 * busy / cores:.0f}% busy)"
            )
        print(f"flattens at C = {level.concurrency} ({gain:.1f}x of C=1); limited by {side}")
        return
    print("no flattening up to C =", levels[-1].concurrency)


async def sweep(
    problems_for: object, model: OpenAIModel, pool: KernelPool, levels: list[int], sides: list
) -> list[Level]:
    results = []
    with tempfile.TemporaryDirectory(prefix="pot-scale-") as folder:
        for concurrency in levels:
            problems = problems_for(concurrency)  # type: ignore[operator]
            level = await run_level(problems, model, pool, concurrency, sides, Path(folder))
            results.append(level)
            print(
                f"C={concurrency}: {level.problems} problems in {level.seconds:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--levels", default="1,4,16,64,256", help="Problems in flight.")
    parser.add_argument("--delay", type=float, default=1.0, help="Simulated seconds per answer.")
    parser.add_argument("--kernels", type=int, default=32, help="Warm kernels on the gateway.")
    parser.add_argument("--per-level", type=int, default=4, help="Problems = this x C (min 16).")
    parser.add_argument("--real-gguf", type=Path, help="Also sweep a llama.cpp server on it.")
    parser.add_argument("--real-levels", default="1,2,4")
    parser.add_argument("--real-problems", type=int, default=8)
    parser.add_argument("--data", type=Path, help="Data folder for the real sweep's GSM8K.")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    logs = Path(tempfile.mkdtemp(prefix="pot-scale-logs-"))
    os.environ["POT_GATEWAY_TOKEN"] = TOKEN
    gateway_port, server_port = free_port(), free_port()
    gateway = start(
        [
            sys.executable, "-m", "kernel_gateway", "--KernelGatewayApp.ip=127.0.0.1",
            f"--KernelGatewayApp.port={gateway_port}", f"--KernelGatewayApp.auth_token={TOKEN}",
        ],
        f"http://127.0.0.1:{gateway_port}/api/kernelspecs",
        logs / "gateway.log",
    )  # fmt: skip
    server = start(
        [sys.executable, "-m", "pot.simulated", "--delay", str(args.delay),
         "--port", str(server_port)],
        f"http://127.0.0.1:{server_port}/v1/models",
        logs / "server.log",
    )  # fmt: skip
    processes = [gateway, server]
    url = f"http://127.0.0.1:{gateway_port}"
    pool = KernelPool(
        args.kernels, factory=lambda: GatewayExecutor(url, timeout=30, request_timeout=120)
    )

    async def simulated() -> list[Level]:
        await pool.astart()
        model = OpenAIModel("simulated", base_url=f"http://127.0.0.1:{server_port}/v1")
        try:
            return await sweep(
                lambda c: synthetic(c, max(16, args.per_level * c)),
                model,
                pool,
                levels,
                [gateway, server],
            )
        finally:
            await model.aclose()

    try:
        print(
            f"SIMULATED model: every answer after {args.delay:g} s, trivial code; real kernel "
            f"gateway on loopback with {args.kernels} warm kernels; {os.cpu_count()} CPU cores "
            "shared by pot, the gateway, its kernels and the server."
        )
        print_table("Simulated server + loopback kernel gateway", asyncio.run(simulated()))
        if args.real_gguf:
            real_port = free_port()
            llama = start(
                [sys.executable, "-m", "llama_cpp.server", "--model", str(args.real_gguf),
                 "--host", "127.0.0.1", "--port", str(real_port), "--n_ctx", "4096",
                 "--model_alias", "qwen"],
                f"http://127.0.0.1:{real_port}/v1/models",
                logs / "llama.log",
            )  # fmt: skip
            processes.append(llama)
            gsm8k = load_problems("gsm8k", data_dir=args.data, limit=args.real_problems)

            async def real() -> list[Level]:
                model = OpenAIModel("qwen", base_url=f"http://127.0.0.1:{real_port}/v1")
                try:
                    return await sweep(
                        lambda c: gsm8k,
                        model,
                        pool,
                        [int(level) for level in args.real_levels.split(",")],
                        [gateway, llama],
                    )
                finally:
                    await model.aclose()

            print(f"\nREAL model: llama.cpp server on {args.real_gguf.name}, GSM8K")
            print_table("llama.cpp server + loopback kernel gateway", asyncio.run(real()))
    finally:
        pool.shutdown()
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
