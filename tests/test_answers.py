"""Answer finding and normalisation tables."""

from __future__ import annotations

import pytest

from pot.answers import (
    AnswerSource,
    answer_key,
    find_answer,
    is_empty_answer,
    is_object_repr,
    normalize_answer,
    printed_answer,
)
from pot.executors import JupyterExecutor
from pot.sequences import number_sequence
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Answer

FOUND = [
    ("So she makes \\boxed{18} dollars.", "18", AnswerSource.BOXED),
    ("\\boxed{\\frac{1}{2}} and later \\boxed{3}", "3", AnswerSource.BOXED),
    ("\\boxed{x^{2}+1}", "x^{2}+1", AnswerSource.BOXED),
    ("The answer is 42.", "42", AnswerSource.ANSWER_IS),
    ("So the final answer is: (B). Done.", "(B)", AnswerSource.ANSWER_IS),
    ("Answer: 3.5", "3.5", AnswerSource.ANSWER_IS),
    ("the answer is **Yes**", "**Yes**", AnswerSource.ANSWER_IS),
    # whole answers, in the format the question asks for
    ("\\boxed{\\text{Owen is a sage}}", "Owen is a sage", AnswerSource.BOXED),
    (
        "\\boxed{\\text{Owen is a sage}, \\text{Sofia is a fool}}",
        "Owen is a sage, Sofia is a fool",
        AnswerSource.BOXED,
    ),
    ("\\boxed{\\textbf{(C)}}", "(C)", AnswerSource.BOXED),
    ("\\boxed{\\frac{1}{2}\\text{ cm}}", "\\frac{1}{2}\\text{ cm}", AnswerSource.BOXED),
    (
        "The answer is: Owen is a sage, and Sofia is a fool.",
        "Owen is a sage, and Sofia is a fool",
        AnswerSource.ANSWER_IS,
    ),
    ("The answer is {joseph: daniel}.", "{joseph: daniel}", AnswerSource.ANSWER_IS),
    ("The answer is 03:10:44.", "03:10:44", AnswerSource.ANSWER_IS),
    ("The answer is [1, 2, 3]. Done.", "[1, 2, 3]", AnswerSource.ANSWER_IS),
    ("The answer is Mr. Smith.", "Mr. Smith", AnswerSource.ANSWER_IS),
    ("**Final answer:**\n\n42", "42", AnswerSource.ANSWER_IS),
]


@pytest.mark.parametrize(("text", "value", "source"), FOUND)
def test_find_answer(text: str, value: str, source: AnswerSource) -> None:
    found = find_answer(text)
    assert found is not None
    assert (found.value, found.source) == (value, source)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I am not sure.",
        "\\boxed{}",
        "The answer is",
        # a placeholder copied from the instructions is no answer
        "The final answer is \\boxed{answer}.",
        "\\boxed{\\text{Final Answer}}",
        "The answer is: your answer",
        "Answer: ...",
        # an answer box that never closed
        "The final answer is \\boxed{Hmm, let me think",
        # a code block announced, not an answer (a chain of thought of the 0.5B)
        "Let's implement this in Python to get the answer:\n\n```python\nprint(1)\n```",
    ],
)
def test_find_no_answer(text: str) -> None:
    assert find_answer(text) is None


