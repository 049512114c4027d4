"""What a results record says about its problem: judged or not, its score, correct or not.

Accuracy is over *judged* problems only. A record whose server or kernels failed
(``model_error``, ``kernel_error``: ``RETRIED_ERRORS``, the kinds ``pot eval``
also leaves out of its running accuracy and solves again on ``--resume``) was
never judged: the report lists it apart, never counts it wrong. Every other
failure (no answer, a timeout, a judge that raised) is a wrong answer. A record
with a ``score`` (reasoning-gym's partial credit, in [0, 1]) is correct when the
score is exactly 1; records written before scores existed use ``correct``.
"""

from __future__ import annotations

import math

from pot.tasks.results import RETRIED_ERRORS, ResultRecord

NOT_JUDGED = RETRIED_ERRORS
"""Error kinds of problems that were never judged (the server or the kernels failed)."""


def is_judged(record: ResultRecord) -> bool:
    """Whether the record's answer was judged (its server and kernels worked)."""
    return record.error not in NOT_JUDGED


def _recorded_score(record: ResultRecord) -> float | None:
    score = getattr(record, "score", None)
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        return None
    return min(1.0, max(0.0, float(score))) if math.isfinite(score) else None


def score_of(record: ResultRecord) -> float:
    """The record's score in [0, 1]: its ``score`` field, else 1 if correct, else 0."""
    score = _recorded_score(record)
    if score is None:
        return 1.0 if record.correct else 0.0
    return score


def is_correct(record: ResultRecord) -> bool:
    """Correct: a score of exactly 1 when the record carries a score, else its ``correct``.

    Exactly: reasoning-gym's ``spell_backward`` scores a wrong answer that starts with
    the right one 1.0000000000000002 (its own ``reward == 1.0`` check misses by a
    rounding error), while a right answer scores 1.0.
    """
    score = getattr(record, "score", None)
    if _recorded_score(record) is None:
        return record.correct
    return float(score) == 1.0
