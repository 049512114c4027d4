"""Executor figures, side by side in one run: pot's overhead, warm lends, recovery.

    .venv/bin/python bench/executor.py [--rounds 200]

Prints medians; the machine is shared and noisy, so compare the ratio, not the
absolute milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from jupyter_client.manager import KernelManager

from pot.executors import GatewayExecutor, JupyterExecutor, KernelPool


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def round_trips(rounds: int) -> tuple[list[float], list[float]]:
    """`1+1` through JupyterExecutor and through raw execute_interactive, interleaved."""
    runtime = tempfile.mkdtemp(prefix="pot-bench-")
    # the same transport pot uses (ipc), so only pot's own work differs
    manager = KernelManager(kernel_name="python3", transport="ipc", ip=f"{runtime}/socket")
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    pot_times: list[float] = []
    raw_times: list[float] = []
    try:
        with JupyterExecutor() as executor:
            for _ in range(10):  # warm both
                executor.run("1+1")
                client.execute_interactive("1+1", output_hook=lambda message: None)
            for _ in range(rounds):
                started = time.perf_counter()
                executor.run("1+1")
                pot_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                client.execute_interactive(
                    "1+1", allow_stdin=False, stop_on_error=False, output_hook=lambda m: None
                )
                raw_times.append(time.perf_counter() - started)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return pot_times, raw_times


def gateway_round_trips(url: str, token: str, rounds: int) -> tuple[list[float], list[float]]:
    """`1+1` through a kernel gateway and through a local JupyterExecutor, interleaved."""
    remote, local = [], []
    with GatewayExecutor(url, token=token) as gateway, JupyterExecutor() as executor:
        for _ in range(10):
            gateway.run("1+1")
            executor.run("1+1")
        for _ in range(rounds):
            started = time.perf_counter()
            gateway.run("1+1")
            remote.append(time.perf_counter() - started)
            started = time.perf_counter()
            executor.run("1+1")
            local.append(time.perf_counter() - started)
    return remote, local


def wait_for_spare(executor: JupyterExecutor) -> None:
    """Let the spare finish starting, as it would between problems."""
    while executor.spares_ready < 1:
        time.sleep(0.05)


def warm_lends(rounds: int) -> list[float]:
    times = []
    with KernelPool(size=2) as pool:
        for _ in range(rounds):
            pool.settle()  # the returned kernel is fresh again (a swap with a spare)
            time.sleep(0.05)
            started = time.perf_counter()
            with pool.lend():
                times.append(time.perf_counter() - started)
    return times


def resets(rounds: int) -> tuple[list[float], list[float]]:
    """A kernel reset as pot does it, beside the way it did before, interleaved.

    pot: one silent run (its reset function, which spares IPython's reset the full
    ``gc.collect()`` that walks every object sympy made, then a call of the setup
    function the kernel keeps, then the preload). Before: IPython's own reset, the
    whole setup source and the preload as three runs.
    """
    from pot.api import PRELOAD

    ipython_reset = "get_ipython().reset(new_session=False, aggressive=False)\n"
    now, before = [], []
    with (
        JupyterExecutor(preload=PRELOAD, reuse="reset") as new,
        JupyterExecutor(preload=PRELOAD, reuse="reset") as old,
    ):
        setup = old._setup_code()

        def old_reset() -> None:
            for code in (ipython_reset, setup, PRELOAD):
                old.run(code)

        for _ in range(5):
            new.reset()
            old_reset()
        for _ in range(rounds):
            started = time.perf_counter()
            new.reset()
            now.append(time.perf_counter() - started)
            started = time.perf_counter()
            old_reset()
            before.append(time.perf_counter() - started)
    return now, before


def fresh_resets(rounds: int) -> list[float]:
    """``reset()`` of a ``reuse="fresh"`` kernel (the default): the process is discarded
    and a ready spare takes its place (timed after the spare finished starting)."""
    from pot.api import PRELOAD

    times = []
    with JupyterExecutor(preload=PRELOAD) as executor:
        for _ in range(rounds):
            executor.run("x = 1")
            wait_for_spare(executor)
            started = time.perf_counter()
            executor.reset()
            times.append(time.perf_counter() - started)
    return times


def recoveries(repeats: int) -> dict[str, list[float]]:
    """Seconds from submitting the bad code until the kernel has answered `1+1` again."""
    cases = {
        "runaway loop (timeout 1 s)": "while True:\n    pass",
        "loop ignoring SIGINT (timeout 1 s)": (
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
        ),
        "crash (os._exit)": "import os\nos._exit(1)",
        "segfault (ctypes)": "import ctypes\nctypes.string_at(0)",
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    with JupyterExecutor() as executor:
        for _ in range(repeats):
            for name, code in cases.items():
                wait_for_spare(executor)
                started = time.perf_counter()
                executor.run(code, timeout=1)
                assert executor.run("1+1").result == "2"
                times[name].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gateway", help="also measure a kernel gateway at this URL")
    parser.add_argument("--token", default="", help="the gateway's auth token")
    args = parser.parse_args()

    started = time.perf_counter()
    with JupyterExecutor():
        cold = time.perf_counter() - started
    pot_times, raw_times = round_trips(args.rounds)
    lends = warm_lends(args.rounds // 4)
    reset_now, reset_before = resets(args.rounds // 4)
    fresh = fresh_resets(args.repeats * 2)
    recovered = recoveries(args.repeats)

    pot_ms, raw_ms = median_ms(pot_times), median_ms(raw_times)
    print(f"kernel start (cold, includes setup code)      {cold * 1000:8.1f} ms")
    print(f"`1+1` round trip, JupyterExecutor (median)    {pot_ms:8.2f} ms  n={args.rounds}")
    print(f"`1+1` round trip, raw execute_interactive     {raw_ms:8.2f} ms  n={args.rounds}")
    print(f"overhead ratio (pot / raw)                    {pot_ms / raw_ms:8.2f}x  goal <= 1.10")
    print(f"warm lend from KernelPool (median)            {median_ms(lends):8.3f} ms  goal <= 15")
    now_ms, before_ms = median_ms(reset_now), median_ms(reset_before)
    print(f"reset, pot: one run (median)                  {now_ms:8.2f} ms  n={len(reset_now)}")
    print(f"reset, before: IPython reset + 2 more runs    {before_ms:8.2f} ms")
    print(f"reset ratio (now / before)                    {now_ms / before_ms:8.2f}x")
    fresh_ms = median_ms(fresh)
    print(f"fresh kernel: swap with a ready spare         {fresh_ms:8.2f} ms  n={len(fresh)}")
    if args.gateway:
        remote, local = gateway_round_trips(args.gateway, args.token, args.rounds)
        print(f"`1+1` via kernel gateway (median)            {median_ms(remote):8.2f} ms")
        print(f"`1+1` local JupyterExecutor, same run         {median_ms(local):8.2f} ms")
    for name, samples in recovered.items():
        print(f"recovery: {name:36s} {statistics.median(samples):6.2f} s  n={len(samples)}")


if __name__ == "__main__":
    main()