PRINTED = [
    ("18\n", None, "18"),
    ("step 1\nstep 2\n42\n\n", None, "42"),
    ("Total cost: $18\n", None, "$18"),
    ("x = 5\n", None, "5"),
    ("10:30\n", None, "10:30"),
    ("", "Rational(1, 2)", "Rational(1, 2)"),
    ("The answer is 7\n", None, "7"),
    # the last printed line is the answer: a debug line before it never wins
    ("answer = 41\n42\n", None, "42"),
    ("The answer is 41\n42\n", None, "42"),
    ("\\boxed{41}\nchecking...\n42\n", None, "42"),
    ("answer = 41\n", None, "41"),
    ("Answer: 42\n\n  \n", None, "42"),
    ("debug 1\nThe final answer is: 42\n", None, "42"),
    ("\\boxed{\\text{Owen is a sage}}\n", None, "Owen is a sage"),
    # answers come back whole
    ("{joseph: daniel}\n", None, "{joseph: daniel}"),
    ("{'joseph': 'daniel'}\n", None, "{'joseph': 'daniel'}"),
    ("03:10:44\n", None, "03:10:44"),
    ("Time: 03:10:44\n", None, "03:10:44"),
    ("The time is 03:10:44\n", None, "The time is 03:10:44"),
    ("Owen is a sage, and Sofia is a fool\n", None, "Owen is a sage, and Sofia is a fool"),
    ("Answer: Owen is a sage, and Sofia is a fool\n", None, "Owen is a sage, and Sofia is a fool"),
    ("x = 5, y = 6\n", None, "x = 5, y = 6"),
    ("The answer is E=1,F=2,G=5.\n", None, "E=1,F=2,G=5"),  # a statement, not a label
    ("The answer is x = 5\n", None, "x = 5"),
    ("Owen: sage, Sofia: fool\n", None, "Owen: sage, Sofia: fool"),
    ("x == 5\n", None, "x == 5"),
    ("Result: [3, 1, 2]\n", None, "[3, 1, 2]"),
    # a list or array printed over several lines
    ("step 1\n[[1 2]\n [3 4]]\n", None, "[[1 2]\n [3 4]]"),
    ("{'a': 1,\n 'b': 2}\n", None, "{'a': 1,\n 'b': 2}"),
    ("Answer: [[1, 2],\n [3, 4]]\n", None, "[[1, 2],\n [3, 4]]"),
    ("done :)\n", None, "done :)"),
]


@pytest.mark.parametrize(("stdout", "result", "value"), PRINTED)
def test_printed_answer(stdout: str, result: str | None, value: str) -> None:
    found = printed_answer(stdout, result)
    assert found is not None
    assert found.value == value


def test_printed_answer_sources() -> None:
    assert printed_answer("Answer: 42\n").source is AnswerSource.ANSWER_IS  # type: ignore[union-attr]
    assert printed_answer("answer = 41\n42\n").source is AnswerSource.PRINTED  # type: ignore[union-attr]
    assert printed_answer("x\n\\boxed{7}\n").source is AnswerSource.BOXED  # type: ignore[union-attr]


def test_a_boxed_sentence_keeps_its_full_stop_a_stated_one_does_not() -> None:
    boxed = Answer.found(find_answer("So: \\boxed{He left.}"))  # type: ignore[arg-type]
    stated = Answer.found(find_answer("The answer is He left."))  # type: ignore[arg-type]
    assert (boxed.normalized, stated.normalized) == ("He left.", "He left")


def test_the_empty_string_is_an_answer_not_a_placeholder() -> None:
    found = find_answer("So f returns \\boxed{''}.")
    assert found is not None and found.value == "''"


def test_nothing_printed() -> None:
    assert printed_answer("", None) is None
    assert printed_answer("  \n", "  ") is None


