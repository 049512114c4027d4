"""Judges for answers in words: option letters, labels (True/yes/valid), word lists, brackets."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from pot.tasks.answer_text import stated_answer, unwrap
from pot.tasks.base import Judgement

_MARKUP = re.compile(r"[*`_]+")
_LONE_LETTER = re.compile(r"^\(?([A-Za-z])\)?[.:]?$")
_LEADING_LETTER = re.compile(r"^\(?([A-Z])(?:\)|\.|:)(?:\s|$)")
_PAREN_LETTER = re.compile(r"\(([A-Z])\)")
_PUNCTUATION = re.compile(r"[^\w\s]")


def _strip(text: object) -> str:
    """Remove LaTeX wrappers, Markdown emphasis, quotes and trailing punctuation."""
    value = _MARKUP.sub("", unwrap(str(text))).strip()
    return value.strip("\"'").strip().rstrip(".!").strip()


def _answer_part(text: str) -> str:
    """The stated answer ("the answer is X": X), or all of the text."""
    stated = stated_answer(text)
    return text if stated is None else _strip(stated)


def _plain(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def extract_choice(prediction: object, options: Mapping[str, str] | None = None) -> str | None:
    """Read an option letter from a prediction.

    Accepts ``(B)``, ``B``, ``b)``, ``B.``, ``"the answer is (B)"``, ``"(B) 12/25/1937"``,
    or the text of an option (``"12/25/1937"`` with ``options={"B": "12/25/1937"}``).

    Args:
        prediction: The model's answer.
        options: Letter -> option text, to match an answer given as the option's text.

    Returns:
        The upper-case letter, or None when none could be read.
    """
    if prediction is None:
        return None
    text = _answer_part(_strip(prediction))
    match = _LONE_LETTER.match(text)
    if match:
        return match.group(1).upper()
    letters = _PAREN_LETTER.findall(text)
    match = _LEADING_LETTER.match(text)
    if match and len(set(letters)) <= 1:  # "(B) 12/25/1937", "B. 12/25/1937"
        return match.group(1)
    if options:
        plain = _plain(text)
        for letter, option in options.items():
            if plain and plain == _plain(option):
                return letter
    return letters[-1] if letters else None  # the last one named


def judge_choice(
    prediction: object, gold: str, options: Mapping[str, str] | None = None
) -> Judgement:
    """Judge a multiple-choice answer.

    The gold is a letter in parentheses (``"(B)"``) or, for a few BIG-Bench Hard
    problems whose gold is not among the letters, the answer's text.

    Args:
        prediction: The model's answer.
        gold: The gold answer, ``"(B)"`` or ``"B"`` or text.
        options: Letter -> option text, parsed from the question.
    """
    gold_letter = extract_choice(gold) if _LONE_LETTER.match(gold.strip()) else None
    letter = extract_choice(prediction, options)
    if gold_letter is not None:
        if letter is None:
            return Judgement(correct=False, reason="no option letter in the prediction")
        return Judgement(correct=letter == gold_letter, normalized=f"({letter})")
    # The gold is text: compare the text, or the text of the predicted option.
    if prediction is None:
        return Judgement(correct=False, reason="empty prediction")
    text = _answer_part(_strip(prediction))
    if letter is not None and options and letter in options:
        text = options[letter]
    return Judgement(correct=_plain(text) == _plain(gold), normalized=text)


_BOOLEAN = {"true": "true", "false": "false", "1": "true", "0": "false"}
_YES_NO = {"yes": "yes", "no": "no", "true": "yes", "false": "no"}
_VALIDITY = {"valid": "valid", "invalid": "invalid", "not valid": "invalid"}
_VALIDITY |= {"true": "valid", "false": "invalid"}
_READINGS: dict[str, dict[str, str]] = {
    # A program's printed boolean stands for the label it computed.
    "true": _BOOLEAN,
    "false": _BOOLEAN,
    "yes": _YES_NO,
    "no": _YES_NO,
    "valid": _VALIDITY,
    "invalid": _VALIDITY,
}
_LABEL = re.compile(r"\b(not valid|invalid|valid|true|false|yes|no|1|0)\b", re.IGNORECASE)


def judge_label(prediction: object, gold: str) -> Judgement:
    """Judge a True/False, yes/no or valid/invalid answer.

    Case and punctuation are ignored; ``"The answer is: invalid."`` reads as
    ``invalid``. A printed boolean counts for yes/no and valid/invalid golds
    (``True`` -> yes / valid), since a program computes the label as a boolean.

    Args:
        prediction: The model's answer.
        gold: One of True, False, yes, no, valid, invalid (any case).
    """
    gold_label = gold.strip().casefold()
    if gold_label not in _READINGS:
        return Judgement(correct=False, reason=f"gold answer {gold!r} is not a label")
    if prediction is None:
        return Judgement(correct=False, reason="empty prediction")
    readings = _READINGS[gold_label]
    text = _answer_part(_strip(prediction))
    if text.casefold() in readings:
        label = readings[text.casefold()]
    else:
        found = [word.casefold() for word in _LABEL.findall(text)]
        found = [readings[word] for word in found if word in readings]
        if not found:
            return Judgement(correct=False, reason="no label in the prediction")
        label = found[0] if stated_answer(str(prediction)) is not None else found[-1]
    return Judgement(correct=label == gold_label, normalized=label)


def _words(text: str) -> list[str]:
    stripped = text.strip()
    if stripped.startswith(("[", "(")):
        try:
            value = ast.literal_eval(stripped)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
        if isinstance(value, (list, tuple)):
            return [str(item).strip().casefold() for item in value]
    return [word.casefold() for word in re.split(r"[\s,;]+", stripped.strip("[]()")) if word]


def judge_words(prediction: object, gold: str) -> Judgement:
    """Judge a list of words (BIG-Bench Hard word sorting): same words, same order.

    The prediction may be separated by spaces, commas or new lines, or be a Python list.

    Args:
        prediction: The model's answer.
        gold: The words separated by spaces.
    """
    if prediction is None:
        return Judgement(correct=False, reason="empty prediction")
    words = _words(_answer_part(_strip(prediction)))
    return Judgement(correct=words == _words(gold), normalized=" ".join(words))


_BRACKETS = re.compile(r"[()\[\]{}<>]")


def judge_dyck(prediction: object, gold: str) -> Judgement:
    """Judge a sequence of closing brackets (BIG-Bench Hard dyck languages).

    Only the brackets count, so ``"))>"``, ``") ) >"`` and ``[')', ')', '>']`` are the same.

    Args:
        prediction: The model's answer.
        gold: The brackets separated by spaces, e.g. ``") ) >"``.
    """
    if prediction is None:
        return Judgement(correct=False, reason="empty prediction")
    text = _answer_part(str(prediction).strip())
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]") and ("'" in text or '"' in text):
        # A Python list of bracket strings: drop the list's own brackets.
        stripped = stripped[1:-1]
    brackets = " ".join(_BRACKETS.findall(stripped))
    if not brackets:
        return Judgement(correct=False, reason="no brackets in the prediction")
    return Judgement(correct=brackets == " ".join(_BRACKETS.findall(gold)), normalized=brackets)
