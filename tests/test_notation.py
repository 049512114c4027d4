"""The question's notation: answers of several lines (a grid printed row by row, one item
a line); the notation tests of auto's last turn are in test_loop_auto."""

from __future__ import annotations

import pytest

from pot.answers import AnswerSource, FoundAnswer, printed_answer
from pot.executors import JupyterExecutor
from pot.grids import is_grid_row, printed_grid, shows_grid, shows_ragged_grid
from pot.notation import asks_for_lines, asks_for_literal, printed_lines, printed_literal
from pot.solver import Solver
from pot.testing import ScriptedModel

BOARD = "Solve this 4x4 board:\n_ 1 _ 3\n4 _ _ 2\n"
MOVES = (
    "Solve the Tower of Hanoi with 2 disks from Peg 1 to Peg 3.\n"
    "Each move should be placed on a single line, as 'Move disk X from Peg Y to Peg Z'."
)
ROWS = "for row in [[2, 1, 4, 3], [4, 3, 1, 2]]:\n    print(*row)"
HANOI = (
    "print('Move disk 1 from Peg 1 to Peg 2')\n"
    "print('Move disk 2 from Peg 1 to Peg 3')\n"
    "print('Move disk 1 from Peg 2 to Peg 3')"
)


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("- Each instruction should be placed on a single line.", True),
        ("Write one move per line.", True),
        ("Give the words, newline-separated.", True),
        ("Put each word on its own line.", True),
        ("What is 2 + 2?", False),
        ("The answer is on line 3 of the file.", False),
    ],
)
def test_questions_that_ask_for_one_item_a_line(question: str, asked: bool) -> None:
    assert asks_for_lines(question) is asked


@pytest.mark.parametrize(
    ("line", "row"),
    [
        ("1 0 2", True),
        ("_ _ Q _", True),
        ("4.75 5.0", True),
        ("4   5 > 2", True),
        ("Move disk 1", False),  # words are no cells
        ("x = 5", False),
        ("7", False),  # one cell is no row
        ("❌❌✅❌", True),  # symbols side by side are cells
        ("#..#", True),
        ("⬜️⬛️", True),  # a variation selector belongs to its symbol
        ("abcd", False),  # letters side by side are a word
        ("1010", False),  # digits side by side are a number
    ],
)
def test_rows_of_a_grid(line: str, row: bool) -> None:
    assert is_grid_row(line) is row


def test_a_grid_is_two_rows_in_a_row() -> None:
    assert shows_grid(BOARD)
    assert not shows_grid("Rows: 1 2\nand then\n3 4")
    assert not shows_grid("I am a cat.\nYou are a dog.")


def test_rows_printed_as_python_lists_are_read_as_the_questions_rows() -> None:
    found = printed_grid("[7, 7, 4]\n[9, 6, 2]\n['x', '.', 'x']\n")
    assert found is not None
    assert found.value == "7 7 4\n9 6 2\nx . x"
    assert printed_grid("[1, 2, 3]") is None  # one row: the last line is the answer
    assert printed_grid("[12, 'abc']\n[1, 2]") is None  # not cells: left to other rules


def test_the_printed_grid_is_its_trailing_rows_of_one_width() -> None:
    found = printed_grid("checking...\n9 9\n1 2 3\n4 5 6\n")
    assert found is not None and found.value == "1 2 3\n4 5 6"
    assert printed_grid("1 2 3\n11") is None  # the answer after a debug grid
    assert printed_grid("1 2 3") is None  # one row: the last line is the answer
    lines = printed_lines("a\n\nb\n")
    assert lines is not None and lines.value == "a\nb"
    lines = printed_lines("The moves:\nMove disk 1\nMove disk 2")
    assert lines is not None and lines.value == "Move disk 1\nMove disk 2"
    assert printed_lines("only one") is None


@pytest.mark.parametrize(("mode", "answer"), [("pot", "2 1 4 3\n4 3 1 2"), ("plain", "4 3 1 2")])
def test_a_grid_printed_row_by_row_is_the_answer(
    kernel: JupyterExecutor, mode: str, answer: str
) -> None:
    model = ScriptedModel([f"```python\n{ROWS}\n```"])
    trace = Solver(model, kernel, mode=mode).solve(BOARD)
    assert trace.answer.value == answer  # plain, the minimal script, takes the last line


