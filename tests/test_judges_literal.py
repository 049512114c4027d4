"""The CRUXEval judge: Python values compared after literal_eval."""

from __future__ import annotations

import pytest

from pot.tasks import judge_literal

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
