"""What ``auto``'s restating turn changes, measured on finished runs.

``auto`` ends by showing the model the question, the winning program and what it
printed, and asking for the answer in the form the question asks for
(:mod:`pot.restate`). The turn comes after everything else ``auto`` does and is
greedy, so running it on the traces of a finished ``pot eval`` run gives the
answers ``auto`` with the turn would have given on those problems (up to batched
decoding's tiny differences), without solving them again. This script does that
with the real model and pot's own ``restate`` loop, judges both answers with the
task's judge, and prints the paired comparison (McNemar) and every changed answer.

    python bench/restate.py runs/auto.jsonl --task rg:suite --size 3 --seed 2026 \\
        --model qwen2.5-coder-1.5b

Problems whose run has no answer, or whose answer no program printed, are counted
as unchanged.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from pot.loop_requests import Generate, GenerateReply
from pot.models import load_model
from pot.models.base import GenerationConfig
from pot.prompts import OUTPUT_FENCE
from pot.restate import restate, winning_program
from pot.tasks import TaskOptions, judge, load_problems
from pot.tasks.stats import mcnemar_exact
from pot.trace import Answer, CodeStep, Trace


def programs_that_ran(trace: Trace) -> dict[int, CodeStep]:
    """Each sample's last program that ran without error, as auto notes them."""
    return {step.sample: step for step in trace.code_steps if step.execution.ok}


def run_restate(model, question: str, answer: Answer, step: CodeStep) -> tuple[Answer, float, int]:
    """Drive pot's restate loop with the model; the answer, seconds and tokens it took."""
    loop = restate(question, answer, step)
    reply, seconds, tokens = None, 0.0, 0
    while True:
        try:
            item = loop.send(reply)
        except StopIteration as stop:
            return stop.value, seconds, tokens
        reply = None
        if isinstance(item, Generate):
            config = GenerationConfig(
                stop=[OUTPUT_FENCE], max_new_tokens=item.max_new_tokens or 48, temperature=0.0
            )
            began = time.perf_counter()
            batch = model.generate([item.conversation], config)
            took = time.perf_counter() - began
            seconds += took
            tokens += batch[0][0].completion_tokens
            reply = GenerateReply(batch[0], took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, help="a pot eval JSON-lines file with traces")
    parser.add_argument("--task", required=True)
    parser.add_argument("--size", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--model", required=True)
    parser.add_argument("--quantization", default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", type=Path, help="JSON lines of the changed answers")
    args = parser.parse_args()

    problems = {
        p.id: p
        for p in load_problems(
            args.task, limit=args.limit, options=TaskOptions(size=args.size, seed=args.seed)
        )
    }
    options = {"quantization": args.quantization} if args.quantization else {}
    if args.threads:
        options["threads"] = args.threads
    model = load_model(args.model, **options)
    before, after, seconds, tokens, changed = [], [], [], [], []
    for line in args.runs.read_text().splitlines():
        record = json.loads(line)
        problem = problems.get(record["id"])
        if problem is None or not record.get("trace") or record.get("correct") is None:
            continue
        trace = Trace.model_validate(record["trace"])
        was = bool(record["correct"])
        step = winning_program(trace.vote, programs_that_ran(trace))
        now, answer = was, trace.answer
        if step is not None and trace.answer.ok:
            answer, took, used = run_restate(model, problem.question, trace.answer, step)
            seconds.append(took)
            tokens.append(used)
            if answer is not trace.answer:
                now = judge(answer.normalized or answer.value, problem).correct
                changed.append(
                    {
                        "id": problem.id,
                        "before": trace.answer.normalized,
                        "after": answer.normalized,
                        "gold": problem.answer,
                        "was": was,
                        "now": now,
                    }
                )
                print(
                    f"{problem.id}: {trace.answer.normalized!r} -> {answer.normalized!r} "
                    f"(gold {problem.answer!r}) {was} -> {now}",
                    flush=True,
                )
        before.append(was)
        after.append(now)
    n = len(before)
    lost = sum(b and not a for b, a in zip(before, after, strict=True))
    gained = sum(a and not b for b, a in zip(before, after, strict=True))
    print(f"\n{args.runs.name}: {n} problems, {len(seconds)} restated, {len(changed)} changed")
    print(f"without the turn {sum(before)}/{n} = {100 * sum(before) / n:.1f}%")
    print(f"with the turn    {sum(after)}/{n} = {100 * sum(after) / n:.1f}%")
    p = mcnemar_exact(lost, gained)
    print(f"only without / only with: {lost} / {gained}, McNemar p = {p:.3g}")
    if seconds:
        print(
            f"the turn: median {statistics.median(seconds):.1f} s, "
            f"median {statistics.median(tokens)} completion tokens"
        )
    if args.out:
        args.out.write_text("".join(json.dumps(row) + "\n" for row in changed))


if __name__ == "__main__":
    main()
