"""The form a question spells out for its answer with a template: ``HH:MM``,
``YYYY-MM-DD``, ``HH:MM:SS.mmm``, or a quoted sentence with words to choose from
(``Format your answer like: "Ella is a hero/villain, and Lily is a hero/villain"``).

A program may print the right value in another form. A duration in units
(``5.866666666666666 hours``, ``352 minutes``, a ``timedelta``'s ``5:52:00``) where the
question asks for a clock is written in it by exact arithmetic (:func:`in_asked_clock`)
once it has won the vote: a restating turn converting it in the model's head may slip
(the 1.5B restated ``5.8667`` hours as ``5:54``). In the vote it is its number: it votes
with a bare ``5.8667`` (the 0.5B's ``32828.48 seconds`` and ``32828.48``), and against
a clock; where the two tie, the one already in the question's form wins
(:func:`~pot.consistency.vote`'s ``preferred``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

from pot.question_examples import FORMAT_START, QUOTED, example_spans

_FIELD = r"(?:HH|hh|H|MM|mm|M|SS|ss|S|YYYY|YY|DD|D|mmm|sss|fff)"
_TEMPLATE = re.compile(rf"(?<![A-Za-z]){_FIELD}(?:[:/.\-]{_FIELD})+(?![A-Za-z])")
"""A template of date or time fields joined by ``:``, ``/``, ``.`` or ``-``."""


def asked_template(question: str) -> re.Pattern[str] | None:
    """The pattern of the answers that fill the template ``question`` gives (``HH:MM`` is
    one or two digits, a colon, two digits), or None where it gives none."""
    found = _TEMPLATE.search(question)
    if found is None:
        return None
    parts = re.split(r"([:/.\-])", found.group(0))
    fields = [
        re.escape(part) if index % 2 else rf"\d{{{1 if index == 0 else len(part)},{len(part)}}}"
        for index, part in enumerate(parts)
    ]
    return re.compile("".join(fields))


_CHOICES = re.compile(r"[A-Za-z][\w'-]*(?:/[A-Za-z][\w'-]*)+")
"""Words a template offers to choose from: ``hero/villain``, ``yes/no``."""
_ARTICLE = re.compile(r"\b(?:a|an)\s+$", re.IGNORECASE)


def template_with_choices(question: str) -> re.Pattern[str] | None:
    """The answers that fill in a quoted template the question gives of its answer whose
    blanks are words to choose from (``Format your answer like: "Ella is a hero/villain,
    and Lily is a hero/villain"``): each ``a/b`` one of its words, the rest as quoted
    (any case and spacing, ``a`` or ``an`` before a choice, a full stop at the end or
    not); None where it quotes none."""
    for start, end in example_spans(question, FORMAT_START):
        for quoted in QUOTED.finditer(question[start:end]):
            text = quoted.group(1) or quoted.group(2)
            if _CHOICES.search(text) is None:
                continue
            pattern, last = "", 0
            for choice in _CHOICES.finditer(text):
                before = text[last : choice.start()]
                article = _ARTICLE.search(before)  # "a altruist/egoist": "an egoist" fills it
                pattern += (
                    _spaced(before[: article.start()]) + r"an?\s+" if article else _spaced(before)
                )
                pattern += "(?:" + "|".join(map(re.escape, choice.group(0).split("/"))) + ")"
                last = choice.end()
            return re.compile(pattern + _spaced(text[last:].rstrip(".")) + r"\.?", re.IGNORECASE)
    return None


def _spaced(text: str) -> str:
    """``text`` as a pattern, any run of spaces matching any other."""
    return r"\s+".join(map(re.escape, re.split(r"\s+", text)))


def in_asked_form(question: str) -> Callable[[str], bool] | None:
    """Whether an answer fills the template ``question`` gives for its answer (a date or
    time, or a sentence with words to choose from); None where it gives none."""
    found = (asked_template(question), template_with_choices(question))
    templates = [template for template in found if template is not None]
    if not templates:
        return None
    return lambda value: any(template.fullmatch(value.strip()) for template in templates)


_CLOCK_TEMPLATE = re.compile(
    r"(?<![A-Za-z])(?:(?P<days>D+\s+days?,?\s*))?(?:HH|hh|H)(?::(?:MM|mm|M))"
    r"(?::(?:SS|ss|S))?(?:\.(?:mmm|sss|fff))?(?![A-Za-z])"
)
"""A duration or time of day asked as a clock: ``HH:MM``, ``H:MM:SS``, ``HH:MM:SS.mmm``,
``D days, HH:MM:SS``."""
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_AMOUNT = r"(\d+(?:\.\d+)?)\s*(days?|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![A-Za-z])"
"""A number and its unit of time (the unit's first letter says which)."""
_AMOUNTS = re.compile(rf"\s*{_AMOUNT}(?:\s*,?\s*(?:and\s+)?{_AMOUNT})*\s*\.?\s*", re.IGNORECASE)
"""One or more of them: ``5 hours``, ``5 hours and 52 minutes``, ``5h 52m``."""
_TIMEDELTA = re.compile(
    r"\s*(?:(?P<days>\d+) days?, )?(?P<h>\d+):(?P<m>\d\d?):(?P<s>\d\d?(?:\.\d+)?)\s*"
)
"""A ``datetime.timedelta`` as Python prints it (``5:52:00``, ``1 day, 2:03:00.500000``),
or its fields printed unpadded (``9:7:8.480000``)."""


def in_asked_clock(question: str, value: str) -> str | None:
    """``value``, a duration a program printed in units (``5.866666666666666 hours``,
    ``352 minutes``, ``5 hours and 52 minutes``) or as a ``timedelta`` (``5:52:00``),
    written in the clock ``question`` asks for (``05:52`` for ``HH:MM``), rounded to its
    last field; None where the question asks for no clock, ``value`` is no such
    duration, or it is written so already.

    Exact arithmetic, not a restating turn: the 1.5B restated ``5.8667`` hours as
    ``5:54``. A bare number (``5.87``) names no unit and is left alone."""
    found = _CLOCK_TEMPLATE.search(question)
    seconds = _duration(value) if found is not None else None
    if found is None or seconds is None:
        return None
    days_word = found.group("days")
    template = found.group(0)[len(days_word or "") :]
    fields = template.split(".")[0].split(":")
    places = len(template.split(".")[1]) if "." in template else 0
    step = Fraction(1, 10**places) if len(fields) == 3 else Fraction(60 if len(fields) == 2 else 1)
    whole, fraction = divmod(round(seconds / step) * step, 1)  # rounded to the last field
    days, rest = divmod(int(whole), 86400) if days_word else (0, int(whole))
    hours, rest = divmod(rest, 3600)
    if len(str(hours)) > max(2, len(fields[0])):
        return None  # 352:00 for HH:MM: no such clock (352.00 "hours" were minutes)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours:0{len(fields[0])}d}", f"{minutes:02d}"][: len(fields)]
    written = ":".join(parts + ([f"{secs:02d}"] if len(fields) == 3 else []))
    if places:
        written += "." + f"{int(fraction * 10**places):0{places}d}"
    if days_word:
        written = f"{days}{days_word.lstrip('D')}{written}"
    return None if written == value.strip() else written


def _duration(value: str) -> Fraction | None:
    """Seconds in a duration written in units or as a ``timedelta``; None otherwise."""
    delta = _TIMEDELTA.fullmatch(value)
    if delta is not None:
        days = int(delta.group("days") or 0)
        return Fraction(
            days * 86400 + int(delta.group("h")) * 3600 + int(delta.group("m")) * 60
        ) + Fraction(delta.group("s"))
    if _AMOUNTS.fullmatch(value) is None:
        return None
    amounts = re.findall(_AMOUNT, value, re.IGNORECASE)
    return sum(
        (Fraction(number) * _UNITS[unit[0].lower()] for number, unit in amounts), Fraction(0)
    )
