"""Throughput of ``pot eval`` at several concurrency levels, on the same problems.

Runs ``pot eval`` once per concurrency level (each in a fresh process, so the
model load is not timed), then reads the results files and prints, side by
side: problems, accuracy, wall time from the first problem's start to the last
one's finish, problems per minute, completion tokens per second and the speedup
over the first level. Files that already exist are resumed, not re-run, so the
table can be printed again from the saved runs.

``--batching static,continuous`` runs every level with each batching of the
local model (``POT_BATCHING``), the first one being the baseline.

Usage::

    python bench/eval.py --task gsm8k --limit 8 --mode pot \\
        --model qwen2.5-coder-0.5b --concurrency 1,4 --batching static,continuous
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


def run_level(args: argparse.Namespace, concurrency: int, batching: str) -> Path:
    """Run (or resume) ``pot eval`` at one level; return its results file."""
    name = f"{args.task.replace(':', '-')}-{args.mode}-{args.model}-c{concurrency}-{batching}.jsonl"
    out = Path(args.out_dir) / name.replace("/", "_")
    command = [
        str(Path(sys.executable).with_name("pot")),
        "eval",
        args.task,
        "--limit",
        str(args.limit),
        "--mode",
        args.mode,
        "--model",
        args.model,
        "--concurrency",
        str(concurrency),
        "--out",
        str(out),
        "--resume",
    ]
    print(f"$ POT_BATCHING={batching} pot", " ".join(command[1:]), file=sys.stderr, flush=True)
    subprocess.run(command, check=True, env={**os.environ, "POT_BATCHING": batching})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", default="gsm8k")
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument("--mode", default="pot")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--concurrency", default="1,4", help="Comma-separated levels.")
    parser.add_argument("--batching", default="continuous", help="static, continuous or both.")
    parser.add_argument("--out-dir", default="runs/bench")
    args = parser.parse_args()

    from pot.tasks import report

    levels = [
        (int(level), batching)
        for batching in args.batching.split(",")
        for level in args.concurrency.split(",")
    ]
    files = [run_level(args, level, batching) for level, batching in levels]
    columns = [("batching", 10), ("C", 3), ("n", 4), ("acc %", 6), ("wall s", 8)]
    columns += [("prob/min", 9), ("tok/s", 7)]
    header = " ".join(f"{name:>{width}}" for name, width in columns) + "  speedup"
    print(f"{args.task}, {args.mode}, {args.model}, first {args.limit} problems")
    print(header)
    base: float | None = None
    for (level, batching), path in zip(levels, files, strict=True):
        summary = report([path], by="file").runs[0]
        rate = summary.problems_per_minute or 0.0
        base = base or rate
        print(
            f"{batching:>10} {level:>3} {summary.problems:>4} {100 * summary.accuracy:>6.1f} "
            f"{summary.wall_seconds or 0:>8.1f} {rate:>9.2f} "
            f"{summary.tokens_per_second or 0:>7.1f} {rate / base if base else 0:>7.2f}x"
        )


if __name__ == "__main__":
    main()
