"""Answers a question cannot have: a negative number for "how many" or "how much".

A program that subtracts the wrong way round prints ``-20`` for "How many cups of feed
does she need to give in the final meal?", and two more programs sampled from the same
prompt make the same slip, so a vote keeps it. A count or an amount asked for with
"how many" or "how much" is not negative: none of the 1,040 such questions of GSM8K's
test set has a negative answer, nor any of 109 drawn from every reasoning-gym generator
(15 problems each, seed 5). So a program that prints one is sent back once, with that
said; a question that speaks of negatives itself (a negative number, "below zero",
"debt") is left alone, a program that prints a negative number again after the doubt
is believed, and a sample whose repairs give no answer keeps the doubted one (the 1.5B
answered the request once with programs of comments only).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pot.choices import question_choices
from pot.question_examples import copies_example, open_choice
from pot.tasks.numbers import read_whole_number

_ASKS_AMOUNT = re.compile(r"\bhow\s+(many|much)\b", re.IGNORECASE)
_NEGATIVES = re.compile(
    r"(?:^|[\s(\[=:,;])[-\u2212]\s?\$?\d"  # a negative number in the question itself
    r"|\bnegative\b|\bbelow (?:zero|0)\b|\bminus\b|\bdebts?\b|\bowes?\b|\bowed\b"
    r"|\bdeficit\b|\boverdrawn\b|\bloss(?:es)?\b|\bdecrease\b|\bdrop(?:ped|s)?\b"
    r"|\bnet change\b",
    re.IGNORECASE,
)


def negative_amount(question: str, value: str) -> str | None:
    """What ``question`` asks ("how many", "how much") when ``value`` is a negative number
    it cannot be, else None."""
    asked = _ASKS_AMOUNT.search(question)
    if asked is None or _NEGATIVES.search(question) is not None:
        return None
    number = read_whole_number(value)
    if number is None or number.value >= 0:
        return None
    return f"how {asked.group(1).lower()}"


_BROKEN_LIST = re.compile(r"(?P<sep>[×,;])\s*[×,;]|^\s*(?P<lead>[×,;])|(?P<end>[×,;])\s*$")
"""A separator with no item before or after it: ``2 ×  × 7 ×``, ``1, 2, 3,``, ``a,,b``."""


def broken_list(value: str) -> str | None:
    """How ``value``, one line of items one separator apart, is broken (an empty item,
    a separator at an end: a program joined its list wrongly, ``' × '.join(f + ' × ')``
    printed ``2 ×  × 7 ×``), else None. A separator inside brackets or quotes (``(13,)``,
    ``'a,'``) and an answer of several lines are not looked at."""
    if "\n" in value.strip() or re.search(r"[\[\](){}'\"]", value):
        return None
    found = _BROKEN_LIST.search(value)
    if found is None:
        return None
    if found.group("sep"):
        return f"an empty item between two {found.group('sep')!r}"
    if found.group("end"):
        return f"a {found.group('end')!r} with no item after it"
    return f"a {found.group('lead')!r} with no item before it"


def doubted_in_vote(question: str) -> Callable[[str], bool]:
    """Which answers a vote on ``question`` believes only where no other answer has a
    vote (:func:`~pot.consistency.vote`'s ``doubted``): the question's own example or
    template of its answer (:func:`~pot.question_examples.copies_example`), an answer
    that is none of the options it lists or names (:mod:`pot.choices`: a chain of
    thought answered ``No elephants are artists`` to "(Answer Yes or No)"), and a
    negative number for "how many" or "how much" (:func:`negative_amount`: two of the
    0.5B's programs printed ``-70`` for "how much is left over for Bob", again after
    the doubt, and won a tie), and a list with an empty item (:func:`broken_list`: two of
    the 1.5B's six samples printed ``2 ×  × 7 ×`` and won a tie), and an answer that
    leaves a choice of the question's template unmade (:func:`~pot.question_examples.open_choice`:
    ``David is a saint/sinner, and Harper is a sinner``)."""
    choices = question_choices(question)

    def doubted(value: str) -> bool:
        if choices is not None and not choices.holds(value):
            return True
        if broken_list(value) is not None:
            return True
        if open_choice(question, value) is not None:
            return True
        return copies_example(question, value) or negative_amount(question, value) is not None

    return doubted
