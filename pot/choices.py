"""The options of a multiple-choice question, and whether an answer is one of them.

A program that prints something that is none of the options (``None``, ``[]``, one of
the movies *in the question* instead of an option) has not answered a multiple-choice
question, however cleanly it ran: the 1.5B did so on 21 of 50 BIG-Bench Hard semantic
questions in ``coc``. Such a program is repaired, with the options named, like one that
printed nothing. Options are read as pot's BIG-Bench Hard judge reads them: lines
``(A) text`` with letters from A on, or ``- text`` lines after ``Options:``; or two
answers the question names in its words (``(Answer Yes or No)``: the 0.5B's programs
printed ``horses`` and ``No elephants are artists`` for a syllogism asked so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pot.tasks.judge_text import extract_choice
from pot.tasks.loaders import parse_options

_BULLET = re.compile(r"^[-*]\s+(.+?)\s*$")
_OPTIONS_LINE = re.compile(r"^options\s*:?\s*$", re.IGNORECASE)
_TWO_WAY = ({"yes", "no"}, {"valid", "invalid"}, {"true", "false"})
_WORD = r"[\"'“(]?(yes|no|true|false|valid|invalid)[\"'”)]?"
_NAMED_PAIR = re.compile(
    rf"(?i)\b(?:answer|respond|reply)(?:\s+(?:only|with|either|just))*\s*:?\s*{_WORD}"
    rf"\s*(?:\bor\b|/)\s*{_WORD}"
    r"|\((yes|no|true|false)\s*/\s*(yes|no|true|false)\)"
    r"|\b(True) if [^.\n]{1,200}?,? or (False) otherwise\b"
)
"""Two answers a question names in its words: ``(Answer Yes or No)``, ``(yes/no)``,
``return True if ..., or False otherwise``."""


@dataclass(frozen=True)
class Choices:
    """A question's options: lettered (``{"A": "text"}``) or plain words (``Yes``/``No``)."""

    letters: dict[str, str]
    words: tuple[str, ...] = ()

    def holds(self, answer: str) -> bool:
        """True when ``answer`` names one option: its letter, or its whole text."""
        if self.letters:
            return extract_choice(answer, self.letters) in self.letters
        words = {_plain(word) for word in self.words}
        if words in _TWO_WAY:  # a program computes yes/no as a boolean: True is Yes
            words |= {"true", "false", "yes", "no"}
        return _plain(answer) in words

    def named(self) -> str:
        """The options as a request names them: ``(A), (B), (C)`` or ``Yes, No``."""
        if self.letters:
            return ", ".join(f"({letter})" for letter in self.letters)
        return ", ".join(self.words)


def question_choices(question: str) -> Choices | None:
    """The options listed in ``question``, or None when it lists none (two at least)."""
    letters: dict[str, str] = {}
    for letter, text in parse_options(question).items():  # (A) ... lines, as BBH's judge
        if letter == chr(ord("A") + len(letters)):
            letters[letter] = text
    if len(letters) >= 2:
        return Choices(letters)
    lines = [line.strip() for line in question.splitlines()]
    for index, line in enumerate(lines):
        if _OPTIONS_LINE.match(line):
            words = []
            for after in lines[index + 1 :]:
                bullet = _BULLET.match(after)
                if bullet is None:
                    break
                words.append(bullet.group(1))
            if len(words) >= 2:
                return Choices({}, tuple(words))
    named = _NAMED_PAIR.search(question)
    if named is not None:
        first, second = (word for word in named.groups() if word is not None)
        if {first.casefold(), second.casefold()} in _TWO_WAY:
            return Choices({}, (first, second))
    return None


_POSITIVE = {"yes", "true", "valid"}
_NEGATIVE = {"no", "false", "invalid"}


def in_option_words(question: str, value: str) -> str | None:
    """``value``, a yes or a no of another pair (``False``, a program's boolean), as the
    question's own word for it (``No`` where it asks "(Answer Yes or No)"); None when the
    question names no such pair or ``value`` is already its word or no yes or no."""
    choices = question_choices(question)
    if choices is None or len(choices.words) != 2:
        return None
    if {_plain(word) for word in choices.words} not in _TWO_WAY:
        return None
    plain = _plain(value)
    wanted = _POSITIVE if plain in _POSITIVE else _NEGATIVE if plain in _NEGATIVE else None
    if wanted is None:
        return None
    word = next(word for word in choices.words if _plain(word) in wanted)
    return None if _plain(word) == plain else word


def _plain(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text).strip().casefold()