NORMALIZED = [
    ("18", "18"),
    ("18.0", "18"),
    ("18.50", "18.50"),  # written to two places: kept (Python prints no float so)
    ("0.980", "0.980"),
    ("5.00", "5"),  # a whole number's zeros go
    ("2.50000000000000", "2.5"),  # sympy's Float: fifteen digits, not places asked for
    ("1\\frac{4}{5}", "9/5"),  # a mixed number (MATH writes them so), not 14/5
    ("3\\dfrac{1}{4}", "13/4"),
    ("$1,234", "1234"),
    ("1,234.5 dollars", "1234.5"),
    ("-3", "-3"),
    ("25%", "25"),
    ("\\boxed{42}", "42"),
    ("$\\frac{3}{4}$", "3/4"),
    ("6/8", "3/4"),
    ("\\text{Yes}", "Yes"),
    ("'valid'", "valid"),
    ("(b)", "(B)"),
    ("C)", "(C)"),
    ("True.", "True"),
    ("05/01/2021", "05/01/2021"),
    ("  x^2 +   1 ", "x^2 + 1"),
    ("0 4\n8 9", "0 4\n8 9"),  # the rows of a grid stay rows
    ("  Move disk 1 \n\n Move  disk 2\n", "Move disk 1\nMove disk 2"),
    # numbers read as the judges read them
    ("5 1/2", "11/2"),
    ("-$5", "-5"),
    ("1\\,000", "1000"),
    ("1.2 \\times 10^6", "1200000"),
    ("10^3", "1000"),
    ("eighteen", "18"),
    ("1010_2", "1010_2"),
    ("0.125", "0.125"),
    ("1e-7", "0.0000001"),
    ("2x", "2x"),
    # a float's rounding noise goes; digits a person wrote stay
    ("0.30000000000000004", "0.3"),
    ("1929.0190000000002", "1929.019"),
    ("2.9999999999999996", "3"),
    ("-0.9999999999999999", "-1"),
    ("12.000000000000002 dollars", "12"),
    ("[0.30000000000000004, 2]", "[0.3, 2]"),
    ("0.3333333333333333", "0.3333333333333333"),
    ("1.0000000001", "1.0000000001"),
    ("3.1415926535897", "3.1415926535897"),
    # everything else keeps its form
    ("3-4", "3-4"),
    ("{joseph: daniel}", "{joseph: daniel}"),
    ("03:10:44", "03:10:44"),
    ("[1, 2, 3]", "[1, 2, 3]"),
    ("Owen is a sage, and Sofia is a fool.", "Owen is a sage, and Sofia is a fool"),
    ("\\text{Owen is a sage}", "Owen is a sage"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "normalized"), NORMALIZED)
def test_normalize_answer(raw: str, normalized: str) -> None:
    assert normalize_answer(raw) == normalized


@pytest.mark.parametrize(
    ("raw", "stated", "printed"),
    [
        ("A discussion was going on.", "A discussion was going on", "A discussion was going on."),
        (
            '"  "That\'s it," added Peer.',
            '" "That\'s it," added Peer',
            '"  "That\'s it," added Peer.',
        ),
        ("3   7\n  ∨\n\n4 < 2", "3 7\n∨\n4 < 2", "3   7\n  ∨\n\n4 < 2"),
        ("42.", "42", "42"),
        ("Yes.", "Yes", "Yes"),  # a single word ends in no full stop
        ("$5.", "5", "5"),
    ],
)
def test_a_printed_answer_keeps_its_spaces_and_full_stop(
    raw: str, stated: str, printed: str
) -> None:
    """A line a program printed is its answer as printed (a sentence's full stop, a board's
    aligned columns); in the model's prose the full stop ends the sentence."""
    assert normalize_answer(raw) == stated
    assert normalize_answer(raw, as_written=True) == printed
    assert answer_key(raw) == answer_key(printed)  # votes count them as one answer


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("'Yes'", "Yes"),
        ("**'Yes'**", "Yes"),
        ("'001'", "001"),  # a string of digits, not the number 1
        ("'5*83*23***'", "5*83*23***"),  # every character of the string
        ('"He left."', "He left."),
        ("'  7  '", "'  7  '"),  # spaces at its edges: the literal as written
        ("'a\\nb\\n'", "'a\\nb\\n'"),
        ("''", "''"),
    ],
)
def test_a_quoted_string_is_taken_whole(raw: str, normalized: str) -> None:
    assert normalize_answer(raw) == normalized
    assert normalize_answer(raw, as_written=True) == normalized


