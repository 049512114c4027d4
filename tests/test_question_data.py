"""A question's long data is in the kernel as ``data``, for the program to parse:
which questions and which part, what the model is told, what runs, and that the
notebook replays it."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pot.executors import JupyterExecutor
from pot.prompts import CUT_OFF_DATA_NOTE
from pot.question_data import long_data
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import CodeStep

TWELVE = ", ".join(str(n) for n in range(1, 13))
GRID = "Rotate this matrix 90 degrees clockwise:\n1 2 3\n4 5 6\n7 8 9\nGive the rows."
PARSE = (
    "```python\nrows = [list(map(int, line.split())) for line in data.splitlines()]\n"
    "for row in zip(*rows[::-1]):\n    print(*row)\n```"
)


@pytest.mark.parametrize(
    ("question", "data"),
    [
        (GRID, "1 2 3\n4 5 6\n7 8 9"),
        (f"Sum these: {TWELVE}.", TWELVE),
        ("Sort: [12.5, 3.1, -7.2, 88.0, 1.25, 6.75, 9.0, 10.5, 11.25, 2.0, 4.4]!",
         "[12.5, 3.1, -7.2, 88.0, 1.25, 6.75, 9.0, 10.5, 11.25, 2.0, 4.4]"),
        (f"Count the a's in '{'abracadabra' * 6}'.", "abracadabra" * 6),
        (f"Reverse {'kdjfhg' * 11} please", "kdjfhg" * 11),
        ("Tom has 3 apples and buys 5 more. How many apples does he have?", None),
        ("Example:\n1 2 3\n4 5 6\n7 8 9\nbecomes\n7 4 1\n8 5 2\n9 6 3\nNow:\n"
         "1 1 1\n2 2 2\n3 3 3", None),  # several grids: which one is the model's call
        (f"Input: {TWELVE}\nOutput: {TWELVE}\nInput: {TWELVE}", None),
        ("A board:\n1 2\n3 4\nWhat is the sum of its cells?", None),  # two rows: short
        # apostrophes are not quotes, prose in parentheses is not data
        ("Janet's ducks lay 16 eggs a day. She eats three for breakfast every morning "
         "and bakes muffins for her friends every day with four (which she sells at the "
         "farmers' market daily for $2 per fresh duck egg). How much does she make?", None),
    ],
)  # fmt: skip
def test_which_questions_carry_long_data_and_which_part(question: str, data: str | None) -> None:
    found = long_data(question)
    assert (found and found.text) == data


NUMPY_GRID = (
    "Will this game halt?\nInitial board:\n[[0 0 0 0]\n [0 1 1 0]\n [0 1 0 0]\n [0 0 0 0]]\n"
    "Reply True or False."
)


def test_a_grid_numpy_printed_is_data_read_without_its_brackets() -> None:
    found = long_data(NUMPY_GRID)
    assert found is not None
    assert found.text == "[[0 0 0 0]\n[0 1 1 0]\n[0 1 0 0]\n[0 0 0 0]]"
    assert "line.strip(' []').split()" in found.parse
    namespace: dict[str, object] = {"data": found.text}
    exec(found.parse, namespace)  # the line the model is told to start with
    assert namespace["rows"] == [list("0000"), list("0110"), list("0100"), list("0000")]
    assert long_data("[1, 2]\n[3, 4]\n[5, 6]") is None  # Python's lists: no cells a row


def test_the_program_parses_the_question_instead_of_retyping_it(
    kernel: JupyterExecutor, tmp_path: Path
) -> None:
    model = ScriptedModel([PARSE])
    trace = Solver(model, kernel, "pot").solve(GRID)
    assert trace.answer.value == "7 4 1\n8 5 2\n9 6 3"
    asked = model.calls[0].conversations[0][-1]
    assert asked.content.startswith(GRID + "\n\n(The grid above is already defined in the kernel")
    assert "rows = [line.split() for line in data.strip().splitlines()]" in asked.content
    [step] = trace.steps
    assert isinstance(step, CodeStep)
    assert step.setup == "data = '1 2 3\\n4 5 6\\n7 8 9'"

    path = trace.to_notebook(tmp_path / "grid.ipynb")  # the replay defines it too
    notebook = nbformat.read(path, as_version=4)
    recorded = [cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"]
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    replayed = [cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"]
    assert [o for outs in replayed for o in outs if o.get("name") == "stdout"] == [
        o for outs in recorded for o in outs if o.get("name") == "stdout"
    ]


def test_auto_programs_get_it_and_plain_does_not(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([PARSE])
    trace = Solver(model, kernel, "plain").solve(GRID)
    assert model.calls[0].conversations[0][-1].content == GRID  # no note
    [step] = trace.code_steps
    assert step.setup == ""
    assert step.execution.error is not None
    assert step.execution.error.name == "NameError"  # a user's own script has no `data`


def test_a_short_question_is_left_as_it_is(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint(3 + 5)\n```"])
    trace = Solver(model, kernel, "pot").solve("Tom has 3 apples and buys 5 more. How many?")
    assert trace.answer.normalized == "8"
    assert model.calls[0].conversations[0][-1].content.endswith("How many?")
    assert trace.code_steps[0].setup == ""


def test_a_cut_off_program_is_pointed_at_the_data(kernel: JupyterExecutor) -> None:
    cut = "```python\nrows = [" + ", ".join(["1"] * 40) + "]\nprint(rows)\n```"
    model = ScriptedModel([cut, PARSE])
    trace = Solver(model, kernel, "pot", max_new_tokens=30).solve(GRID)
    assert model.calls[1].conversations[0][-1].content == CUT_OFF_DATA_NOTE
    assert trace.answer.value == "7 4 1\n8 5 2\n9 6 3"


@pytest.mark.parametrize(
    ("question", "check", "printed"),
    [
        (GRID, "print(rows[2])", "['7', '8', '9']"),
        (f"Sort: [{', '.join(str(n) for n in range(1, 31))}]!", "print(sum(items))", "465"),
        (f"Sum these: {TWELVE}.", "print(sum(numbers))", "78.0"),
        (f"Count the a's in '{'abracadabra' * 6}'.", "print(text.count('a'))", "30"),
    ],
)
def test_the_line_the_model_is_given_reads_the_data(
    preloaded: JupyterExecutor, question: str, check: str, printed: str
) -> None:
    found = long_data(question)
    assert found is not None
    preloaded.reset()
    result = preloaded.run(f"{found.setup}\n{found.parse}\n{check}")
    assert result.ok, result.error
    assert result.stdout.strip() == printed


def test_a_replay_defines_the_data_again_after_a_kernel_restart(
    kernel: JupyterExecutor, tmp_path: Path
) -> None:
    model = ScriptedModel(["```python\nimport os\nos._exit(1)\n```", PARSE])
    trace = Solver(model, kernel, "pot").solve(GRID)
    assert trace.code_steps[0].execution.state_lost
    assert trace.answer.value == "7 4 1\n8 5 2\n9 6 3"
    notebook = nbformat.read(trace.to_notebook(tmp_path / "restart.ipynb"), as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert [i for i, source in enumerate(code) if "data = " in source] == [0, 2]
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    assert notebook.cells[-2].outputs[0]["text"] == "7 4 1\n8 5 2\n9 6 3\n"


def test_the_grid_line_reads_the_grid_retyped_with_blank_lines_alike() -> None:
    """The 1.5B typed the grid out again as ``data = \"\"\"`` and a new line, then ran
    the suggested line: without ``strip()`` the first row read empty."""
    found = long_data(GRID)
    assert found is not None
    read: dict[str, object] = {"data": found.text}
    exec(found.parse, read)  # the line pot suggests, on pot's own data
    retyped: dict[str, object] = {"data": "\n" + found.text + "\n"}
    exec(found.parse, retyped)
    assert read["rows"] == retyped["rows"] == [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]]
