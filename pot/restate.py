"""``auto``'s last turn: the winning program's result, in the form the question asks for.

A program prints what it computed (``11.783333333333333``, ``[2, 7]``, ``True``) while
the question may ask for ``HH:MM``, factors separated by ``×`` or ``Yes``/``No``. One
short greedy generation shows the model the question, the program and what it printed,
and has it complete ``The final answer is \\boxed``. The restated answer replaces the
program's only when it is a real answer and differs from it (as :func:`answer_key`
sees them): ``54.0`` restated as ``54`` changes nothing. A restatement changes the
form, never the value: a number restated as a number of another value (``119538200``
as ``0x58ac0000``: the model converted in its head and slipped) keeps the program's
answer, and so does an answer restated as another of the lines the program printed
(``alice`` as ``carol`` where it printed four names); rounding (``0.58333`` as
``58.3%``, ``11.78333`` as ``11.78``) is a form when the question asks for it
(``rounded``, ``nearest``, ``decimal places``, a percentage), and otherwise loses
digits the question wanted (``-8.4919`` as ``-8.492``). A Python list the program
printed (``['is', 'a']``), written out by the turn (``is, a``), is taken in its
written-out form: the same answer, in the form asked for. And where the question
writes its lists as JSON (``[["eat", "tea"]]``), a printed Python list of strings
(``[['eat', 'tea']]``) is written that way, and where it writes a matrix as rows of
numbers, a printed list of rows is written as rows.
"""

from __future__ import annotations

import re
from fractions import Fraction

from pot.answers import AnswerSource, answer_key, find_answer, normalize_answer
from pot.choices import in_option_words, question_choices
from pot.decimals import in_asked_places
from pot.loop_requests import Generate, Loop, fitting
from pot.models.base import ContextOverflowError, Message
from pot.notation import asks_for_literal, in_question_notation, is_literal
from pot.prompts import ANSWER_START, RESTATE_EXAMPLES, RESTATE_SYSTEM, restate_request
from pot.question_form import asked_template, in_asked_clock
from pot.sequences import number_sequence
from pot.tasks.numbers import read_whole_number
from pot.trace import Answer, CodeStep, TextStep, Vote

RESTATE_TOKENS = 48
"""Token budget of the restated answer (the examples end right after the ``}``)."""


def winning_program(ballot: Vote | None, programs: dict[int, CodeStep]) -> CodeStep | None:
    """The program whose answer won: the last that ran in the first sample with a program
    that gave the vote's winner (sample 0 when there was no vote; a chain of thought has
    no program); ``programs`` holds each sample's."""
    samples = ballot.counts[0].samples if ballot is not None and ballot.counts else [0]
    return next((programs[sample] for sample in samples if sample in programs), None)


def restate_conversation(question: str, code: str, printed: str) -> list[Message]:
    """System message, the hand-written examples, then this program's result to restate."""
    messages = [Message(role="system", content=RESTATE_SYSTEM)]
    for example, program, output, answer in RESTATE_EXAMPLES:
        messages += [
            Message(role="user", content=restate_request(example, program, output)),
            Message(role="assistant", content=f"{ANSWER_START}{{{answer}}}"),
        ]
    return [
        *messages,
        Message(role="user", content=restate_request(question, code, printed)),
        Message(role="assistant", content=ANSWER_START),
    ]


def restate(question: str, answer: Answer, step: CodeStep) -> Loop:
    """``answer`` (printed by ``step``'s program) in the question's form.

    A printed Python list is written in the question's own notation for lists where it
    has one (:func:`in_question_notation`), without asking the model. Otherwise the
    model restates it (:func:`restate_turn`), and its reply is put in that notation too.
    An answer of several lines (a grid's rows, one move a line), a Python literal where
    the question asks for one, and a whole number where it asks for no form
    (:func:`whole_as_asked`), are kept as printed.

    Returns the restated answer (source ``RESTATED``, the original named in its
    detail), or ``answer`` itself when nothing changed it.
    """
    written = in_notation(question, answer, sequences=False)  # the turn may round them
    if written is not answer or (answer.value is not None and "\n" in answer.value.strip()):
        return written  # in the question's notation, or rows printed in its form already
    if answer.value is not None and asks_for_literal(question) and is_literal(answer.value):
        return answer  # the Python literal asked for: a restatement could only trim it
    if answer.value is not None and whole_as_asked(question, answer.value):
        return answer  # 206: no form to put it in, no turn to spend
    restated = yield from restate_turn(question, answer, step)
    return in_notation(question, restated)


