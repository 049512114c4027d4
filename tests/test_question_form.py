"""The form a question spells out for its answer (``HH:MM``): it wins a tied vote."""

from __future__ import annotations

import pytest

from pot.consistency import FORM_TIE_BREAK, TIE_BREAK, vote
from pot.decimals import asked_key
from pot.executors import JupyterExecutor
from pot.question_form import (
    asked_template,
    in_asked_clock,
    in_asked_form,
    template_with_choices,
)
from pot.restate import in_notation
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
    hours = "```python\nprint((19 * 60 + 57 - 14 * 60 - 5) / 60)\n```"  # no unit: no clock
    clock = "```python\nm = 19 * 60 + 57 - 14 * 60 - 5\nprint(f'{m // 60:02}:{m % 60:02}')\n```"
    model = ScriptedModel([hours, clock])
    trace = Solver(model, kernel, mode="pot", samples=2).solve(FLIGHT)
    assert trace.answer.value == "05:52"
    assert "tie broken by the question's form" in trace.answer.detail


@pytest.mark.parametrize(
    ("value", "hh_mm", "hh_mm_ss_mmm"),
    [
        ("5.866666666666666 hours", "05:52", "05:52:00.000"),
        ("352 minutes", "05:52", "05:52:00.000"),
        ("21120 seconds", "05:52", "05:52:00.000"),
        ("5 hours and 52 minutes", "05:52", "05:52:00.000"),
        ("5 hours, 52 minutes.", "05:52", "05:52:00.000"),
        ("5h 52m 30.25s", "05:53", "05:52:30.250"),
        ("5:52:00", "05:52", "05:52:00.000"),  # str() of a timedelta
        ("1 day, 2:03:00", "26:03", "26:03:00.000"),
        ("5:52:0", "05:52", "05:52:00.000"),  # fields printed unpadded
        ("9:7:8.480000", "09:07", "09:07:08.480"),
        ("0.5 hours", "00:30", "00:30:00.000"),
        ("05:52", None, None),  # a clock already (HH:MM's own) or no duration in units
        ("5.87", None, None),  # no unit: hours? minutes?
        ("352 ms", None, None),
        ("352 meters", None, None),
        ("Alice", None, None),
    ],
)
def test_a_duration_in_units_is_written_in_the_clock_asked(
    value: str, hh_mm: str | None, hh_mm_ss_mmm: str | None
) -> None:
    assert in_asked_clock("How long was it? Answer in HH:MM.", value) == hh_mm
    assert in_asked_clock("Give it as HH:MM:SS.mmm", value) == hh_mm_ss_mmm
    assert in_asked_clock("How long was it, in minutes?", value) is None
    assert in_asked_clock("in H:MM:SS", "1 hours") == "1:00:00"  # a clock asked
    assert in_asked_clock("as YYYY-MM-DD", "1 hours") is None  # a date: no clock


@pytest.mark.parametrize(
    ("question", "value", "written"),
    [
        ("Answer in D days, HH:MM:SS.", "53 days, 2:57:00", "53 days, 02:57:00"),
        ("Answer in D days, HH:MM:SS.", "100 hours", "4 days, 04:00:00"),
        ("Answer in D days, HH:MM:SS.", "53 days, 02:57:00", None),
        ("Answer in HH:MM.", "10 days, 0:00:00", None),  # 240 hours: no HH
        ("Answer in HH:MM.", "352.00 hours", None),  # the 0.5B's minutes, called hours
        ("Answer in HH:MM.", "99 hours", "99:00"),
        ("Answer in H:MM:SS.", "1 day, 0:05:05", "24:05:05"),
    ],
)
def test_a_clock_with_days_and_hours_that_fit(question: str, value: str, written: str) -> None:
    assert in_asked_clock(question, value) == written


def test_a_duration_votes_with_its_number_and_is_written_as_the_clock() -> None:
    """Keyed as its number (``32828.48 seconds`` with a bare ``32828.48``: the 0.5B's two
    votes), written as the clock once it has won."""
    key = asked_key(FLIGHT)
    assert key("5.866666666666666 hours") == key("5.866666666666666") != key("05:52")
    values = ["352 minutes", "05:52 is wrong", "352", "69:00"]
    winner, _ = vote([Answer(value=v, normalized=v) for v in values], key=key)
    assert winner.value == "352 minutes" and in_notation(FLIGHT, winner).value == "05:52"


def test_a_program_printing_hours_answers_in_the_asked_clock(kernel: JupyterExecutor) -> None:
    """No restating turn converts it (the model slipped: 5.8667 hours as 5:54)."""
    hours = "```python\nprint((19 * 60 + 57 - 14 * 60 - 5) / 60, 'hours')\n```"
    trace = Solver(ScriptedModel([hours]), kernel, mode="pot").solve(FLIGHT)
    assert trace.answer.value == "05:52"
    assert "as the clock the question asks for" in trace.answer.detail
    both = ScriptedModel([hours, hours])  # auto: two programs agree; no turn is asked for
    traced = Solver(both, kernel, mode="auto").solve(FLIGHT)
    assert traced.answer.value == "05:52" and len(both.calls) == 1


ISLAND = (
    "An island has only heroes, who always tell the truth, and villains, who always lie. "
    'Ella says: "Lily is a villain." Lily says: "Ella and I are both villains." Who is a '
    'hero and who is a villain? (Format your answer like: "Ella is a hero/villain, and Lily '
    'is a hero/villain")'
)


