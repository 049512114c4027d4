"""pot's kernels have the usual imports done; the plain baseline's kernels have none."""

from __future__ import annotations

from pathlib import Path

from pot.evaluate import evaluate
from pot.executors import JupyterExecutor
from pot.solver import Solver
from pot.tasks import Problem, ResultRecord, load_problems
from pot.testing import ScriptedModel

# Names small models use without importing them (seen in traces).
FORGETFUL = """\
x, y = symbols('x y')
root = solve(Eq(x + y, 30).subs(y, 8), x)[0]
share = Fraction(3, 4) * 8
ways = len(list(permutations('abc'))) + comb(5, 2)
common = Counter('hello').most_common(1)[0][0]
later = date(2024, 2, 28) + timedelta(days=2)
also = datetime.date(2024, 1, 1).year
def total(items: List[int], extra: Optional[Dict[str, int]] = None) -> int:
    return sum(items)
print(total([1, 2]), end=" ")
print(root, share, ways, common, later, also, sqrt(16), floor(pi), np.array([1, 2]).sum())
"""


def test_names_small_models_forget_to_import_are_there(preloaded: JupyterExecutor) -> None:
    result = preloaded.run(FORGETFUL, timeout=30)
    assert result.ok, result.error
    assert result.stdout.strip() == "3 22 6 16 l 2024-03-01 2024 4 3 3"


def test_functions_of_both_math_and_sympy_take_either(preloaded: JupyterExecutor) -> None:
    code = (
        "x = symbols('x')\n"
        "print(integrate(-3*x**3*sin(x), x))\n"
        "print(diff(exp(2*x), x), log(x).diff(x), limit(sin(x) / x, x, 0))\n"
        "print(round(sin(pi / 6), 6), exp(0), log(8, 2), atan(1) == pi / 4)\n"
        "print(np.round(cos(np.array([0.0, pi])), 6).tolist(), sin.__name__)"
    )
    result = preloaded.run(code, timeout=30)
    assert result.ok, result.error
    assert result.stdout.splitlines() == [
        "3*x**3*cos(x) - 9*x**2*sin(x) - 18*x*cos(x) + 18*sin(x)",
        "2*exp(2*x) 1/x 1",
        "0.5 1.0 3.0 True",
        "[1.0, -1.0] sin",
    ]


def test_a_program_without_imports_needs_no_repair(preloaded: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nx = symbols('x')\nprint(solve(2 * x - 10, x)[0])\n```"])
    trace = Solver(model, preloaded).solve("Solve 2x = 10.")
    assert trace.answer.normalized == "5"
    assert len(model.calls) == 1


def test_the_models_own_imports_still_win(preloaded: JupyterExecutor) -> None:
    result = preloaded.run("from math import sqrt\nprint(sqrt(16))", timeout=30)
    assert result.stdout.strip() == "4.0"


def test_plain_runs_get_a_kernel_with_nothing_preloaded(shared_data: Path, tmp_path: Path) -> None:
    problems: list[Problem] = load_problems("gsm8k", data_dir=shared_data, limit=1)
    probe = "```python\nprint('sympy' in dir() or 'symbols' in dir())\n```"
    answers = {}
    for mode in ("plain", "pot"):
        records: list[ResultRecord] = []
        out = tmp_path / f"{mode}.jsonl"
        evaluate(problems, ScriptedModel([probe]), out, mode=mode, on_record=records.append)
        answers[mode] = records[0].prediction
    assert answers == {"plain": "False", "pot": "True"}
