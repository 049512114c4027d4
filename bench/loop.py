"""Loop overhead on GSM8K: wall time of solving vs the model and kernel time inside it.

Usage:
    .venv/bin/python bench/loop.py [--n 20] [--model qwen2.5-coder-0.5b] [--mode pot]

For each of the first N problems of GSM8K's test file, solves it with a real
model and a real kernel and records the solve's wall time, the time spent in
``model.generate`` and in ``executor.run``, and the number of steps. Prints a
table and the totals; the overhead ratio is wall / (model + kernel), whose
goal is <= 1.05. Accuracy is printed for information only (a crude numeric
match against the number after ``####``); the evaluation runner is the real
judge.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "gsm8k" / "test.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="Number of problems.")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b", help="Model spec.")
    parser.add_argument("--mode", default="pot", choices=["pot", "tir", "coc", "cot"])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="GSM8K test.jsonl.")
    parser.add_argument("--max-new-tokens", type=int, default=512)
    parser.add_argument(
        "--quantization", default=None, help="nf4, gguf, int8 or none (default: pot's choice)."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the rows here.")
    args = parser.parse_args()

    from pot.answers import answer_key
    from pot.api import PRELOAD
    from pot.executors import JupyterExecutor
    from pot.models.loading import load_model
    from pot.solver import Solver

    problems = [json.loads(line) for line in args.data.open(encoding="utf-8")][: args.n]
    began = time.perf_counter()
    options = {"quantization": args.quantization} if args.quantization else {}
    model = load_model(args.model, **options)
    print(f"model {args.model} loaded in {time.perf_counter() - began:.1f}s", flush=True)

    rows = []
    with JupyterExecutor(timeout=10, preload=PRELOAD) as executor:
        solver = Solver(model, executor, args.mode, max_new_tokens=args.max_new_tokens)
        for number, problem in enumerate(problems):
            executor.reset()
            began = time.perf_counter()
            trace = solver.solve(problem["question"])
            wall = time.perf_counter() - began
            gold = problem["answer"].split("####")[-1].strip()
            predicted = trace.answer.value
            rows.append(
                {
                    "problem": number,
                    "wall": wall,
                    "model": trace.model_seconds,
                    "kernel": trace.kernel_seconds,
                    "steps": len(trace.steps),
                    "code_steps": len(trace.code_steps),
                    "tokens": trace.completion_tokens,
                    "answer": trace.answer.normalized,
                    "outcome": trace.answer.source.value
                    if trace.answer.ok
                    else f"none:{trace.answer.reason.value if trace.answer.reason else ''}",
                    "correct": predicted is not None and answer_key(predicted) == answer_key(gold),
                }
            )
            row = rows[-1]
            print(
                f"{number:3d} wall {wall:6.2f}s model {row['model']:6.2f}s "
                f"kernel {row['kernel']:5.3f}s steps {row['steps']} tokens {row['tokens']:4d} "
                f"answer {row['answer']!s:>10} gold {gold:>8} {'ok' if row['correct'] else '--'}",
                flush=True,
            )

    wall = sum(row["wall"] for row in rows)
    inside = sum(row["model"] + row["kernel"] for row in rows)
    print()
    print(f"problems            {len(rows)} ({args.mode}, {args.model})")
    print(f"wall                {wall:.2f}s")
    print(f"model               {sum(row['model'] for row in rows):.2f}s")
    print(f"kernel              {sum(row['kernel'] for row in rows):.3f}s")
    print(f"overhead ratio      {wall / inside:.4f}  (wall / (model + kernel), goal <= 1.05)")
    print(f"loop overhead       {(wall - inside) / len(rows) * 1000:.1f} ms per problem")
    print(
        f"steps per problem   mean {statistics.mean(row['steps'] for row in rows):.2f}, "
        f"max {max(row['steps'] for row in rows)}"
    )
    print(
        f"answered            {sum(row['outcome'].startswith('none') is False for row in rows)}"
        f"/{len(rows)}"
    )
    print(
        f"crude accuracy      {sum(row['correct'] for row in rows)}/{len(rows)} (information only)"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