@pytest.mark.parametrize(
    ("printed", "meant"),
    [
        ("[np.float64(0.5), np.int64(3)]", "[0.5, 3]"),  # NumPy 2 prints its scalars so
        ("(np.int64(3), np.int64(41))", "(3, 41)"),
        ("np.float64(2.5)", "2.5"),
        ("[np.str_('a'), np.str_('b')]", "['a', 'b']"),
        ("np.True_", "True"),
        ("[Fraction(3, 4), Fraction(6, 1)]", "[3/4, 6]"),
        ("Decimal('1.50')", "1.50"),
        ("f(3, 4)", "f(3, 4)"),  # anything else as it is
    ],
)
def test_a_value_printed_with_its_type_is_the_value(printed: str, meant: str) -> None:
    assert normalize_answer(printed, as_written=True) == meant


def test_a_list_of_numpy_scalars_comes_back_as_the_list(kernel: JupyterExecutor) -> None:
    code = "import numpy as np\nprint(list(np.array([3, 41])))"  # [np.int64(3), np.int64(41)]
    trace = Solver(ScriptedModel([f"```python\n{code}\n```"]), kernel, mode="pot").solve(
        "Which primes divide 123?"
    )
    assert trace.answer.normalized == "[3, 41]"


@pytest.mark.parametrize(
    ("value", "empty"),
    [
        ("[]", True),
        ("[ ]", True),
        ("{}", True),
        ("()", True),
        ("set()", True),
        ("None", True),
        ("nan", True),
        ("EmptySet", True),
        ("0", False),
        ("[0]", False),
        ("False", False),
        ("none of them", False),
        ("{x: 4}", False),
    ],
)
def test_empty_results_are_told_apart_from_answers(value: str, empty: bool) -> None:
    assert is_empty_answer(value) is empty


def test_answer_keys_are_exact_for_numbers_and_fold_case() -> None:
    assert answer_key("0.5") == answer_key("1/2") == answer_key("\\frac{1}{2}")
    assert answer_key("1,000") == answer_key("1000.00")
    assert answer_key("Yes") == answer_key("yes")
    assert answer_key("(A)") == answer_key("(a)")
    assert answer_key("0.33") != answer_key("1/3")
    assert answer_key("0.30000000000000004") == answer_key("0.3")  # 0.1 + 0.2, printed
    assert answer_key("-1020*z**4 + 3139*z**2") == answer_key("-1020*z^4 + 3139*z^2")
    assert answer_key("z**4") != answer_key("z*4")
    assert answer_key("[[1, 2],\n [3, 4]]") == answer_key("[[1, 2], [3, 4]]")
    assert answer_key("5.5") == answer_key("5 1/2") == answer_key("\\frac{11}{2}")
    assert answer_key("-$5") == answer_key("-5.0")
    assert answer_key("eighteen") == answer_key("18")
    assert answer_key("1000001") != answer_key("1000000")


def test_statements_joined_in_any_order_are_one_answer() -> None:
    # two of the 1.5B's samples wrote one knights-and-knaves answer in two orders
    one = "Victoria is a fool, and Sophia is a sage"
    assert answer_key(one) == answer_key("Sophia is a sage, and Victoria is a fool")
    assert answer_key(one) == answer_key("victoria is a fool and Sophia is a sage.")
    assert answer_key(one) != answer_key("Victoria is a sage, and Sophia is a fool")
    assert answer_key("3, 41") != answer_key("41, 3")  # a list keeps its order
    assert answer_key("red, green") != answer_key("green, red")  # no statements


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("17.666666666666664", "17.666666666666667"),  # two programs' roundings of 53/3
        ("17.666666666666664", "53/3"),
        ("0.3333333333333333", "1/3"),
        ("-2.9999999999999996", "-3"),
        ("3.141592653589793", "3.14159265358979"),  # pi, to 16 and 15 digits
        ("[0.3333333333333333, 2]", "1/3, 2"),
    ],
)
def test_a_float_printed_in_full_votes_with_the_value_it_stands_for(one: str, other: str) -> None:
    assert answer_key(one) == answer_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("17.6667", "53/3"),  # rounded by hand: another answer unless places are asked
        ("0.333333", "1/3"),
        ("3.14159265358979", "3.14159265358"),
        ("1.4142135623730951", "1393/985"),  # near a small fraction, not within rounding
        ("1234567890123456", "1234567890123457"),  # whole numbers stay exact
    ],
)
def test_numbers_not_printed_as_full_floats_stay_exact(one: str, other: str) -> None:
    assert answer_key(one) != answer_key(other)


