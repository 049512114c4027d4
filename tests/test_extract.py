"""Code extraction from model replies."""

from __future__ import annotations

import pytest

from pot.extract import extract_code, find_code_blocks

CASES = [
    ("```python\nprint(1)\n```", "print(1)"),
    ("```py\nprint(2)\n```", "print(2)"),
    ("```Python3\nprint(3)\n```", "print(3)"),
    ("Some prose.\n```python\nx = 1\nprint(x)\n```\nThe answer is 1.", "x = 1\nprint(x)"),
    # a draft and a corrected version: the last block wins
    ("```python\nprint(1/0)\n```\nOops.\n```python\nprint(1)\n```", "print(1)"),
    # cut by a stop string or the token limit: the unclosed block is taken
    ("Let me compute.\n```python\nx = 6 * 7\nprint(x)\n", "x = 6 * 7\nprint(x)"),
    # the model wrote its own output block: never code, never trusted
    ("```python\nprint(5)\n```\n```output\n6\n```", "print(5)"),
    ("```python\nprint(5)\n```\n```\n6\n```", "print(5)"),
    ("```python\nprint(5)\n```\n```text\nresult = 6\n```", "print(5)"),
    # a bare fence holding real code counts
    ("```\nx = 2\nprint(x)\n```", "x = 2\nprint(x)"),
    ("  ```python  \n  y = 3\n```", "  y = 3"),
]


@pytest.mark.parametrize(("reply", "code"), CASES)
def test_extract_code(reply: str, code: str) -> None:
    block = extract_code(reply)
    assert block is not None
    assert block.code == code


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "The answer is 42.",
        "```output\n42\n```",
        "```\n42\n```",
        "```python\n\n```",
        '```json\n{"a": 1}\n```',
    ],
)
def test_no_code(reply: str) -> None:
    assert extract_code(reply) is None


def test_first_block_for_multi_step_replies() -> None:
    reply = "```python\na = 1\n```\nthen\n```python\nprint(a + 1)\n```"
    first = extract_code(reply, "first")
    assert first is not None
    assert first.code == "a = 1"
    assert reply[first.start : first.end] == "```python\na = 1\n```"


def test_block_positions_and_closed_flag() -> None:
    reply = "text\n```python\nx = 1\n```\nmore\n```python\ny = 2"
    blocks = find_code_blocks(reply)
    assert [block.closed for block in blocks] == [True, False]
    assert blocks[0].start == reply.index("```python")
    assert blocks[1].end == len(reply)
