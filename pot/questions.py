"""Checking a question before solving it: typed errors for what cannot be solved."""

from __future__ import annotations

MAX_QUESTION_CHARS = 20_000
"""Default limit on the length of a question."""


class QuestionError(ValueError):
    """The question cannot be solved as given."""


class EmptyQuestionError(QuestionError):
    """The question is empty or only whitespace."""


class QuestionTooLongError(QuestionError):
    """The question is longer than the solver's ``max_question_chars``."""


def check_question(question: str, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The question, stripped; raises a :class:`QuestionError` if it cannot be solved.

    Raises:
        EmptyQuestionError: Empty or only whitespace.
        QuestionTooLongError: Longer than ``max_chars``.
    """
    text = question.strip() if isinstance(question, str) else ""
    if not text:
        raise EmptyQuestionError("the question is empty: give the problem to solve")
    if len(text) > max_chars:
        raise QuestionTooLongError(
            f"the question has {len(text)} characters, more than the limit of {max_chars}; "
            "shorten it or raise max_question_chars"
        )
    return text
