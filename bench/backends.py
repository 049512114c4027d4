"""CPU backends side by side: NF4, bf16, int8 (transformers) and the GGUF run by llama.cpp.

``python bench/model.py --backends nf4,bf16,int8,gguf --model qwen2.5-coder-1.5b`` runs
this (or ``python bench/backends.py ...``). Each backend runs in its own process (its
peak RSS is its own), one after the other, ``--rounds`` times in turn so that a busy
machine slows them alike; the table shows medians. Per backend:

- load s: ``load_model`` from pot's cache (converted folder or joined GGUF);
- tokens/s at C = 1 and C = 4: completion tokens / wall seconds, greedy, C threads each
  asking the few-shot prompt of ``bench/model.py`` with its own question (no stop
  string, ``--tokens`` new tokens each);
- peak RSS MiB of the process.

It also measures what bounds decoding: memory bandwidth (numpy copy of 512 MiB, read +
write bytes per second) against the bytes of weights one token reads (the GGUF's size
for llama.cpp, the weight footprint for transformers) times tokens/s. Machine shared:
read the ratios of one run.

``gguf@DIR`` is the GGUF backend with llama-cpp-python imported from DIR (a
``pip install --target DIR`` of another build of it), so two builds run side by side:
``--backends gguf,gguf@/tmp/llama512`` compares the installed one with an AVX-512 one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from model import QUESTIONS, conversation

BACKENDS = {"nf4": "nf4", "bf16": "none", "int8": "int8", "gguf": "gguf"}


def bandwidth(mib: int = 512, repeats: int = 5) -> float:
    """GB/s of a numpy copy (bytes read + bytes written), best of ``repeats``."""
    import numpy as np

    source = np.ones(mib * 2**20 // 8)
    target = np.empty_like(source)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.copyto(target, source)
        best = min(best, time.perf_counter() - started)
    return 2 * source.nbytes / best / 1e9


def rate(model: Any, concurrency: int, tokens: int) -> float:
    return completions(model, concurrency, tokens)[0]


def completions(
    model: Any, concurrency: int, tokens: int, offset: int = 0
) -> tuple[float, list[int]]:
    """``concurrency`` new questions in flight at once (numbered from ``offset``, so a
    later round is not a cached prompt): completion tokens per wall second, and each
    call's completion tokens."""
    from pot.models import GenerationConfig

    config = GenerationConfig(max_new_tokens=tokens, max_repeats=0)
    counts = [0] * concurrency
    questions = [f"{QUESTIONS[i % 2]} Then add {offset + i}." for i in range(concurrency)]

    def ask(index: int) -> None:
        ((generation,),) = model.generate([conversation(questions[index])], config)
        counts[index] = generation.completion_tokens

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started), counts


def worker(backend: str, spec: str, tokens: int, threads: int) -> None:
    from pot.models import load_model

    started = time.perf_counter()
    options: dict[str, Any] = {"quantization": BACKENDS[backend], "threads": threads}
    if backend != "gguf":
        options["device"] = "cpu"
    model: Any = load_model(spec, **options)
    figures: dict[str, Any] = {"load_s": time.perf_counter() - started}
    if backend == "gguf":
        figures["weight_bytes"] = model.path.stat().st_size
    else:
        figures["weight_bytes"] = model.model.get_memory_footprint()
    rate(model, 1, 4)  # warm up
    figures["c1"] = rate(model, 1, tokens)
    figures["c4"] = rate(model, 4, tokens)
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures), flush=True)


def run(backend: str, spec: str, tokens: int, threads: int) -> dict[str, Any]:
    kind, _, build = backend.partition("@")
    command = [sys.executable, __file__, "--worker", kind, "--model", spec]
    command += ["--tokens", str(tokens), "--threads", str(threads)]
    environment = dict(os.environ)
    if build:
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [build, environment.get("PYTHONPATH")])
        )
    output = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    lines = [line for line in output.stdout.splitlines() if line.startswith("{")]
    if output.returncode or not lines:
        raise SystemExit(f"{backend} failed ({output.returncode}): {output.stderr[-2000:]}")
    figures = json.loads(lines[-1])
    print(f"  {backend}: {figures}", file=sys.stderr, flush=True)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="nf4,bf16,int8,gguf")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--worker", choices=sorted(BACKENDS))
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.model, args.tokens, args.threads)
        return
    names = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = {name for name in names if name.partition("@")[0] not in BACKENDS}
    if unknown:
        raise SystemExit(f"unknown backends {sorted(unknown)}; pick from {sorted(BACKENDS)}")
    missing = [name for name in names if "@" in name and not Path(name.partition("@")[2]).is_dir()]
    if missing:
        raise SystemExit(f"no such folder for {missing}: gguf@DIR needs a pip --target DIR")
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for _ in range(args.rounds):
        for name in names:
            results[name].append(run(name, args.model, args.tokens, args.threads))
    gbps = bandwidth()
    median = {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for name, runs in results.items()
    }
    print(
        f"\n{args.model} on the CPU, {args.threads} thread(s), {args.tokens} new tokens per "
        f"request, medians of {args.rounds} round(s)\n"
    )
    header = ["", *names]
    rows = [
        ("load s", "load_s", "{:.1f}"),
        ("tokens/s C=1", "c1", "{:.2f}"),
        ("tokens/s C=4", "c4", "{:.2f}"),
        ("peak RSS MiB", "peak_rss_mib", "{:.0f}"),
        ("weights MiB", "weight_bytes", "{:.0f}"),
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label, key, style in rows:
        scale = 2**20 if key == "weight_bytes" else 1
        cells = [style.format(median[name][key] / scale) for name in names]
        print("| " + " | ".join([label, *cells]) + " |")
    cells = [f"{median[name]['c4'] / median[name]['c1']:.2f}x" for name in names]
    print("| " + " | ".join(["C=4 / C=1", *cells]) + " |")
    base = median.get("nf4")
    if base:
        cells = [f"{median[name]['c1'] / base['c1']:.2f}x" for name in names]
        print("| " + " | ".join(["C=1 vs nf4", *cells]) + " |")
    print(f"\nmemory bandwidth (numpy copy, read+write): {gbps:.1f} GB/s")
    for name in names:
        used = median[name]["weight_bytes"] * median[name]["c1"] / 1e9
        print(f"  {name}: weights read at C=1 {used:.1f} GB/s = {used / gbps:.0%} of it")
    print("\n" + json.dumps({"model": args.model, "bandwidth_gbps": gbps, "median": median}))


if __name__ == "__main__":
    main()