def test_numbers_printed_one_after_another_are_one_list_to_the_vote() -> None:
    listed = answer_key("[-0.7868, 0.7868]")
    assert answer_key("-0.7868 0.7868") == answer_key("-0.7868 and 0.7868") == listed
    assert answer_key("3 41") == answer_key("(3, 41)") != answer_key("3 × 41")  # a product
    assert answer_key("1 000") != answer_key("[1, 0]")  # a number grouped in thousands
    assert answer_key("3 cats and 4 dogs") != answer_key("3, 4")  # words: no sequence


@pytest.mark.parametrize(
    ("text", "times", "numbers"),
    [
        ("2 2 2 2 7", False, ["2", "2", "2", "2", "7"]),
        ("-0.7868 and 0.7868", False, ["-0.7868", "0.7868"]),
        ("1; 2;  3", False, ["1", "2", "3"]),
        ("2 × 7", True, ["2", "7"]),
        ("2 × 7", False, None),
        ("1 000 000", False, None),  # thousands
        ("12,500", False, None),
        ("42", False, None),  # one number is no sequence
        ("5 1/2", False, None),
        ("3 cats and 4 dogs", False, None),
        ("[1, 2]", False, None),  # a Python list is read as one elsewhere
        ("1 2\n3 4", False, None),  # a grid's rows
    ],
)
def test_a_sequence_of_numbers_is_read_as_written(
    text: str, times: bool, numbers: list[str] | None
) -> None:
    assert number_sequence(text, times=times) == numbers


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("[3, 41]", "3, 41"),
        ("(2, 3)", "2, 3"),
        ("['apple', 'kiwi']", "apple, kiwi"),
        ("[1, 2.0]", "1, 2"),
        ("x = 5", "5"),
        ("total = $1,000", "1000"),
        ("A", "(A)"),
        ("03:10:44", "3:10:44"),
        ("00:30", "0:30"),
        ("3*41", "3 \\times 41"),
        ("2 × 3 × 7", "2*3*7"),
    ],
)
def test_votes_group_one_answer_written_the_ways_programs_print_it(one: str, other: str) -> None:
    assert answer_key(one) == answer_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("[3, 41]", "[41, 3]"),  # order is kept: a ranking is not a set
        ("{3: 1, 41: 1}", "3, 41"),  # a dict keeps its form
        ("[[1, 2], [3]]", "1, 2, 3"),  # nesting too
        ("x = 5", "x == 5"),  # a comparison is no assignment
        ("3 × 41", "123"),  # a factorisation is not its product
        ("10:30", "1:030"),
    ],
)
def test_different_answers_keep_different_keys(one: str, other: str) -> None:
    assert answer_key(one) != answer_key(other)


@pytest.mark.parametrize(
    ("value", "an_object"),
    [
        ("<built-in function print>", True),
        ("<function print(*args, sep=' ', end='\\n', file=None, flush=False)>", True),
        ("<function solve at 0x7f3a2c1b5e40>", True),
        ("<generator object <genexpr> at 0x7f3a2c1b5e40>", True),
        ("<bound method Counter.most_common of Counter({'a': 2})>", True),
        ("<class 'int'>", True),
        ("<module 'math' (built-in)>", True),
        ("<__main__.Person object at 0x7f3a2c1b5e40>", True),
        ("<3", False),
        ("<b>bold</b>", False),
        ("x < 5", False),
        ("<0, 1>", False),
        ("18", False),
    ],
)
def test_printed_objects_are_told_apart_from_answers(value: str, an_object: bool) -> None:
    assert is_object_repr(value) is an_object
