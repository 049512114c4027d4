"""What ``auto``'s vote, as it is now, makes of the samples a finished run recorded.

A change to the vote (its key, its tie-break, the answers a question rules out) needs
no model to measure: every ``auto`` trace keeps each sample's answer, so this script
takes the vote again with today's rules (:func:`pot.consistency.vote`, the question's
places key and what it rules out), judges the new winner with the task's judge, and
prints every changed answer and two paired comparisons (McNemar): against the run as
it was made (which may have drawn other samples, or voted by older rules), and
against today's vote without one rule, which isolates it: the answers the question
rules out (:func:`~pot.plausible.doubted_in_vote`; ``--without ruling-out``, the
default), or the chain of thought's tie-break (``--without chain-tie``: ties go to the
earliest sample instead). A solve whose first two
programs agreed on an answer the question now rules out would escalate today; what the
escalation would have drawn was never recorded, so those are counted and left as run.
The restating turn's model is not replayed (``bench/restate.py`` measures it): a winner is
judged as the vote gives it, written in the question's form where pot does that without
a model (:func:`~pot.restate.in_notation`: a list in the question's notation, a duration
in the clock it asks for); a winner that is the run's and that pot would not rewrite
keeps the run's judgement.

    python bench/revote.py runs/auto.jsonl --task rg:suite --size 20 --seed 2026
    python bench/revote.py runs/auto.jsonl --task rg:suite --size 20 --seed 2026 --without chain-tie
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pot.answers import normalize_answer
from pot.auto import WORDS
from pot.consistency import vote
from pot.decimals import asked_key
from pot.plausible import doubted_in_vote
from pot.question_form import in_asked_form
from pot.restate import in_notation
from pot.tasks import TaskOptions, judge, load_problems
from pot.tasks.stats import paired_difference
from pot.trace import Mode, SampleAnswer, Trace

WITHOUT = {"ruling-out": "without ruling out", "chain-tie": "without the chain's tie-break"}
"""The rules ``--without`` can leave out, and how the output names the vote without it."""


def revoted(
    trace: Trace, rule_out: bool = True, chain_tie: bool = True
) -> tuple[str | None, bool, str | None]:
    """The vote's winner now over the trace's samples (``rule_out``: setting aside what
    the question rules out; ``chain_tie``: the chain of thought breaks ties), whether
    today's ``auto`` would have escalated where the run stopped at two agreeing programs,
    and the winner as pot writes it in the question's form without a model (None where
    it would not rewrite it)."""
    answers = [step.answer for step in trace.steps if isinstance(step, SampleAnswer)]
    question = trace.question
    doubted = doubted_in_vote(question)
    tie_breaker = WORDS if len(answers) > WORDS and chain_tie else None
    preferred = in_asked_form(question)
    winner, _ = vote(
        answers, tie_breaker, asked_key(question), doubted if rule_out else None, preferred
    )
    escalates = len(answers) == WORDS and winner.value is not None and doubted(winner.value)
    written = in_notation(question, winner)
    return winner.value, escalates, (written.value if written is not winner else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+", help="pot eval JSON-lines files of auto")
    parser.add_argument("--task", required=True)
    parser.add_argument("--size", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument(
        "--without", choices=sorted(WITHOUT), default="ruling-out", help="the rule to isolate"
    )
    args = parser.parse_args()
    without = WITHOUT[args.without]
    kept = {"rule_out": args.without != "ruling-out", "chain_tie": args.without != "chain-tie"}

    problems = {
        p.id: p
        for p in load_problems(args.task, options=TaskOptions(size=args.size, seed=args.seed))
    }
    rows: list[tuple[bool, bool, bool]] = []  # as run, now without the rule, now
    escalations = 0
    for path in args.runs:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            problem = problems.get(record["id"])
            if problem is None or not record.get("trace") or record.get("correct") is None:
                continue
            trace = Trace.model_validate(record["trace"])
            trace.question = trace.question or problem.question  # a kept copy has none
            if trace.mode is not Mode.AUTO:
                continue
            was = bool(record["correct"])
            value, escalates, written = revoted(trace)
            escalations += escalates
            before = trace.vote.counts[0].answer if trace.vote and trace.vote.counts else None
            judged = {}
            for name, (given, rewritten) in (
                ("now", (value, written)),
                ("without", revoted(trace, **kept)[::2]),
            ):
                same = given is None or (normalize_answer(given) == before and rewritten is None)
                answer = normalize_answer(rewritten or given or "")
                judged[name] = was if same else judge(answer, problem).correct
            if value is not None and (normalize_answer(value) != before or written is not None):
                print(
                    f"{problem.id}: {before!r} -> {written or value!r} (gold {problem.answer!r}) "
                    f"{was} -> {judged['now']}",
                    flush=True,
                )
            rows.append((was, judged["without"], judged["now"]))
    n = len(rows)
    print(f"\n{n} auto problems: as run {sum(row[0] for row in rows)}/{n}, ", end="")
    print(f"the vote now {without} {sum(row[1] for row in rows)}/{n}, ", end="")
    print(f"the vote now {sum(row[2] for row in rows)}/{n}")
    now = [row[2] for row in rows]
    for name, column in (("as run", 0), (without, 1)):
        paired = paired_difference([row[column] for row in rows], now)
        print(
            f"only {name} / only now: {paired.only_first} / {paired.only_second}, "
            f"McNemar p = {paired.p_value:.3g}"
        )
    print(f"would escalate now (two programs agreed on an answer ruled out): {escalations}")


if __name__ == "__main__":
    main()
