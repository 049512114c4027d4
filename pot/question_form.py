"""The form a question spells out for its answer with a template: ``HH:MM``,
``YYYY-MM-DD``, ``HH:MM:SS.mmm``.

A program may print the right value in another form (``5.866666666666666 hours`` for
``05:52``); in a vote the two are different answers, and where they tie, the one
already in the question's form wins (:func:`~pot.consistency.vote`'s ``preferred``):
the other still has to be restated, and a restating turn may slip (the 1.5B restated
``5.8667`` hours as ``5:54``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


def in_asked_form(question: str) -> Callable[[str], bool] | None:
    """Whether an answer fills the template ``question`` gives for its answer; None where
    it gives none."""
    template = asked_template(question)
    if template is None:
        return None
    return lambda value: template.fullmatch(value.strip()) is not None