_WHOLE = re.compile(r"\s*-?\d+(?:\.0+)?\s*")
"""A whole number, as ints and floats print it (``206``, ``215.0``)."""
_WHOLE_WRITTEN_OTHERWISE = re.compile(
    r"\b(?:hex(?:adecimal)?|binary|octal|base[- ]?\d+|radix|roman|in words|spelled out"
    r"|words?\b.*\bnumber|scientific notation|ordinal)\b",
    re.IGNORECASE,
)
"""What a question says when it wants a whole number written otherwise (``0x7200218``)."""


def whole_as_asked(question: str, value: str) -> bool:
    """Whether ``value`` is a whole number (``206``) in a question that asks for no other
    way to write it: no template (:func:`~pot.question_form.asked_template`: ``HH:MM``),
    no options, no other base or words: a restatement can only give it back (0 of 151
    restating turns of recorded ``auto`` runs changed a whole number: 0.5B and 1.5B,
    reasoning-gym, GSM8K, SVAMP; nor 22 of them on a float's ``215.0``), so no turn is
    spent on it."""
    return (
        _WHOLE.fullmatch(value) is not None
        and asked_template(question) is None
        and question_choices(question) is None
        and _WHOLE_WRITTEN_OTHERWISE.search(question) is None
    )


def in_notation(question: str, answer: Answer, sequences: bool = True) -> Answer:
    """``answer``, a duration in the clock the question asks for
    (:func:`~pot.question_form.in_asked_clock`: ``352 minutes`` as ``05:52``); a yes or no
    as the question's own word for it
    (:func:`~pot.choices.in_option_words`: ``False`` as ``No``); a Python list as a
    program printed it (with ``sequences``, numbers
    printed one after another too: ``2 2 7``), written in the question's own notation for
    lists (:func:`~pot.notation.in_question_notation`: with the separator asked, JSON,
    rows of numbers), and its numbers written to the decimal places the question asks
    for (:func:`~pot.decimals.in_asked_places`), no model involved; ``answer`` itself
    when the question has no such notation or the answer is no list."""
    if not answer.value:
        return answer
    clock = in_asked_clock(question, answer.value)  # 5.866666666666666 hours as 05:52
    if clock is not None:
        return _written(answer, clock, f"{answer.value} as the clock the question asks for")
    worded = in_option_words(question, answer.value)  # False as No, "(Answer Yes or No)"
    if worded is not None:
        return _written(answer, worded, f"{answer.value} as the question's word for it")
    places = in_asked_places(question, answer.value)  # -sqrt(265)/15 as -1.0853
    value = places or answer.value
    rounded = sequences or places is not None  # rounded as asked: no turn will round it
    written = in_question_notation(question, value, sequences=rounded) or places
    if written is None:
        return answer
    return _written(answer, written, f"{answer.value} in the question's notation")


def _written(answer: Answer, written: str, detail: str) -> Answer:
    """``answer`` written as ``written`` by pot (source ``RESTATED``), ``detail`` saying how."""
    return Answer(
        value=written,
        normalized=normalize_answer(written, as_written=True),
        source=AnswerSource.RESTATED,
        detail=f"{detail}; {answer.detail}" if answer.detail else detail,
    )


def restate_turn(question: str, answer: Answer, step: CodeStep) -> Loop:
    """The restating turn: the model's answer in the question's form, or ``answer``
    itself when the reply is no answer or the same answer.

    Yields the request and a :class:`~pot.trace.TextStep` in the program's sample.
    """
    conversation = restate_conversation(question, step.code, step.observation)
    generated = yield from fitting(
        Generate(conversation, greedy=True, max_new_tokens=RESTATE_TOKENS)
    )
    if isinstance(generated, ContextOverflowError):
        return answer  # a turn that does not fit restates nothing: the answer as voted
    generation = generated.samples[0]
    text = ANSWER_START + generation.text
    yield TextStep(
        sample=step.sample,
        index=step.index + 1,
        text=text,
        restates=True,
        model_seconds=generated.seconds,
        prompt_tokens=generation.prompt_tokens,
        completion_tokens=generation.completion_tokens,
    )
    found = find_answer(text)
    if found is None or found.source is not AnswerSource.BOXED or answer.value is None:
        return answer  # no closed \boxed{}: the reply ran out or said something else
    if answer_key(found.value) == answer_key(answer.value):
        if not written_out(answer.value, found.value):
            return answer
    elif (
        changes_value(answer.value, found.value, question)
        or another_line(answer.value, found.value, step.observation)
        or into_latex(answer.value, found.value, question)
    ):
        return answer
    detail = f"{answer.normalized} restated in the form the question asks for"
    return Answer(
        value=found.value,
        normalized=normalize_answer(found.value, as_written=True),  # a \boxed{}'s content
        source=AnswerSource.RESTATED,
        detail=f"{detail}; {answer.detail}" if answer.detail else detail,
    )


