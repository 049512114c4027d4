"""The Python-literal judge (CRUXEval): compare values, not their spelling."""

from __future__ import annotations

import ast
import math
import re
from typing import Any

from pot.tasks.base import Judgement

_ASSERTION = re.compile(r"^\s*(?:assert\s+)?f\(.*\)\s*==\s*(.+)$", re.DOTALL)
_FENCE = re.compile(r"^```(?:python|py)?\s*\n?(.*?)\n?```$", re.DOTALL)
_NOT_PARSED = object()


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_PARSED


def _same(left: Any, right: Any) -> bool:
    """Python equality, as CRUXEval's ``assert f(x) == output``, plus nan == nan, and
    floats that differ only by the rounding noise pot's answers drop
    (``0.3`` for ``0.30000000000000004``; :func:`pot.answers.without_float_noise`)."""
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=1e-15)
    if type(left) is type(right) and isinstance(left, (list, tuple)) and len(left) == len(right):
        return all(_same(a, b) for a, b in zip(left, right, strict=True))
    try:
        return bool(left == right)
    except Exception:
        return False


def strip_answer(prediction: str) -> str:
    """Remove code fences, backticks and an ``assert f(...) ==`` prefix from a prediction."""
    text = prediction.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    if len(text) > 1 and text.startswith("`") and text.endswith("`"):
        text = text.strip("`").strip()
    assertion = _ASSERTION.match(text)
    return assertion.group(1).strip() if assertion else text


def judge_literal(prediction: object, gold: str) -> Judgement:
    """Judge a predicted Python value against a gold Python literal.

    Values are compared with ``==`` after ``ast.literal_eval`` (as CRUXEval's own
    check does), so quoting (``'a'`` vs ``"a"``), spacing and ``1.0`` vs ``1`` do not
    matter. A printed string without quotes (``hello`` for ``'hello'``) also counts,
    because a kernel's ``print`` drops the quotes.

    Args:
        prediction: The model's answer (text, or the value itself).
        gold: The gold output as a Python literal.
    """
    gold_value = _literal(gold)
    if gold_value is _NOT_PARSED:
        return Judgement(correct=False, reason=f"gold answer {gold!r} is not a Python literal")
    if prediction is None:
        return Judgement(correct=False, reason="empty prediction")
    if not isinstance(prediction, str):
        return Judgement(correct=_same(prediction, gold_value), normalized=repr(prediction))
    text = strip_answer(prediction)
    value = _literal(text)
    if value is not _NOT_PARSED and _same(value, gold_value):
        return Judgement(correct=True, normalized=repr(value))
    if isinstance(gold_value, str) and text == gold_value:
        return Judgement(correct=True, normalized=repr(text))
    if value is _NOT_PARSED:
        return Judgement(correct=False, normalized=text, reason="not a Python literal")
    return Judgement(correct=False, normalized=repr(value))
