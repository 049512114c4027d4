"""Self-consistency: a majority vote over the answers of several samples."""

from __future__ import annotations

from pot.answers import AnswerSource, answer_key, is_empty_answer
from pot.trace import Answer, NoAnswerReason, Vote, VoteCount

TIE_BREAK = "earliest sample"
"""Among answers with equally many votes, the one first given by the lowest-numbered sample
wins; an empty result (``[]``, ``None``: a search that found nothing) loses every tie."""


def vote(answers: list[Answer]) -> tuple[Answer, Vote]:
    """Majority vote over normalised answers, ties broken by the earliest sample
    (an empty result such as ``[]`` or ``None`` after every other answer).

    Samples without an answer do not vote.

    Args:
        answers: One outcome per sample, in sample order.

    Returns:
        The winning answer (source ``VOTE``, or no answer when no sample had
        one) and the vote record.
    """
    groups: dict[str, list[int]] = {}
    for sample, answer in enumerate(answers):
        if answer.value is not None:
            groups.setdefault(answer_key(answer.value), []).append(sample)
    counts = [
        VoteCount(
            key=key,
            answer=answers[samples[0]].normalized or "",
            votes=len(samples),
            samples=samples,
        )
        for key, samples in groups.items()
    ]
    counts.sort(key=lambda count: (-count.votes, is_empty_answer(count.answer), count.samples[0]))
    if not counts:
        outcome = Answer(
            reason=NoAnswerReason.NO_MAJORITY,
            detail=f"none of the {len(answers)} samples produced an answer",
        )
        return outcome, Vote(counts=[], winner=None, samples=len(answers))
    best = counts[0]
    tied = len(counts) > 1 and counts[1].votes == best.votes
    first = answers[best.samples[0]]
    outcome = Answer(
        value=first.value,
        normalized=first.normalized,
        source=AnswerSource.VOTE,
        detail=f"{best.votes} of {len(answers)} samples"
        + (f", tie broken by {TIE_BREAK}" if tied else ""),
    )
    return outcome, Vote(
        counts=counts,
        winner=best.answer,
        tie_break=TIE_BREAK if tied else "",
        samples=len(answers),
    )
