"""A name written in the wrong case, or an integer with leading zeros, is mended by pot,
never by guesswork."""

from __future__ import annotations

from pot.executors import ErrorInfo, JupyterExecutor
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.typos import case_mended, mended, zeros_mended

AGES = (
    "samantha_age = 31\nson_age = 23\nyears = Samantha_age - son_age  # Samantha_age\nprint(years)"
)


def name_error(value: str) -> ErrorInfo:
    return ErrorInfo(name="NameError", value=value, traceback="")


def test_a_name_in_the_wrong_case_is_renamed_with_a_note() -> None:
    error = name_error("name 'Samantha_age' is not defined. Did you mean: 'samantha_age'?")
    mended = case_mended(AGES, error)
    assert mended == (
        "# pot renamed Samantha_age to samantha_age (NameError)\n"
        "samantha_age = 31\nson_age = 23\nyears = samantha_age - son_age  # Samantha_age\n"
        "print(years)"
    )


def test_only_names_are_renamed_not_attributes_or_strings() -> None:
    code = "total = 3\nprint('Total', obj.Total, Total)"
    mended = case_mended(code, name_error("name 'Total' is not defined. Did you mean: 'total'?"))
    assert mended is not None
    assert mended.endswith("print('Total', obj.Total, total)")


def test_nothing_is_mended_without_a_case_only_suggestion() -> None:
    assert case_mended(AGES, None) is None
    assert case_mended(AGES, name_error("name 'Samantha_age' is not defined")) is None
    other = name_error("name 'total_cst' is not defined. Did you mean: 'total_cost'?")
    assert case_mended("total_cost = 1\nprint(total_cst)", other) is None
    attribute = ErrorInfo(name="AttributeError", value="no attribute 'Sqrt'", traceback="")
    assert case_mended("math.Sqrt(2)", attribute) is None
    assert case_mended("x = (", name_error("name 'X' is not defined. Did you mean: 'x'?")) is None


def test_pot_runs_the_renamed_program_as_its_next_step(kernel: JupyterExecutor) -> None:
    """The real kernel's suggestion drives it; the model is not asked in between."""
    model = ScriptedModel([f"```python\n{AGES}\n```"])
    trace = Solver(model, kernel).solve("How old?")
    assert trace.answer.normalized == "8"
    first, mended = trace.code_steps
    assert first.execution.error is not None and "Did you mean" in first.execution.error.value
    assert mended.code.startswith("# pot renamed Samantha_age to samantha_age")
    assert mended.completion_tokens == 0 and len(model.calls) == 1


DATES = (
    "from datetime import date\n"
    "days = (date(2153, 05, 09) - date(2153, 03, 17)).days  # from 03-17\n"
    "print(days, '05', 0.05, 00, 0o7)"
)
ZEROS = ErrorInfo(
    name="SyntaxError",
    value="leading zeros in decimal integer literals are not permitted; use an 0o prefix "
    "for octal integers (1234.py, line 2)",
    traceback="",
)


def test_leading_zeros_are_removed_from_integers_only() -> None:
    assert zeros_mended(DATES, ZEROS) == (
        "# pot removed the leading zeros of 05, 09, 03 (SyntaxError)\n"
        "from datetime import date\n"
        "days = (date(2153, 5, 9) - date(2153, 3, 17)).days  # from 03-17\n"
        "print(days, '05', 0.05, 00, 0o7)"  # strings, floats, zero, octal: as written
    )
    assert mended(DATES, ZEROS) == zeros_mended(DATES, ZEROS)
    other = ErrorInfo(name="SyntaxError", value="invalid syntax", traceback="")
    assert zeros_mended(DATES, other) is None and zeros_mended(DATES, None) is None
    assert zeros_mended("print(00)", ZEROS) is None  # nothing to mend


def test_pot_runs_the_program_without_leading_zeros(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([f"```python\n{DATES}\n```"])
    trace = Solver(model, kernel, mode="pot").solve("How many days from 17 March to 9 May?")
    assert trace.answer.value is not None and trace.answer.value.startswith("53 ")
    first, mended_step = trace.code_steps
    assert first.execution.error is not None and first.execution.error.name == "SyntaxError"
    assert mended_step.code.startswith("# pot removed the leading zeros")
    assert len(model.calls) == 1
    plain = Solver(ScriptedModel([f"```python\n{DATES}\n```"]), kernel, mode="plain")
    assert plain.solve("How many days?").answer.value is None  # the baseline never mends