@pytest.mark.parametrize(
    ("value", "fits"),
    [
        ("Ella is a hero, and Lily is a villain", True),
        ("Ella is a villain, and Lily is a villain.", True),
        ("ella is a HERO,  and Lily is a villain", True),
        ("Ella is a hero/villain, and Lily is a hero/villain", False),  # the template itself
        ("Lily is a villain, and Ella is a hero", False),  # not in the order asked
        ("There is an inconsistency in the statements", False),
        ("Ella is a saint, and Lily is a villain", False),
        ("Ella: hero, Lily: villain", False),
    ],
)
def test_a_template_with_words_to_choose_from(value: str, fits: bool) -> None:
    assert template_with_choices(ISLAND) is not None
    asked = in_asked_form(ISLAND)
    assert asked is not None and asked(value) is fits


@pytest.mark.parametrize(
    "question",
    [
        "Which is heavier? Answer in the format: 'The apple/pear is heavier'.",
        'Reply in the format "yes/no, because ..."',
    ],
)
def test_other_templates_with_choices(question: str) -> None:
    assert template_with_choices(question) is not None


@pytest.mark.parametrize(
    "question",
    [
        "What is 17/4 as a mixed number?",  # a fraction, not a template
        "Find the odds, e.g. 1/60.",  # numbers, not words
        "Is the road wet/dry? Explain.",  # choices, but no quoted template of the answer
        FLIGHT,
    ],
)
def test_no_template_with_choices(question: str) -> None:
    assert template_with_choices(question) is None


def test_an_answer_filling_in_the_template_wins_a_tie() -> None:
    """The 1.5B's `auto` vote on a knights-and-knaves question: one program printed a
    remark, the chain of thought the answer in the form asked (its comma makes it no
    "few words", so the chain's own tie-break does not apply), each one vote."""
    values = [
        "",
        "There is an inconsistency in the statements",
        "Ella is a hero, and Lily is a villain",
        "{Ella: truth, Lily: truth}",
    ]
    answers = [Answer(value=value or None, normalized=value or None) for value in values]
    winner, ballot = vote(answers, 2, preferred=in_asked_form(ISLAND))
    assert winner.value == "Ella is a hero, and Lily is a villain"
    assert ballot.tie_break == FORM_TIE_BREAK
    assert vote(answers, 2)[0].value == "There is an inconsistency in the statements"


def test_the_template_of_real_reasoning_gym_questions() -> None:
    """The package's own knights-and-knaves questions: each gold fills in its template."""
    pytest.importorskip("reasoning_gym")
    from pot.tasks import TaskOptions, load_problems

    problems = load_problems("rg:knights_knaves", options=TaskOptions(size=4, seed=7))
    for problem in problems:
        fits = in_asked_form(problem.question)
        assert fits is not None and fits(problem.answer), problem.question
        assert not fits("There is no solution")


def test_auto_answers_in_the_template_where_its_samples_tie(kernel: JupyterExecutor) -> None:
    """Through a real kernel: five different answers, one vote each; the chain of thought's
    fills in the template and wins."""
    model = ScriptedModel(
        [
            "```python\nprint('There is an inconsistency in the statements')\n```",
            "```python\nprint({'Ella': True, 'Lily': True})\n```",
            "Ella tells the truth. \\boxed{Ella is a hero, and Lily is a villain}",
            "```python\nprint('No solution')\n```",
            "```python\nprint('Ella is a villain, and Lily is a villain')\n```",
            "```python\nprint('both villains')\n```",
        ]
    )
    trace = Solver(model, kernel, mode="auto").solve(ISLAND)
    assert trace.answer.value == "Ella is a hero, and Lily is a villain"
    assert "tie broken by the question's form" in trace.answer.detail
    assert trace.samples == 6  # the chain's answer is no short one: no more chains


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("9:7:8.480000", "09:07:08.480", True),  # f"{h}:{m}:{s}" of the same time
        ("13:33:15.268000", "13:33:15.268", True),
        ("4:12:0", "04:12:00", True),
        ("12:00:00.000", "12:00:00", True),
        ("3:10", "03:10", True),
        ("09:07:08.480", "09:07:08.828", False),
        ("4:12:0", "4:12:10", False),
        ("3:1", "3:10", False),  # two fields: minutes are written with two digits
    ],
)
def test_one_clock_printed_two_ways_is_one_answer(first: str, second: str, same: bool) -> None:
    assert (asked_key(FLIGHT)(first) == asked_key(FLIGHT)(second)) is same


def test_a_clock_printed_unpadded_votes_with_the_padded_and_is_written_as_asked() -> None:
    """The 0.5B's `auto` samples of a time-interval question: `4:12:0` and `04:12:00`
    outvote the single `36:54` (before they were one vote each and lost a tie)."""
    question = "What is the duration between 08:45 and 12:57? Answer in HH:MM."
    values = ["0", "4:12:0", "04:12:00", "22", "36:54", "14:10"]
    answers = [Answer(value=value, normalized=value) for value in values]
    winner, _ = vote(answers, 2, asked_key(question), preferred=in_asked_form(question))
    assert winner.value == "4:12:0"
    assert in_notation(question, winner).value == "04:12"
