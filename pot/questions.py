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


class NotTextError(QuestionError):
    """The question is not text: bytes, or binary data decoded as characters."""


def check_question(question: str, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The question, stripped; raises a :class:`QuestionError` if it cannot be solved.

    Raises:
        EmptyQuestionError: Empty or only whitespace.
        QuestionTooLongError: Longer than ``max_chars``.
        NotTextError: Bytes, or text full of control characters (binary data).
    """
    if isinstance(question, (bytes, bytearray)):
        raise NotTextError("the question is bytes: decode it to text (e.g. .decode('utf-8'))")
    if not isinstance(question, str):
        raise NotTextError(f"the question must be text, not {type(question).__name__}")
    text = question.strip()
    control = sum(1 for char in text if char < " " and char not in "\n\r\t")
    if "\x00" in text or control > len(text) // 10:
        raise NotTextError(
            f"the question looks like binary data ({control} control characters in "
            f"{len(text)}): give the problem as text"
        )
    if not text:
        raise EmptyQuestionError("the question is empty: give the problem to solve")
    if len(text) > max_chars:
        raise QuestionTooLongError(
            f"the question has {len(text)} characters, more than the limit of {max_chars}; "
            "shorten it (in Python, Solver(max_question_chars=...) raises the limit)"
        )
    return text


def check_limits(samples: int, max_steps: int | None, timeout: float, max_new_tokens: int) -> None:
    """Refuse solver settings that cannot work, saying which and why.

    Raises:
        ValueError: A setting is out of range.
    """
    problems = []
    if samples < 1:
        problems.append(f"samples must be at least 1, got {samples}")
    if max_steps is not None and max_steps < 1:
        problems.append(f"max_steps must be at least 1, got {max_steps}")
    if not timeout > 0:
        problems.append(f"timeout must be a positive number of seconds, got {timeout}")
    if max_new_tokens < 1:
        problems.append(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    if problems:
        raise ValueError("; ".join(problems))