_LITERAL = re.compile(r"[-+]?0(?:[xX][0-9a-fA-F]+|[bB][01]+|[oO][0-7]+)")
"""A Python integer literal in base 16, 2 or 8 (``0x7200218``)."""


_OPERATION = re.compile(r"[\w)]\s*(?:\*\*?|<<|>>|//|\+|\^)\s*[\w(]")
"""Arithmetic between two operands (``0x92bc * 0xd2d4``, ``2 ** 10``, ``a + b``)."""


_ROUNDING = re.compile(
    r"\bround|\bnearest\b|\bdecimal (?:place|digit)|\bsignificant (?:figure|digit)|\bapprox"
    r"|\bestimate|\b(?:tenth|hundredth|thousandth)s?\b|\bpercent|%",
    re.IGNORECASE,
)
"""What a question says when it wants a rounded number."""

_CONTAINER = re.compile(r"^\s*[\[(].*[\])]\s*$", re.DOTALL)
"""A list or tuple as Python prints it."""


def written_out(before: str, after: str) -> bool:
    """Whether ``after`` is the list or tuple ``before`` written out without brackets
    (``['is', 'a']`` as ``is, a``), or numbers printed one after another written with
    other separators (``2 2 7`` as ``2, 2, 7``); the caller has checked they are the
    same answer."""
    if _CONTAINER.match(after) is not None:
        return False  # put in brackets: Python's form, not the question's
    if number_sequence(before) is not None and before.strip() != after.strip():
        return True
    return _CONTAINER.match(before) is not None


_LATEX = re.compile(
    r"\\(?:d?frac|sqrt|sin|cos|tan|cot|sec|csc|arc\w+|log|ln|exp|left|right|pi|int|sum"
    r"|prod|infty|cdot)(?![a-zA-Z])"
)
"""A LaTeX command of mathematics (``\\frac``, ``\\sin``), no wrapper of text or ``\\times``."""


def into_latex(before: str, after: str, question: str) -> bool:
    """Whether ``after`` writes ``before`` in LaTeX that neither it nor the question uses
    (``3*x**3*cos(x)`` as ``3x^3\\cos(x)``): a notation the question never asked for,
    which a reader of Python's (a scorer that parses it) cannot take."""
    return (
        _LATEX.search(after) is not None
        and _LATEX.search(before) is None
        and _LATEX.search(question) is None
    )


def another_line(before: str, after: str, printed: str) -> bool:
    """Whether ``after`` is another of the lines the program printed than ``before``,
    the one the vote chose (``carol`` for ``alice`` where it printed all four names):
    the turn picked another value, which is no form of it."""
    lines = {answer_key(line) for line in printed.splitlines() if line.strip()}
    old, new = answer_key(before), answer_key(after)
    return old != new and old in lines and new in lines


def changes_value(before: str, after: str, question: str = "") -> bool:
    """Whether ``after`` is no restatement of the number ``before``: a number of another
    value (not the same value in another base, as a fraction or a percentage, nor rounded
    where ``question`` asks for rounding), or an expression in its place
    (``0x92bc * 0xd2d4 >> 0x2``, the question's own).

    ``before`` not a plain number (``[2, 7]``), or ``after`` a form that is no number and
    no expression (``11:47``, ``Yes``), changes nothing that can be compared: False.
    """
    old, new = _value(before), _value(after)
    if old is None:
        return False
    if new is None:  # a form of it, unless the number was replaced by an expression
        return _OPERATION.search(after) is not None
    (old_value, _), (new_value, percent) = old, new
    written = after.strip().rstrip("%").strip()
    places = len(written.split(".", 1)[1]) if "." in written else 0
    readings = [(new_value, places)]
    if percent:
        readings.append((new_value / 100, places + 2))
    if any(_same_number(value, old_value) for value, _ in readings):
        return False
    rounded = any(round(old_value, digits) == value for value, digits in readings)
    return not (rounded and _ROUNDING.search(question) is not None)


def _same_number(new: Fraction, old: Fraction) -> bool:
    """Equal, or equal to 12 significant digits: ``1/3`` for ``0.3333333333333333``."""
    return abs(new - old) <= Fraction(1, 10**12) * max(1, abs(old))


def _value(text: str) -> tuple[Fraction, bool] | None:
    """The exact value of a plain number and whether it was a percentage, else None."""
    text = text.strip()
    if _LITERAL.fullmatch(text):
        return Fraction(int(text, 0)), False
    number = read_whole_number(text)
    if number is None:
        return None
    return number.value, number.percent and number.base == 10
