"""The form a question spells out for its answer (``HH:MM``): it wins a tied vote."""

from __future__ import annotations

import pytest

from pot.consistency import FORM_TIE_BREAK, TIE_BREAK, vote
from pot.executors import JupyterExecutor
from pot.question_form import asked_template, in_asked_form
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Answer

FLIGHT = "A flight departed at 14:05 and arrived at 19:57. How long was it? Answer in HH:MM."


@pytest.mark.parametrize(
    ("question", "pattern"),
    [
        ("Answer in HH:MM.", r"\d{1,2}:\d{2,2}"),
        ("Give the date as YYYY-MM-DD.", r"\d{1,4}\-\d{2,2}\-\d{2,2}"),
        ("in HH:MM:SS.mmm format", r"\d{1,2}:\d{2,2}:\d{2,2}\.\d{3,3}"),
        ("Use MM/DD/YYYY", r"\d{1,2}/\d{2,2}/\d{4,4}"),
        ("What is 3:4?", None),
        ("Write HHMM", None),  # no separator: no template
        ("The OHM:MS ratio", None),  # inside a word
    ],
)
def test_templates(question: str, pattern: str | None) -> None:
    template = asked_template(question)
    assert (template.pattern if template else None) == pattern


def test_an_answer_in_the_asked_form_wins_a_tie() -> None:
    fits = in_asked_form(FLIGHT)
    assert fits is not None and fits("05:52") and fits("5:52") and not fits("5.87 hours")
    values = ["5.866666666666666 hours", "05:52", "69:00", "05:52", "5.866666666666666 hours"]
    answers = [Answer(value=value, normalized=value) for value in values]
    winner, ballot = vote(answers, preferred=fits)
    assert winner.value == "05:52" and ballot.tie_break == FORM_TIE_BREAK
    plain, tied = vote(answers)  # without it, the earliest sample
    assert plain.value == "5.866666666666666 hours" and tied.tie_break == TIE_BREAK
    more = [*answers, Answer(value="5.866666666666666 hours", normalized="5.8667")]
    assert vote(more, preferred=fits)[0].value.endswith("hours")  # a majority stays one


def test_samples_tied_across_forms_answer_in_the_asked_one(kernel: JupyterExecutor) -> None:
    hours = "```python\nprint((19 * 60 + 57 - 14 * 60 - 5) / 60, 'hours')\n```"
    clock = "```python\nm = 19 * 60 + 57 - 14 * 60 - 5\nprint(f'{m // 60:02}:{m % 60:02}')\n```"
    model = ScriptedModel([hours, clock])
    trace = Solver(model, kernel, mode="pot", samples=2).solve(FLIGHT)
    assert trace.answer.value == "05:52"
    assert "tie broken by the question's form" in trace.answer.detail
