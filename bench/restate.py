"""What ``auto``'s restating turn changes, measured on finished runs.

``auto`` ends by showing the model the question, the winning program and what it
printed, and asking for the answer in the form the question asks for
(:mod:`pot.restate`). The turn comes after everything else ``auto`` does and
is greedy, so running it on the traces of a finished ``pot eval`` run gives the
answers ``auto`` with the turn would have given on those problems (up to batched
decoding's tiny differences), without solving them again. This script does that
with the real model and pot's own ``restate`` loop, judges the answers
with the task's judge, and prints the paired comparison (McNemar) and every changed
answer. A run made with a restating turn already (its answer's source ``restated``)
is compared three ways: the vote's answer without the turn, the run's own turn (as
``auto`` was when the run was made), and the turn as it is now. ``--replay`` loads no
model: it gives pot's ``restate`` loop the text the run's own turn wrote (and keeps the
answer where the loop asks for a turn the run did not write), which
measures a change to what pot does with that text (which restatements it takes) in
seconds.

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

from pot.answers import AnswerSource, normalize_answer
from pot.loop_requests import Generate, GenerateReply
from pot.models import load_model
from pot.models.base import Generation, GenerationConfig, StopReason
from pot.prompts import ANSWER_START, OUTPUT_FENCE
from pot.restate import restate, winning_program
from pot.tasks import TaskOptions, judge, load_problems
from pot.tasks.stats import paired_difference
from pot.trace import Answer, CodeStep, SampleAnswer, TextStep, Trace


def programs_that_ran(trace: Trace) -> dict[int, CodeStep]:
    """Each sample's last program that ran without error, as auto notes them."""
    return {step.sample: step for step in trace.code_steps if step.execution.ok}


def voted(trace: Trace) -> Answer:
    """The answer before any restating turn: the vote's (the first sample that gave it)."""
    if trace.answer.source is not AnswerSource.RESTATED or trace.vote is None:
        return trace.answer
    first = trace.vote.counts[0].samples[0]
    given = next(s for s in trace.steps if isinstance(s, SampleAnswer) and s.sample == first)
    return given.answer.model_copy(update={"source": AnswerSource.VOTE})


def run_restate(
    model, question: str, answer: Answer, step: CodeStep, replay: str | None = None
) -> tuple[Answer, float, int, str]:
    """Drive pot's restate loop with the model (or with ``replay``, a turn's text
    written before); the answer, seconds and tokens it took, and what the turn wrote."""
    loop = restate(question, answer, step)
    reply, seconds, tokens, written = None, 0.0, 0, ""
    while True:
        try:
            item = loop.send(reply)
        except StopIteration as stop:
            return stop.value, seconds, tokens, written
        reply = None
        if isinstance(item, TextStep):
            written = item.text
        if isinstance(item, Generate) and model is None and replay is None:
            loop.close()  # replaying a run whose turn wrote nothing: keep its answer
            return answer, seconds, tokens, written
        if isinstance(item, Generate) and replay is not None:
            text = replay.removeprefix(ANSWER_START)
            reply = GenerateReply([Generation(text=text, stop_reason=StopReason.STOP)], 0.0)
        elif isinstance(item, Generate):
            config = GenerationConfig(
                stop=[OUTPUT_FENCE], max_new_tokens=item.max_new_tokens or 48, temperature=0.0
            )
            began = time.perf_counter()
            batch = model.generate([item.conversation], config)
            took = time.perf_counter() - began
            seconds += took
            tokens += batch[0][0].completion_tokens
            reply = GenerateReply(batch[0], took)


def _judged(answer: Answer, problem) -> bool:
    """Judged as pot eval judges, with the answer normalised as pot normalises it now."""
    if answer.value is None:
        return False
    return judge(normalize_answer(answer.value), problem).correct


def turn_written(trace: Trace) -> str | None:
    """The text of the run's own restating turn, if it had one."""
    turns = [
        step.text
        for step in trace.steps
        if isinstance(step, TextStep) and step.text.startswith(ANSWER_START)
    ]
    return turns[-1] if turns and trace.vote is not None else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, help="a pot eval JSON-lines file with traces")
    parser.add_argument("--task", required=True)
    parser.add_argument("--size", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--model", help="required unless --replay")
    parser.add_argument("--quantization", default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", type=Path, help="JSON lines of the changed answers")
    parser.add_argument(
        "--replay", action="store_true", help="no model: reuse the text the run's turn wrote"
    )
    args = parser.parse_args()
    if not args.replay and not args.model:
        parser.error("--model is required unless --replay")

    problems = {
        p.id: p
        for p in load_problems(
            args.task, limit=args.limit, options=TaskOptions(size=args.size, seed=args.seed)
        )
    }
    options = {"quantization": args.quantization} if args.quantization else {}
    if args.threads:
        options["threads"] = args.threads
    model = None if args.replay else load_model(args.model, **options)
    rows: list[tuple[bool, bool, bool]] = []  # without the turn, the run's own, now
    seconds, tokens, changed = [], [], []
    for line in args.runs.read_text().splitlines():
        record = json.loads(line)
        problem = problems.get(record["id"])
        if problem is None or not record.get("trace") or record.get("correct") is None:
            continue
        trace = Trace.model_validate(record["trace"])
        ran = bool(record["correct"])
        base = voted(trace)
        without = _judged(base, problem)
        step = winning_program(trace.vote, programs_that_ran(trace))
        now = without
        replay = turn_written(trace) if args.replay else None
        if step is not None and base.ok:
            answer, took, used, written = run_restate(model, problem.question, base, step, replay)
            seconds.append(took)
            tokens.append(used)
            if answer is not base:
                now = _judged(answer, problem)
                changed.append(
                    {
                        "id": problem.id,
                        "before": base.normalized,
                        "after": answer.normalized,
                        "gold": problem.answer,
                        "was": without,
                        "now": now,
                    }
                )
                print(
                    f"{problem.id}: {base.normalized!r} -> {answer.normalized!r} "
                    f"(gold {problem.answer!r}) {without} -> {now}\n{written}",
                    flush=True,
                )
        rows.append((without, ran, now))
    n = len(rows)
    print(f"\n{args.runs.name}: {n} problems, {len(seconds)} restated, {len(changed)} changed")
    for name, column in (("without the turn", 0), ("the run's own", 1), ("the turn now", 2)):
        right = sum(row[column] for row in rows)
        print(f"{name:<17}{right}/{n} = {100 * right / n:.1f}%")
    now = [row[2] for row in rows]
    for name, column in (("without", 0), ("the run's own", 1)):
        paired = paired_difference([row[column] for row in rows], now)
        print(
            f"only {name} / only now: {paired.only_first} / {paired.only_second}, "
            f"McNemar p = {paired.p_value:.3g}"
        )
    if seconds:
        print(
            f"the turn: median {statistics.median(seconds):.1f} s, "
            f"median {statistics.median(tokens)} completion tokens"
        )
    if args.out:
        args.out.write_text("".join(json.dumps(row) + "\n" for row in changed))


if __name__ == "__main__":
    main()
