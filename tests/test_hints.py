"""What an object has, said after an AttributeError on it: the hint's table, and the
repair request a real kernel's error leads to."""

from __future__ import annotations

import pytest

from pot.executors import JupyterExecutor
from pot.hints import MOST_NAMES, NEXT_HINT, NONE_HINT, error_hint
from pot.solver import Solver
from pot.testing import ScriptedModel


@pytest.mark.parametrize(
    ("message", "hint"),
    [
        (
            "'datetime.timedelta' object has no attribute 'strftime'",
            "Hint: a datetime.timedelta has days, max, microseconds, min, resolution, "
            "seconds, total_seconds()",
        ),
        ("'tuple' object has no attribute 'sort'", "Hint: a tuple has count(), index()"),
        ("'int' object has no attribute 'append'", "Hint: an int has as_integer_ratio(), "),
        ("type object 'collections.deque' has no attribute 'push'", "popleft()"),
        ("'NoneType' object has no attribute 'group'", NONE_HINT),
        ("'Person' object has no attribute 'age'", None),  # the program's own class
        ("'str' object has no attribute 'contains'", None),  # more names than a hint shows
        ("module 'math' has no attribute 'mul'", None),  # a module: too many names
        ("'fancylib.Thing' object has no attribute 'x'", None),  # never imported for a hint
    ],
)
def test_which_attribute_errors_get_which_hint(message: str, hint: str | None) -> None:
    found = error_hint("AttributeError", message)
    if hint is None:
        assert found is None
    else:
        assert found is not None and hint in found


def test_only_attribute_errors_get_it_and_long_lists_are_left_out() -> None:
    assert error_hint("TypeError", "'list' object has no attribute 'popleft'") is None
    assert error_hint("StopIteration", "") == NEXT_HINT  # next() found nothing
    assert error_hint("StopIteration", "3") is None  # a generator's return value
    assert len(dir(str)) > MOST_NAMES


def test_the_repair_request_says_what_the_object_has(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        [
            "```python\nfrom datetime import datetime\n"
            "d = datetime(2026, 1, 1, 22, 19) - datetime(2026, 1, 1, 10, 32)\n"
            "print(d.strftime('%H:%M'))\n```",
            "```python\nminutes = d.seconds // 60\n"
            "print(f'{minutes // 60}:{minutes % 60:02}')\n```",
        ]
    )
    trace = Solver(model, kernel, mode="pot").solve(
        "How long is it from 10:32 to 22:19? Answer in HH:MM."
    )
    repair = model.calls[1].conversations[0][-1].content
    assert "AttributeError" in repair
    assert "Hint: a datetime.timedelta has days" in repair and "total_seconds()" in repair
    assert trace.answer.normalized == "11:47"
