"""Chain of Code: statements run one by one, what cannot run is simulated by the model."""

from __future__ import annotations

from pot.coc import assigned_names, keep_simulation, split_statements
from pot.executors import JupyterExecutor
from pot.notebook import replay_source
from pot.testing import ScriptedModel
from pot.trace import NoAnswerReason

FRUITS = (
    "```python\nitems = {'apple': 2, 'chair': 1, 'pear': 1}\nfruits = 0\n"
    "for item, count in items.items():\n    if is_fruit(item):\n        fruits += count\n"
    "print(fruits)\n```"
)


def test_an_undefined_helper_is_simulated_and_execution_continues(
    kernel: JupyterExecutor,
) -> None:
    from pot.solver import Solver

    model = ScriptedModel([FRUITS, "```python\nfruits = 3\n```"])
    trace = Solver(model, kernel, mode="coc").solve("How many fruits?")
    assert trace.answer.normalized == "3"
    [step] = trace.code_steps
    assert [line.how for line in step.lines] == ["ran", "ran", "simulated", "ran"]
    simulated = step.simulated_lines[0]
    assert (simulated.lineno, simulated.end_lineno) == (3, 5)
    assert simulated.simulation == "fruits = 3"
    assert simulated.error.startswith("NameError")
    assert step.execution.ok
    # the model saw the program, the current variables and what to assign
    request = model.calls[1].conversations[0][-1].content
    assert "items = {'apple': 2, 'chair': 1, 'pear': 1}" in request
    assert "fruits = 0" in request
    assert "Assign the values of fruits" in request
    assert model.calls[1].config.temperature == 0
    # the value went into the kernel namespace
    assert kernel.run("print(fruits)").stdout == "3\n"
    assert "# simulated by the model:" in replay_source(step)


def test_a_helper_raising_not_implemented_is_simulated(kernel: JupyterExecutor) -> None:
    from pot.solver import Solver

    program = (
        "```python\ndef is_sarcastic(text):\n    raise NotImplementedError\n\n"
        "sarcastic = is_sarcastic('Oh great, more rain.')\n"
        "print('(A)' if sarcastic else '(B)')\n```"
    )
    model = ScriptedModel([program, "```python\nsarcastic = True\n```"])
    trace = Solver(model, kernel, mode="coc").solve("Sarcastic? (A) Yes (B) No")
    assert trace.answer.normalized == "(A)"
    assert [line.how for line in trace.code_steps[0].lines] == ["ran", "simulated", "ran"]


def test_a_real_bug_is_repaired_not_simulated(kernel: JupyterExecutor) -> None:
    from pot.solver import Solver

    model = ScriptedModel(
        ["```python\nx = 1\ny = x / 0\nprint(y)\n```", "```python\nx = 1\nprint(x)\n```"]
    )
    trace = Solver(model, kernel, mode="coc").solve("?")
    assert trace.answer.normalized == "1"
    first = trace.code_steps[0]
    assert [line.how for line in first.lines] == ["ran", "failed"]
    assert first.execution.error is not None
    assert "ZeroDivisionError" in model.calls[1].conversations[0][-1].content


def test_an_unusable_simulation_fails_the_program(kernel: JupyterExecutor) -> None:
    from pot.solver import Solver

    model = ScriptedModel(
        [
            "```python\nn = count_legs('spider')\nprint(n)\n```",
            "I cannot know.",
            "```python\nn = count_legs('spider')\nprint(n)\n```",
            "```python\nimport os\nlegs = 8\n```",
        ]
    )
    trace = Solver(model, kernel, mode="coc", max_steps=2).solve("Legs?")
    assert trace.answer.reason is NoAnswerReason.CODE_FAILED
    assert all(step.lines[0].how == "failed" for step in trace.code_steps)


def test_a_program_that_does_not_parse_runs_whole_for_its_syntax_error(
    kernel: JupyterExecutor,
) -> None:
    from pot.solver import Solver

    model = ScriptedModel(["```python\nx = (\n```", "```python\nprint(2)\n```"])
    trace = Solver(model, kernel, mode="coc").solve("?")
    assert trace.answer.normalized == "2"
    assert "SyntaxError" in trace.code_steps[0].observation


def test_split_statements_keeps_compound_statements_and_decorators() -> None:
    program = "import math\n@staticmethod\ndef f():\n    return 1\nfor i in range(2):\n    x = i\n"
    statements = split_statements(program)
    assert statements is not None
    assert [(s.lineno, s.end_lineno) for s in statements] == [(1, 1), (2, 4), (5, 6)]
    assert statements[2].targets == ["x"]
    assert split_statements("x = (") is None


def test_assigned_names_and_simulation_checks() -> None:
    import ast

    statement = ast.parse("result.append(is_fruit(x)); total += 1").body
    assert assigned_names(statement[0]) == ["result"]
    assert assigned_names(statement[1]) == ["total"]
    assert keep_simulation("a = 1\nb = 'x'\nprint(a)", ["a"]) == "a = 1"
    assert keep_simulation("n = 3\nis_fruit = True\nitems = []", ["n"]) == "n = 3"
    assert keep_simulation("a, b = 1, 2", ["a", "b"]) == "a, b = 1, 2"
    assert keep_simulation("print('yes')\nx = 1", []) == "print('yes')"
    assert keep_simulation("import os", ["a"]) is None
    assert keep_simulation("for i in range(3):\n    a = i", ["a"]) is None
    assert keep_simulation("a = (", ["a"]) is None
