"""Stop strings and the repetition check, on tables of cases."""

from __future__ import annotations

import pytest

from pot.models.stops import cut_at_stop, repeating

LOOP = "# Total distance\ntotal = distance + distance\n\n"


@pytest.mark.parametrize(
    ("text", "times", "expected"),
    [
        (LOOP * 4, 4, True),  # a 2-line block (blank lines ignored), 4 times
        (LOOP * 3, 4, False),
        (LOOP * 3 + "# Total dist", 4, False),  # the line being written does not count
        ("x = compute(x)\n" * 4, 4, True),  # a single line
        ("Sorted: apple, " + "vacuum, " * 16, 4, True),  # a phrase inside one line
        ("Sorted: apple, " + "vacuum, " * 16 + "vac", 4, True),  # cut anywhere
        ("Sorted: apple, " + "vacuum, " * 12, 4, False),  # not 16 times yet
        ("x = [" + "0, " * 100, 4, False),  # no letters: data, not a loop
        ("-" * 200, 4, False),
        ("The words are: " + ", ".join(f"word{i}" for i in range(60)), 4, False),
        ("a = 1\nb = 2\nc = 3\nd = 4\n" * 4, 4, True),  # a 4-line block
        ("a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n" * 4, 4, False),  # 5 lines: not looked for
        (")\n" * 10, 4, False),  # too short to mean anything
        ("print('-' * 20)\nprint('=' * 20)\n" * 2, 4, False),
        ("total = 0\nfor i in range(3):\n    total += i\nprint(total)\n", 4, False),
        (LOOP * 10, 0, False),  # 0 and 1 never stop
        (LOOP * 10, 1, False),
        ("", 4, False),
    ],
)
def test_repeating(text: str, times: int, expected: bool) -> None:
    assert repeating(text, times) is expected


@pytest.mark.parametrize(
    ("text", "stop", "expected"),
    [
        ("print(1)\n```output\n1", ["```output"], ("print(1)\n", "```output")),
        ("a STOP b END", ["END", "STOP"], ("a ", "STOP")),  # the earliest wins
        ("no stop here", ["```output"], ("no stop here", None)),
        ("empty stop", [""], ("empty stop", None)),
    ],
)
def test_cut_at_stop(text: str, stop: list[str], expected: tuple[str, str | None]) -> None:
    assert cut_at_stop(text, stop) == expected
