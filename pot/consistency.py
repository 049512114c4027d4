"""Self-consistency: a majority vote over the answers of several samples."""

from __future__ import annotations

import re
from collections.abc import Callable

from pot.answers import AnswerSource, answer_key, is_empty_answer
from pot.tasks.numbers import read_whole_number
from pot.trace import Answer, NoAnswerReason, Vote, VoteCount

TIE_BREAK = "earliest sample"
"""Among answers with equally many votes, the one first given by the lowest-numbered sample
wins; an empty result (``[]``, ``None``: a search that found nothing) loses every tie."""


WORDS_TIE_BREAK = "the chain of thought"
"""``auto``'s tie-break: the answer its chain of thought in words gave, where it tied with
an answer of its kind (both numbers, or both a few plain words)."""

FORM_TIE_BREAK = "the question's form"
"""The tie-break where the chain of thought's does not decide: the answer already in the
form the question spells out (``HH:MM``: :mod:`pot.question_form`)."""

_FEW_WORDS = re.compile(r"[A-Za-z][A-Za-z'\- ]{0,39}")


def vote(
    answers: list[Answer],
    tie_breaker: int | None = None,
    key: Callable[[str], str] = answer_key,
    doubted: Callable[[str], bool] | None = None,
    preferred: Callable[[str], bool] | None = None,
) -> tuple[Answer, Vote]:
    """Majority vote over normalised answers, ties broken by the earliest sample
    (an empty result such as ``[]`` or ``None`` after every other answer).

    Samples without an answer do not vote.

    Args:
        answers: One outcome per sample, in sample order.
        tie_breaker: A sample whose answer wins a tie it is in against an answer of its
            kind, a number against a number or a few plain words against a few words
            (after the empty-result rule): ``auto``'s chain of thought, the one sample
            that wrote no program, so where programs split, it decides. Against an answer
            of another kind (a grid, a list) its answer is not trusted to: a chain of
            thought asked for a grid wrote ``\\text{distance_matrix}``.
        key: What makes two answers one: :func:`~pot.answers.answer_key`, or a
            question's own (:func:`~pot.decimals.asked_key`: written to the places it asks).
        doubted: Answers not to believe while any other answer has a vote: they rank
            below every other answer, however many votes they have (the question's own
            example of its answer's form, :func:`~pot.question_examples.copies_example`:
            four chains of the 0.5B answered a grid's path with the question's
            ``e.g. right right down down up left``).
        preferred: Answers in the form the question spells out for its answer
            (:func:`~pot.question_form.in_asked_form`: ``05:52`` for ``HH:MM``): where
            the tie-break by ``tie_breaker`` does not decide, one of them wins a tie
            against answers in another form (``5.866666666666666 hours``).

    Returns:
        The winning answer (source ``VOTE``, or no answer when no sample had
        one) and the vote record.
    """
    groups: dict[str, list[int]] = {}
    for sample, answer in enumerate(answers):
        if answer.value is not None:
            groups.setdefault(key(answer.value), []).append(sample)
    counts = [
        VoteCount(
            key=key,
            answer=answers[samples[0]].normalized or "",
            votes=len(samples),
            samples=samples,
            ruled_out=doubted is not None and doubted(answers[samples[0]].value or ""),
        )
        for key, samples in groups.items()
    ]
    counts.sort(
        key=lambda count: (
            count.ruled_out,
            -count.votes,
            is_empty_answer(count.answer),
            count.samples[0],
        )
    )
    if not counts:
        outcome = Answer(
            reason=NoAnswerReason.NO_MAJORITY,
            detail=f"none of the {len(answers)} samples produced an answer",
        )
        return outcome, Vote(counts=[], winner=None, samples=len(answers))
    believed = [count for count in counts if not count.ruled_out] or counts
    chosen = _tie_broken(believed, tie_breaker, answers)
    rule = WORDS_TIE_BREAK if chosen is not None else TIE_BREAK
    if chosen is None and preferred is not None:
        chosen = _in_form(believed, preferred, answers)
        rule = FORM_TIE_BREAK if chosen is not None else TIE_BREAK
    if chosen is not None:
        counts.insert(0, counts.pop(chosen))
    best = counts[0]
    tied = len(believed) > 1 and believed[1].votes == best.votes
    set_aside = sum(
        count.votes for count in counts[1:] if count.ruled_out and count.votes >= best.votes
    )
    first = answers[best.samples[0]]
    outcome = Answer(
        value=first.value,
        normalized=first.normalized,
        source=AnswerSource.VOTE,
        detail=f"{best.votes} of {len(answers)} samples"
        + (f", tie broken by {rule}" if tied else "")
        + (f", {set_aside} for an answer the question rules out set aside" if set_aside else ""),
    )
    return outcome, Vote(
        counts=counts,
        winner=best.answer,
        tie_break=rule if tied else "",
        samples=len(answers),
    )


def _tie_broken(
    counts: list[VoteCount], tie_breaker: int | None, answers: list[Answer]
) -> int | None:
    """The index in ``counts`` (sorted, not empty) of the answer ``tie_breaker`` gave, when
    it ties for first with the sorted winner and is of its kind; else None."""
    if tie_breaker is None:
        return None
    for index, count in enumerate(counts[1:], start=1):
        if count.votes != counts[0].votes or is_empty_answer(count.answer):
            return None
        if tie_breaker in count.samples:
            mine = answers[tie_breaker].value or ""
            theirs = answers[counts[0].samples[0]].value or ""
            kind = short_kind(mine)
            return index if kind is not None and kind == short_kind(theirs) else None
    return None


def _in_form(
    counts: list[VoteCount], preferred: Callable[[str], bool], answers: list[Answer]
) -> int | None:
    """The index in ``counts`` (sorted, not empty) of the first answer tied for first that
    is in the question's form, where the sorted winner is not; else None."""

    def fits(count: VoteCount) -> bool:
        return preferred(answers[count.samples[0]].value or "")

    if fits(counts[0]):
        return None
    for index, count in enumerate(counts[1:], start=1):
        if count.votes != counts[0].votes:
            return None
        if fits(count):
            return index
    return None


def short_kind(value: str) -> str | None:
    """``"number"``, ``"words"`` (a few plain words: ``Kimi``, ``No``), or None (a grid, a
    list, an expression: answers a chain of thought in words is not trusted with)."""
    if read_whole_number(value) is not None:
        return "number"
    return "words" if _FEW_WORDS.fullmatch(value.strip()) else None
