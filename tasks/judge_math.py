"""The symbolic judge: LaTeX and sympy equivalence through math-verify, in bounded time.

math-verify bounds its own time with ``signal.alarm``, which works only in the main
thread. Here it always runs with its timeouts off (``parsing_timeout=None,
timeout_seconds=None``) inside a worker process, and ``MathJudge`` bounds the time
from outside: a verdict that takes longer than the timeout kills the worker (a new
one starts on the next call) and counts as incorrect. Safe to call from any thread.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import queue
import re
import subprocess
import sys
import threading
import time
import weakref
from typing import Any

from pot.tasks.answer_text import find_stated
from pot.tasks.base import Judgement, MissingDependencyError
from pot.tasks.numbers import read_number, read_whole_number, same_number

DEFAULT_TIMEOUT = 10.0
"""Seconds one verdict may take (parse both sides and compare) before it counts as wrong."""

_NORMALIZED_CAP = 1000
"""Longest normalised prediction kept (a results file stores it)."""

_STARTUP_TIMEOUT = 60.0
"""Seconds the worker may take to start (it imports sympy and math-verify)."""

_WRAPPED = re.compile(r"\\boxed|(?<!\\)\$|\\\(|\\\[")
"""LaTeX that is already delimited: ``\\boxed{}``, ``$...$`` (not ``\\$``), ``\\(``, ``\\[``."""

_DIGIT_GROUP = re.compile(r"(?<=\d)(?:\\[,;: ]|~)(?=\d{3}(?!\d))")
"""A thin space between digit groups (``1\\,000``), which math-verify reads as a product."""

_PLUS_MINUS = re.compile(r"\\pm\b|\\mp\b|±")


def _plain_numbers(prediction: str, gold: str) -> tuple[bool, str | None] | None:
    """The verdict when the gold is one plain number, else None (math-verify decides).

    Reads both sides with ``pot.tasks.numbers`` (the number judge's reader), so that
    mixed numbers, number words and thin spaces read the same in both judges,
    integers compare exactly, and a range or alternatives against one number is wrong.
    """
    gold_number = read_whole_number(find_stated(gold) or gold)
    if gold_number is None:
        return None
    answer = find_stated(prediction) or prediction
    number = read_whole_number(answer)
    if number is not None:
        return same_number(number, gold_number), str(number)
    if read_number(answer)[1] == "hedged":
        return False, None
    return None


_PYTHON_NAMES = {
    "pi": "pi", "E": "E", "e": "E", "exp": "exp", "sqrt": "sqrt", "log": "log",
    "ln": "log", "sin": "sin", "cos": "cos", "tan": "tan", "asin": "asin",
    "acos": "acos", "atan": "atan", "oo": "oo", "I": "I", "Rational": "Rational",
}  # fmt: skip
"""Names a program's printed sympy answer uses, and what they are in sympy."""

_PYTHON_TEXT = re.compile(r"[\w\s.+\-*/()^,]+")
"""The characters of a printed Python expression: no quotes, brackets or backslashes."""

_PYTHON_NAME = re.compile(r"[A-Za-z_]\w*")
_NOT_DECIMAL_POINT = re.compile(r"\.(?!\d)|(?<!\d)\.")
_HUGE_POWER = re.compile(r"(?:\*\*|\^)\s*\(?\s*(?:\d{4}|[\w.]+\s*(?:\*\*|\^))")
"""A power that could take a sympy evaluation minutes: ``9**9**9``, ``2**12345``."""


def python_reading(text: str) -> Any | None:
    """``text`` read as the sympy expression a program printed (``pi/4``,
    ``exp(2)``, ``3*sqrt(2)/2``), which math-verify reads as LaTeX (``pi`` as ``p*i``):
    None unless it is arithmetic over numbers, the names of :data:`_PYTHON_NAMES`
    and one-letter variables, so that no other Python is ever evaluated."""
    text = text.strip()
    if not _PYTHON_TEXT.fullmatch(text) or "__" in text or _NOT_DECIMAL_POINT.search(text):
        return None  # a dot only in a number: no attribute is ever looked up
    if _HUGE_POWER.search(text):
        return None
    names = set(_PYTHON_NAME.findall(text))
    if any(name not in _PYTHON_NAMES and len(name) > 1 for name in names):
        return None
    if not names & set(_PYTHON_NAMES) and "**" not in text:
        return None  # nothing sympy reads otherwise than math-verify: leave it to it
    import sympy
    from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

    local = {name: getattr(sympy, _PYTHON_NAMES[name]) for name in names if name in _PYTHON_NAMES}
    # math-verify's LaTeX reader makes real symbols; x and x(real) are two symbols
    local |= {name: sympy.Symbol(name, real=True) for name in names if name not in _PYTHON_NAMES}
    known = {name: getattr(sympy, name) for name in ("Integer", "Float", "Symbol", "Rational")}
    try:
        return parse_expr(
            text,
            local_dict=local,
            global_dict={"__builtins__": {}, **known},
            transformations=(*standard_transformations, convert_xor),
        )
    except (SyntaxError, TypeError, ValueError, AttributeError, sympy.SympifyError):
        return None


_CUT_BEFORE = re.compile(r"(?:[*/^(+\-]|\\\w+|[A-Za-z_\d√π])\s*$")
_CUT_AFTER = re.compile(r"\s*(?:[*/^(+\-\\√π]|\*\*)|[A-Za-z_\d]|\s+(?:pi|e|i|sqrt)\b")


def _cut_short(text: str, extracted: str) -> bool:
    """Whether math-verify's plain-expression reading ``extracted`` is only a piece of an
    expression ``text`` goes on with: it reads ``2*pi`` and ``2*x + 1`` as ``2`` and
    ``4*pi/3`` as ``4`` (it stops at the first name it does not know), so that they were
    judged right against a gold of 2 or 4. A reading with only a unit beside it
    (``3/4 cup``) or an ``x =`` before it is whole."""
    at = text.rfind(extracted)
    if not extracted or at < 0:
        return False
    before, after = text[:at], text[at + len(extracted) :]
    if re.search(r"=\s*$", before):
        before = ""
    return bool(_CUT_BEFORE.search(before) or _CUT_AFTER.match(after))


def _several_values(text: str) -> bool:
    """Whether an answer names more than one value: ``\\pm``, or a comma-separated list."""
    return bool(_PLUS_MINUS.search(text)) or "," in text


def _candidates(prediction: str) -> list[tuple[str, str]]:
    """Ways to read a prediction: (text, "latex" | "expr" | "any")."""
    text = prediction.strip()
    if _WRAPPED.search(text):
        return [(text, "any"), (f"\\boxed{{{text}}}", "latex")]
    return [(f"\\boxed{{{text}}}", "latex"), (text, "expr")]


def verify_math(prediction: str, gold: str) -> tuple[bool, str | None]:
    """Compare a prediction with a gold answer by math-verify, in this thread, unbounded.

    The gold is bare LaTeX (as in MATH-500) or already wrapped in ``$...$`` or
    ``\\boxed{}``. The prediction may be LaTeX (wrapped or bare) or a plain
    expression (``sqrt(2)/2``); each reading is tried, and it is correct if any
    reading is equivalent to the gold. No time limit: use ``MathJudge`` for that.

    A gold that is one plain number is compared by the number reader
    (``pot.tasks.numbers``) first: ``"5 1/2"``, ``"eighteen"``, ``"1\\,000"`` read
    as numbers, integers compare exactly, and ``"12 and 13"`` is not 13. An answer
    with ``\\pm`` is wrong against a gold of one value.

    Args:
        prediction: The model's answer.
        gold: The gold answer.

    Returns:
        ``(correct, normalized prediction or None when nothing parsed)``.
    """
    plain = _plain_numbers(prediction, gold)
    if plain is not None:
        return plain
    correct, normalized = _verify(_DIGIT_GROUP.sub("", prediction), gold)
    answer = find_stated(prediction) or prediction
    if correct and _PLUS_MINUS.search(answer) and not _several_values(gold):
        return False, normalized  # "\\pm 3" names two values; the gold names one
    return correct, normalized


def _verify(prediction: str, gold: str) -> tuple[bool, str | None]:
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    configs: dict[str, list[Any]] = {
        "latex": [LatexExtractionConfig()],
        "expr": [ExprExtractionConfig()],
        "any": [LatexExtractionConfig(), ExprExtractionConfig()],
    }
    gold_text = gold if _WRAPPED.search(gold) else f"\\boxed{{{gold}}}"
    parsed_gold = parse(gold_text, parsing_timeout=None)
    if not parsed_gold:
        return False, None
    normalized = None
    for text, kind in _candidates(prediction):
        parsed = parse(text, extraction_config=configs[kind], parsing_timeout=None)
        if not parsed:
            continue
        if kind != "latex" and _cut_short(text, str(parsed[-1])):
            continue
        normalized = normalized or str(parsed[-1])[:_NORMALIZED_CAP]
        if verify(parsed_gold, parsed, timeout_seconds=None):
            return True, str(parsed[-1])[:_NORMALIZED_CAP]
    expression = python_reading(find_stated(prediction) or prediction)
    if expression is not None and verify(parsed_gold, [expression], timeout_seconds=None):
        return True, str(expression)[:_NORMALIZED_CAP]
    return False, normalized


class _Worker:
    """One ``python -m pot.tasks._math_worker`` process and a thread reading its replies."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pot.tasks._math_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        self.replies: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.ready = False

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.replies.put(line)
        self.replies.put(None)

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: dict[str, str], timeout: float) -> dict[str, Any] | None:
        """Send one request; the reply, or None on timeout or a dead worker."""
        deadline = time.monotonic() + timeout
        try:
            if not self.ready:  # wait for the imports before starting the clock
                if self._next(time.monotonic() + _STARTUP_TIMEOUT) is None:
                    return None
                self.ready = True
                deadline = time.monotonic() + timeout
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except OSError:
            return None
        return self._next(deadline)

    def _next(self, deadline: float) -> dict[str, Any] | None:
        try:
            line = self.replies.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        return None if line is None else json.loads(line)

    def stop(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.reader.join(timeout=5)


def _stop(holder: list[_Worker]) -> None:
    while holder:
        holder.pop().stop()


class MathJudge:
    """Judges LaTeX/symbolic answers with math-verify in a worker process, in bounded time.

    One worker process, started on first use (about 1.5 s here: it imports sympy and
    math-verify and warms them up); calls from several threads queue for it. Use as a context
    manager, or call ``close()``; the worker also ends with this process.

    Args:
        timeout: Seconds one verdict may take; longer counts as incorrect
            (``reason="timeout"``) and the worker is replaced.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._holder: list[_Worker] = []
        self._finalizer = weakref.finalize(self, _stop, self._holder)

    def start(self) -> MathJudge:
        """Start the worker now rather than on the first verdict; returns self."""
        with self._lock:
            self._worker()
        return self

    def _worker(self) -> _Worker:
        if importlib.util.find_spec("math_verify") is None:
            raise MissingDependencyError(
                "The LaTeX/symbolic judge needs math-verify: pip install 'pot-reasoning[eval]'."
            )
        if not self._holder or not self._holder[0].alive():
            _stop(self._holder)
            self._holder.append(_Worker())
        return self._holder[0]

    def __call__(self, prediction: object, gold: str) -> Judgement:
        """Judge one prediction against a gold answer.

        Args:
            prediction: The model's answer (converted with ``str``); None is incorrect.
            gold: The gold answer (bare LaTeX, or wrapped in ``$...$``/``\\boxed{}``).

        Raises:
            MissingDependencyError: math-verify is not installed.
        """
        if prediction is None or not str(prediction).strip():
            return Judgement(correct=False, reason="empty prediction")
        text = str(prediction).strip()
        if text == gold.strip():
            return Judgement(correct=True, normalized=text)
        with self._lock:
            reply = self._worker().ask({"prediction": text, "gold": gold}, self.timeout)
            if reply is None:
                _stop(self._holder)  # hung or dead: the next call starts a new worker
                return Judgement(correct=False, reason="timeout")
        if "error" in reply:
            return Judgement(correct=False, reason=f"math-verify failed: {reply['error']}")
        return Judgement(correct=bool(reply["correct"]), normalized=reply["normalized"])

    def close(self) -> None:
        """Stop the worker process (a later call starts a new one)."""
        with self._lock:
            _stop(self._holder)

    def __enter__(self) -> MathJudge:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