def test_one_item_a_line_is_every_line_and_auto_keeps_it_as_printed(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel([f"```python\n{HANOI}\n```"] * 2)
    trace = Solver(model, kernel, mode="auto").solve(MOVES)
    assert trace.answer.value.splitlines() == [
        "Move disk 1 from Peg 1 to Peg 2",
        "Move disk 2 from Peg 1 to Peg 3",
        "Move disk 1 from Peg 2 to Peg 3",
    ]
    assert trace.answer.normalized == trace.answer.value
    assert len(model.calls) == 1  # agreed, and no restating turn for an answer of lines


# A puzzle drawn with constraint marks between its cells and its rows, and lines of
# spaces where a row of marks has none (hand-written, in the way such puzzles are drawn).
MARKED = (
    "Fill in the board; keep its layout.\n_   2 < _\n        ∨\n_   _   _\n         \n3   _   _\n"
)
MARKED_ROWS = "1   2 < 3\n        ∨\n2   3   1\n         \n3   1   2\n"


def test_a_grid_drawn_with_marks_and_lines_of_spaces_is_a_ragged_grid() -> None:
    assert shows_grid(MARKED) and shows_ragged_grid(MARKED)
    assert shows_grid("Rows:\n1 2\n   \n3 4")  # a line of spaces is drawn, not a break
    assert not shows_grid("Rows: 1 2\n\n3 4")  # an empty line parts two paragraphs
    assert not shows_ragged_grid(BOARD)  # rows of one width


def test_a_ragged_grid_comes_back_with_its_layout() -> None:
    found = printed_grid("checking\n" + MARKED_ROWS, ragged=True)
    assert found is not None
    assert found.value == "1   2 < 3\n        ∨\n2   3   1\n\n3   1   2"
    even = printed_grid(MARKED_ROWS)  # a board of one width: its last rows only
    assert even is not None and even.value == "2   3   1\n3   1   2"


def test_a_grid_of_symbols_is_read_whole() -> None:
    found = printed_grid("answer:\n❌✅❌\n✅❌✅\n")
    assert found is not None and found.value == "❌✅❌\n✅❌✅"


def test_a_puzzles_layout_survives_the_loop(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([f"```python\nprint({MARKED_ROWS!r})\n```"])
    trace = Solver(model, kernel, mode="pot").solve(MARKED)
    assert trace.answer.normalized == "1   2 < 3\n        ∨\n2   3   1\n\n3   1   2"


LITERAL = (
    "What does the following Python function return for the given input?\n\n"
    "```python\ndef f(s):\n    return s\n```\n\n"
    "Give the exact value of `f('  ab ')` as a Python literal."
)


@pytest.mark.parametrize(
    ("stdout", "value"),
    [
        ("  ab \n", "'  ab '"),  # edges kept: print() puts no spaces around a number
        ("5*83*23***\n", "'5*83*23***'"),  # a string, not an answer to tidy
        ("hello world\n", "'hello world'"),
        ("\n", "''"),  # one empty line: the empty string
        ("    \n", "'    '"),
        ("   7   \n", "'   7   '"),
        ("7\n", None),  # a literal as printed: read as usual
        ("[1, 'a']\n", None),
        ("None\n", None),
        ("'ab'\n", None),  # repr printed: already a literal
        ("Answer: ab\n", None),  # a label read off the line
        ("debug\n\n", None),  # a blank line after output is no answer
        ("", None),
    ],
)
def test_a_string_printed_without_quotes_is_the_literal_asked_for(
    stdout: str, value: str | None
) -> None:
    assert asks_for_literal(LITERAL) and not asks_for_literal("What is 2 + 2?")
    found = printed_literal(stdout, printed_answer(stdout))
    assert (found.value if found else None) == value
    if found is not None:
        assert found.source is AnswerSource.PRINTED
    assert printed_literal("x\n", FoundAnswer(value="y", source=AnswerSource.BOXED)) is None


def test_a_literal_question_gets_the_string_whole_through_the_loop(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel(["```python\nprint('  ab ')\n```"])
    trace = Solver(model, kernel, mode="pot").solve(LITERAL)
    assert trace.answer.normalized == "'  ab '"
    model = ScriptedModel(["```python\nprint('  ab ')\n```"])
    trace = Solver(model, kernel, mode="plain").solve(LITERAL)  # the baseline: as printed
    assert trace.answer.normalized == "ab"


def test_auto_keeps_the_literal_asked_for_without_a_restating_turn(
    kernel: JupyterExecutor,
) -> None:
    program = "```python\nprint('  ab ')\n```"
    model = ScriptedModel([program, program, "{ab}"])  # a restatement would trim it
    trace = Solver(model, kernel, mode="auto").solve(LITERAL)
    assert trace.answer.normalized == "'  ab '"
    assert len(model.calls) == 1


EQUATION = "Determine the value of x that satisfies: 3*x + 2 = 41"


@pytest.mark.parametrize(
    ("printed", "written"),
    [
        ("[13]", "13"),  # solve(...)
        ("[{x: 13}]", "13"),  # solve(..., dict=True)
        ("{x: 13}", "13"),
        ("{'x': 13}", None),  # a program's own dict, not sympy's solution
        ("(13,)", "13"),
        ("{13}", "13"),
        ("[-sqrt(265)/15]", "-sqrt(265)/15"),
        ("[17/24]", "17/24"),
        ("[13, 14]", None),  # two roots: a list, written as the question asks, or kept
        ("[{x: 13, y: 1}]", None),  # two unknowns: which one is asked is not known
        ("['tea']", None),  # a word in a list: not a number
        ("[x]", None),
        ("[[13]]", None),
        ("[]", None),
    ],
)
def test_a_single_number_in_brackets_is_that_number(printed: str, written: str | None) -> None:
    from pot.notation import in_question_notation

    assert in_question_notation(EQUATION, printed) == written


def test_a_single_number_keeps_its_brackets_where_the_question_wants_them() -> None:
    from pot.notation import in_question_notation

    literal = "def f(x):\n    return [x]\n\nGive the exact value of `f(13)` as a Python literal."
    assert in_question_notation(literal, "[13]") is None
    assert in_question_notation("Filter [1, 20, 13] to the numbers above 10.", "[13]") is None
    assert in_question_notation('Output as {"x": value}', "{x: 13}") is None


def test_a_solution_of_one_unknown_votes_with_its_number() -> None:
    from pot.answers import answer_key

    assert answer_key("{x: 13}") == answer_key("[{x: 13}]") == answer_key("13")
    assert answer_key("{x: 13, y: 1}") != answer_key("13")
    assert answer_key("{joseph: daniel}") != answer_key("daniel")  # no number: kept whole


@pytest.mark.parametrize("mode", ["pot", "auto"])
def test_sympys_solution_is_answered_as_its_number(kernel: JupyterExecutor, mode: str) -> None:
    """A real sympy ``solve`` in the kernel, printed as it comes; the answer is the number,
    with no restating turn in ``auto``."""
    program = (
        "```python\nfrom sympy import symbols, solve\nx = symbols('x')\n"
        "print(solve(3*x + 2 - 41, x, dict=True))\n```"
    )
    model = ScriptedModel([program] * 3)
    trace = Solver(model, kernel, mode=mode).solve(EQUATION)
    assert trace.steps[0].execution.stdout == "[{x: 13}]\n"
    assert trace.answer.value == "13"
    assert len(model.calls) == 1  # auto: its two programs in one call, and no turn more


@pytest.mark.parametrize(
    ("printed", "rows"),
    [
        ("Answer: 2 1 4 3\n4 3 1 2\n", "2 1 4 3\n4 3 1 2"),
        ("checked 3 rows\nFinal solution grid: 2 1 4 3\n4 3 1 2\n", "2 1 4 3\n4 3 1 2"),
        ("Answer: 2 1 4\n4 3 1 2\n1 2 3 4\n", "4 3 1 2\n1 2 3 4"),  # not a row of the grid
        ("Row A 2 1 4 3\n4 3 1 2\n", "4 3 1 2"),  # no answer label: one row is no grid
    ],
)
def test_a_grids_first_row_after_an_answer_label_is_a_row(printed: str, rows: str) -> None:
    found = printed_grid(printed)
    assert (found.value if found else found) == (rows if "\n" in rows else None)


def test_the_first_of_the_lines_loses_its_answer_label(kernel: JupyterExecutor) -> None:
    labelled = "print('Answer:', 'Move disk 1 from Peg 1 to Peg 2')\n" + HANOI.split("\n", 1)[1]
    model = ScriptedModel([f"```python\n{labelled}\n```"])
    trace = Solver(model, kernel, mode="pot").solve(MOVES)
    assert trace.answer.value.splitlines()[0] == "Move disk 1 from Peg 1 to Peg 2"
    assert printed_lines("Move disk 1: from A to B\nMove disk 2\n").value.startswith("Move disk 1:")
    board = ScriptedModel(["```python\nprint('Answer:', '2 1 4 3')\nprint('4 3 1 2')\n```"])
    assert Solver(board, kernel, mode="pot").solve(BOARD).answer.value == "2 1 4 3\n4 3 1 2"
