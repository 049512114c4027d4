"""Does a right answer, printed by a program, come back judged right?

For every reasoning-gym generator (or those named), a few problems are drawn with a
seed; for each, a scripted model writes programs that print the gold answer in the
forms a program would (:func:`programs`): the gold's own text, labelled, as a Python
list where the gold is items one separator apart, a number in brackets. pot solves the
question with that model and a real kernel, and the task's own scorer judges the
answer. A miss is pot's answer reading, notation or restating losing an answer the
program had right: a general weakness, whichever generator shows it. The model is
scripted on purpose: what is measured is pot's handling of a printed answer, not a
model.

    python bench/roundtrip.py --size 2 --seed 7            # every generator
    python bench/roundtrip.py --generators leg_counting,maze --mode auto
    python bench/roundtrip.py --task gsm8k,svamp,math500,bbh,cruxeval --size 40
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter

from pot.executors import JupyterExecutor
from pot.solver import Solver
from pot.tasks import TaskOptions, judge, load_problems
from pot.testing import ScriptedModel

_SEPARATORS = (" × ", ", ", " ")
_ITEM = re.compile(r"-?\d+(?:\.\d+)?|[A-Za-z]+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def programs(gold: str) -> dict[str, str]:
    """The programs that print ``gold``, by the name of their form: its text
    (``print('3 × 41')``), labelled (``print('Answer:', ...)``), and where it is one
    line of numbers or words one separator apart, a Python list of them
    (``print([3, 41])``), and a single number in brackets as sympy's ``solve`` prints it
    (``print([13])``); an integer as a float (``226.0``), in a sentence (``The answer
    is 226.``), a yes or no as a bool."""
    forms = {"text": f"print({gold!r})", "labelled": f"print('Answer:', {gold!r})"}
    for separator in _SEPARATORS:
        items = gold.split(separator)
        if len(items) >= 2 and all(_ITEM.fullmatch(item) for item in items):
            values = [int(item) if re.fullmatch(r"-?\d+", item) else item for item in items]
            forms["list"] = f"print({values!r})"
            break
    if _NUMBER.fullmatch(gold):
        forms["bracketed"] = f"print([{gold}])"
    if re.fullmatch(r"-?\d+", gold):
        forms["float"] = f"print(float({gold}))"
    if "\n" not in gold:
        forms["sentence"] = f"print('The answer is %s.' % {gold!r})"
    if gold in ("Yes", "No", "True", "False"):
        forms["bool"] = f"print({gold in ('Yes', 'True')})"
    return {name: f"```python\n{code}\n```" for name, code in forms.items()}


def generators(named: str | None) -> list[str]:
    if named:
        return named.split(",")
    from reasoning_gym.factory import DATASETS

    return sorted(DATASETS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generators", help="comma-separated names (default: all)")
    parser.add_argument("--task", help="built-in tasks instead (gsm8k,math500,...): --size first")
    parser.add_argument("--size", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mode", default="pot", choices=["pot", "auto", "plain"])
    parser.add_argument("--json", help="write every miss here")
    args = parser.parse_args()
    misses, tried, skipped = [], Counter(), []
    with JupyterExecutor() as kernel:
        sources = args.task.split(",") if args.task else generators(args.generators)
        for name in sources:
            try:
                problems = (
                    load_problems(name, limit=args.size)
                    if args.task
                    else load_problems(
                        f"rg:{name}", options=TaskOptions(size=args.size, seed=args.seed)
                    )
                )
            except Exception as error:  # a generator that needs what is not installed
                skipped.append(f"{name} ({type(error).__name__})")
                continue
            for problem in problems:
                if not problem.answer.strip():
                    skipped.append(f"{problem.id} (no gold: the generator scores each answer)")
                    continue
                for form, reply in programs(problem.answer).items():
                    kernel.reset()
                    model = ScriptedModel([reply] * 12)
                    trace = Solver(model, kernel, mode=args.mode).solve(problem.question)
                    answer = trace.answer.normalized or trace.answer.value  # as pot eval
                    verdict = judge(answer, problem)
                    tried[form] += 1
                    if not verdict.correct:
                        misses.append(
                            {
                                "id": problem.id,
                                "task": problem.task,
                                "form": form,
                                "gold": problem.answer,
                                "answer": trace.answer.value,
                                "reason": str(trace.answer.reason),
                            }
                        )
                        print(
                            f"{problem.id} [{form}]: gold {problem.answer[:60]!r} -> "
                            f"{str(trace.answer.value)[:60]!r}",
                            flush=True,
                        )
    by_generator = Counter(miss["task"] for miss in misses)
    print(f"\n{sum(tried.values())} printed answers ({dict(tried)}), {len(misses)} judged wrong")
    print("by generator:", dict(by_generator.most_common()))
    if skipped:
        print("skipped:", ", ".join(skipped))
    if args.json:
        with open(args.json, "w") as stream:
            json.dump(misses, stream, indent=1)


if __name__ == "__main__":
    main()
