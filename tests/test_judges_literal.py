"""The CRUXEval judge: Python values compared after literal_eval; and right answers that
come back through pot's loop judged right on every built-in benchmark."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pot.executors import JupyterExecutor
from pot.solver import Solver
from pot.tasks import judge, judge_literal, load_problems
from pot.testing import ScriptedModel

CASES = [
    # prediction, gold, correct
    ("'abc'", "'abc'", True),
    ('"abc"', "'abc'", True),
    ("abc", "'abc'", True),  # printed by the kernel: no quotes
    ("'abc '", "'abc'", False),
    ("[1,2,3]", "[1, 2, 3]", True),
    ("(1, 2)", "[1, 2]", False),
    ("{'a': 1, 'b': 2}", "{'b': 2, 'a': 1}", True),
    ("{1: None, 2: None}", "{1: None, 2: None}", True),
    ("1.0", "1", True),
    ("True", "1", True),  # CRUXEval checks with ==, and True == 1
    ("-3", "-3", True),
    ("2", "3", False),
    # pot's answers drop a float's rounding noise: the same float
    ("0.3", "0.30000000000000004", True),
    ("[0.3, 2]", "[0.30000000000000004, 2]", True),
    ("0.31", "0.30000000000000004", False),
    ("[0.3]", "(0.30000000000000004,)", False),
    ("assert f([1, 2]) == [2, 1]", "[2, 1]", True),
    ("f('x') == 'xx'", "'xx'", True),
    ("```python\n[(4, 1), (2, 3)]\n```", "[(4, 1), (2, 3)]", True),
    ("`'hello'`", "'hello'", True),
    ("'a\\nb'", "'a\\nb'", True),
    ("''", "''", True),
    ("None", "''", False),
    ("[1, 2", "[1, 2]", False),
    ("", "'x'", False),
    (None, "'x'", False),
]


@pytest.mark.parametrize(("prediction", "gold", "correct"), CASES)
def test_judge_literal_cases(prediction: object, gold: str, correct: bool) -> None:
    assert judge_literal(prediction, gold).correct is correct


def test_values_and_normalized_form() -> None:
    assert judge_literal([1, 2], "[1, 2]").correct
    assert judge_literal('"abc"', "'abc'").normalized == "'abc'"
    assert judge_literal("[1, 2", "[1, 2]").reason == "not a Python literal"
    assert judge_literal("1", "not a literal").reason is not None


def test_a_program_that_prints_the_repr_of_the_output_is_judged_right(
    kernel: JupyterExecutor, shared_data: Path
) -> None:
    """Every fourth CRUXEval problem: a program that prints ``repr`` of the right output
    comes back through pot's loop as that value (strings with spaces at their edges,
    stars, leading zeros and line breaks included)."""
    wrong = []
    for problem in load_problems("cruxeval", data_dir=shared_data)[::4]:
        code = f"value = {problem.answer}\nprint(repr(value))"
        model = ScriptedModel([f"```python\n{code}\n```"])
        answer = Solver(model, kernel, mode="pot").solve(problem.question).answer
        if not judge(answer.normalized or "", problem).correct:
            wrong.append(f"{problem.id}: {answer.normalized!r} for {problem.answer}")
    assert not wrong, "\n".join(wrong)


def test_a_program_that_prints_the_output_itself_is_judged_right(
    kernel: JupyterExecutor, shared_data: Path
) -> None:
    """Every fourth CRUXEval problem: a program that prints the right output with
    ``print(value)``, as most programs do, comes back as that value too: a string printed
    without its quotes is the literal the question asks for, spaces at its edges, stars
    and a string of spaces kept (12 of these 200 were lost before). A string of several
    lines cannot be read back from what print showed: those are left out."""
    wrong, checked = [], 0
    for problem in load_problems("cruxeval", data_dir=shared_data)[::4]:
        value = ast.literal_eval(problem.answer)
        if isinstance(value, str) and "\n" in value:
            continue
        checked += 1
        code = f"value = {problem.answer}\nprint(value)"
        model = ScriptedModel([f"```python\n{code}\n```"])
        answer = Solver(model, kernel, mode="pot").solve(problem.question).answer
        if not judge(answer.normalized or "", problem).correct:
            wrong.append(f"{problem.id}: {answer.normalized!r} for {problem.answer}")
    assert checked > 190 and not wrong, "\n".join(wrong)


@pytest.mark.parametrize("mode", ["pot", "cot"])
def test_a_right_answer_survives_the_loop_on_every_benchmark(
    kernel: JupyterExecutor, shared_data: Path, mode: str
) -> None:
    """About 60 problems of each built-in benchmark: the gold printed by a program (``pot``)
    or boxed in words (``cot``) comes back as an answer its judge accepts (a mixed number
    ``1\\frac{4}{5}``, the empty string ``''``, BBH's options and labels...)."""
    wrong = []
    for task in ("gsm8k", "svamp", "math500", "bbh", "cruxeval"):
        problems = load_problems(task, data_dir=shared_data)
        for problem in problems[:: max(1, len(problems) // 60)]:
            if mode == "pot":
                reply = f"```python\nprint({problem.answer!r})\n```"
            else:
                reply = f"So the answer is \\boxed{{{problem.answer}}}."
            model = ScriptedModel([reply])
            answer = Solver(model, kernel, mode=mode).solve(problem.question).answer
            if not judge(answer.normalized or "", problem).correct:
                wrong.append(f"{problem.id}: {answer.normalized!r} for {problem.answer!r}")
    assert not wrong, "\n".join(wrong)
