"""Numbers written to the decimal places a question asks for: read, written, voted on,
and in auto's and pot's answers with a real kernel."""

from __future__ import annotations

import pytest

from pot.answers import AnswerSource, answer_key
from pot.decimals import asked_key, asked_places, in_asked_places
from pot.executors import JupyterExecutor
from pot.solver import Solver
from pot.testing import ScriptedModel

FOUR = (
    "Determine the real value(s) of z that satisfies: 53 - 45*z**2 = 0\n"
    "Provide all answers as comma-separated decimal values.\n"
    "Round all decimal values to 4 decimal places (rounding down when the 5th decimal "
    "place is 5 or greater)."
)


@pytest.mark.parametrize(
    ("question", "places"),
    [
        (FOUR, 4),
        ("Give the answer to two decimal places.", 2),
        ("Round it to 3 d.p.", 3),
        ("Round it to 1 dp.", 1),
        ("What is the cost, to the nearest hundredth of a dollar?", 2),
        ("Round to the nearest tenth.", 1),
        ("Round your answer to the nearest whole number.", 0),
        ("to the nearest integer", 0),
        ("to the nearest ten-thousandth", 4),
        ("How many apples are left?", None),
        ("Round to 2 decimal places, then to 3 decimal places.", None),  # which?
        ("Round to the nearest hundred.", None),  # no decimal places
    ],
)
def test_the_places_a_question_asks_for(question: str, places: int | None) -> None:
    assert asked_places(question) == places


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("-sqrt(265)/15,sqrt(265)/15", "-1.0853,1.0853"),  # sympy's exact roots
        ("-sqrt(265)/15, sqrt(265)/15", "-1.0853, 1.0853"),
        ("[-sqrt(265)/15, sqrt(265)/15]", "[-1.0853, 1.0853]"),
        ("[-1.07345044014671]", "[-1.0735]"),  # a list of one root (sympy's evalf)
        ("(sqrt(2))", "1.4142"),  # a closed form in parentheses is one number
        ("[-1.0735]", None),
        ("[x]", None),
        ("\\frac{\\sqrt{265}}{15}", "1.0853"),
        ("2*pi", "6.2832"),
        ("17/24", "0.7083"),
        ("17/4", "4.25"),  # exact in fewer places: no zeros added
        ("1.08525", "1.0853"),  # half up, as written (a float would hold 1.0852499...)
        ("1.085249", "1.0852"),
        ("0.7083 0.12345", "0.7083 0.1235"),
        ("-1.08525 and 1.08525", "-1.0853 and 1.0853"),  # its separators kept
        ("-0.7868 and 0.7868", None),
        ("1.25 3.333333\n0.5 2", "1.25 3.3333\n0.5 2"),  # a matrix's rows
        ("1.25 3.333333\nx 2", None),
        ("-0.00001", "0.0000"),
        ("-1.0853, 1.0853", None),  # written so already
        ("2", None),
        ("0.5", None),
        ("12,500", None),  # a whole number grouped in thousands
        ("twelve", None),
        ("58.3%", None),  # no plain number
        ("11:47", None),
        ("x = 5", None),
        ("sqrt(-1)", None),  # no real number
        ("9**9**9", None),  # no closed form of the kind: never evaluated
        ("__import__('os')", None),
        ("", None),
    ],
)
def test_numbers_are_written_to_the_places_asked(value: str, written: str | None) -> None:
    assert in_asked_places(FOUR, value) == written


def test_nothing_is_written_where_no_places_are_asked() -> None:
    assert in_asked_places("Solve 45*z**2 = 53.", "-sqrt(265)/15") is None
    assert asked_key("Solve 45*z**2 = 53.") is answer_key


def test_the_vote_counts_a_number_in_any_form_as_the_one_asked_for() -> None:
    key = asked_key(FOUR)
    forms = ["-sqrt(265)/15, sqrt(265)/15", "-1.0853, 1.0853", "[-1.08525, 1.0852547]"]
    assert len({key(form) for form in forms}) == 1
    assert key("[-1.07345044014671]") == key("-1.0735")
    assert key("-1.0853, 1.0854") != key(forms[0])
    assert answer_key(forms[0]) != answer_key(forms[1])  # only where the places are asked


SYMPY_ROOTS = (
    "```python\nfrom sympy import solve, symbols\nz = symbols('z')\n"
    "print(', '.join(str(root) for root in solve(53 - 45*z**2, z)))\n```"
)


def test_auto_counts_exact_roots_and_decimals_as_one_answer_written_as_asked(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel([SYMPY_ROOTS, "```python\nprint('-1.0853, 1.0853')\n```"])
    trace = Solver(model, kernel, mode="auto").solve(FOUR)
    assert trace.samples == 2  # the two programs agree: no escalation, no restating turn
    assert len(model.calls) == 1
    assert trace.answer.value == "-1.0853, 1.0853"
    assert trace.answer.source is AnswerSource.RESTATED
    assert "-sqrt(265)/15, sqrt(265)/15" in (trace.answer.detail or "")


def test_pots_vote_of_samples_is_written_to_the_places_asked(kernel: JupyterExecutor) -> None:
    programs = ["```python\nprint(17/24)\n```", "```python\nprint('17/24')\n```"]
    model = ScriptedModel([*programs, "```python\nprint(0.5)\n```"])
    trace = Solver(model, kernel, mode="pot", samples=3).solve(
        "What share is left? Round to 4 decimal places."
    )
    assert trace.answer.value == "0.7083"
    assert trace.vote is not None and trace.vote.counts[0].votes == 2


def test_a_sequence_written_to_the_places_gets_the_separator_asked_too(
    kernel: JupyterExecutor,
) -> None:
    code = "```python\nprint('-1.08525 and 1.08525')\n```"
    model = ScriptedModel([code, code])
    trace = Solver(model, kernel, mode="auto").solve(FOUR)
    assert trace.answer.value == "-1.0853, 1.0853"  # no turn needed to round it
