"""``auto``: spend little where two programs agree, more where they do not.

The escalation is written as a generator that asks for work, like the loops of
:mod:`pot.loops`; :class:`~pot.solver.Solver` runs it with ``reason``, its runner of
one sample (a mode's family of loop on a prompt).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Generator
from typing import Any, Protocol

from pot.answers import answer_key
from pot.consistency import short_kind, vote
from pot.decimals import asked_key
from pot.loop_requests import Generate, GenerateReply, Loop, Request, Reset, fitting
from pot.models.base import ContextOverflowError
from pot.modes import Mode
from pot.plausible import doubted_in_vote
from pot.prompt_file import Prompt, default_prompt
from pot.prompts import SECOND_OPINION_SYSTEM
from pot.question_form import in_asked_form
from pot.restate import restate, winning_program
from pot.trace import Answer, CodeStep, NoAnswerReason, SampleAnswer, Vote

AUTO_ESCALATION = 3
"""Programs sampled by ``auto`` when its first two programs disagree."""
AUTO_WORDS_ESCALATION = 3
"""Chains of thought in words sampled by ``auto`` after those programs, when its greedy
chain gave a short answer and the programs split: more votes of another kind (README,
Results)."""
AUTO_PROGRAMS_SETTLED = 4
"""Programs of ``auto``'s five that, giving one answer, leave no chains to sample: chains
of one prompt err alike (the 0.5B's four outvoted four right programs in a replay)."""
AUTO_TEMPERATURE = 0.7
"""Their temperature."""
WORDS = 2
"""``auto``'s chain of thought in words: its sample number, and the tie-breaker of its vote."""


def auto_sample_name(sample: int) -> str:
    """What sample number ``sample`` of an ``auto`` solve is (``pot report --samples``)."""
    programs = WORDS + 1 + AUTO_ESCALATION
    if sample < WORDS:
        return ("pot's program" if sample == 0 else "the minimal prompt's program") + " (greedy)"
    if sample == WORDS:
        return "chain of thought (greedy)"
    if sample < programs:
        return f"program sampled ({sample - WORDS} of {AUTO_ESCALATION})"
    return f"chain of thought sampled ({sample - programs + 1} of {AUTO_WORDS_ESCALATION})"


class Reason(Protocol):
    """Runs one sample of a question: by default the solver's prompt and mode; ``first``
    is its first generation where a batch made it."""

    def __call__(
        self,
        question: str,
        sample: int,
        first: GenerateReply | None = None,
        prompt: Prompt | None = None,
        mode: Mode | None = None,
    ) -> Loop: ...


def auto(question: str, reason: Reason, prompt: Prompt, restated: bool = True) -> Loop:
    """``auto``'s whole solve of ``question``; returns the voted answer and its vote.

    Two greedy programs from two different prompts (``prompt``, and a minimal one),
    generated in one batch; when both give the same answer, one the question does not
    rule out (:func:`~pot.plausible.doubted_in_vote`), that is the answer. Otherwise a greedy
    chain of thought in words answers too, :data:`AUTO_ESCALATION` more programs are
    sampled in one batch, then, when the chain's answer is short (a number or a few
    words: :func:`~pot.consistency.short_kind`) and the programs are split,
    :data:`AUTO_WORDS_ESCALATION` more chains of thought in one batch, and every answer
    votes (a chain that answered with a grid, a list or an expression gets no more
    chains, nor a tie; an answer the question rules out ranks last). A tie goes to the
    answer the greedy chain of thought gave, when it is among the tied and of the
    rival's kind (two numbers, or a few plain words each: where programs split, the
    route that wrote no program decides), else to the earliest sample: the greedy
    program of ``prompt``, the minimal prompt's, the sampled programs, the sampled
    chains.
    Last, with ``restated``, the winner is restated in the form the question asks
    for (:mod:`pot.restate`). A sample whose prompt and the question do not fit the
    model's context is a ``context_full`` no-answer; only a question that fits with no
    prompt ends the solve with :class:`~pot.models.base.ContextOverflowError`.
    """
    answers: list[Answer] = []
    programs: dict[int, CodeStep] = {}  # each sample's last program that ran
    second = Prompt(system=SECOND_OPINION_SYSTEM, name="second-opinion")
    firsts = yield from _first_programs(question, (prompt, second))
    for sample, (opening, first) in enumerate(zip((prompt, second), firsts, strict=True)):
        if sample:
            yield Reset()
        answer = yield from _program(question, reason, sample, first, opening, programs)
        yield SampleAnswer(sample=sample, answer=answer)
        answers.append(answer)
    first, other = answers
    key = asked_key(question)  # -sqrt(265)/15 is -1.0853 where 4 places are asked
    doubted = doubted_in_vote(question)  # its own example, no option, a negative count
    preferred = in_asked_form(question)  # 05:52 where it asks for HH:MM
    agreed = first.ok and other.ok and key(first.value or "") == key(other.value or "")
    if agreed and not doubted(first.value or ""):
        voted = vote(answers, key=key, doubted=doubted, preferred=preferred)
        return (yield from _restated(question, voted, programs, restated))
    # a third opinion in words (greedy), then programs sampled in one batch
    words_prompt = default_prompt(Mode.COT)
    try:
        words = yield from reason(question, WORDS, prompt=words_prompt, mode=Mode.COT)
    except ContextOverflowError:
        words = _no_room(WORDS)
    yield SampleAnswer(sample=WORDS, answer=words)
    answers.append(words)
    batch = yield from _sampled(prompt, question, AUTO_ESCALATION, seed_offset=1)
    for reply in batch.each() if isinstance(batch, GenerateReply) else [batch] * AUTO_ESCALATION:
        sample = len(answers)
        yield Reset()
        answer = yield from _program(question, reason, sample, reply, prompt, programs)
        yield SampleAnswer(sample=sample, answer=answer)
        answers.append(answer)
    if wants_chains(words, [a for sample, a in enumerate(answers) if sample != WORDS], key):
        yield from _sampled_chains(question, reason, words_prompt, answers)
    voted = vote(answers, WORDS, key, doubted, preferred)
    return (yield from _restated(question, voted, programs, restated))


def wants_chains(
    words: Answer, programs: list[Answer], key: Callable[[str], str] = answer_key
) -> bool:
    """Whether ``auto`` samples more chains of thought: the greedy chain gave a short
    answer (:func:`~pot.consistency.short_kind`) and the programs are split (fewer than
    :data:`AUTO_PROGRAMS_SETTLED` of them gave one answer)."""
    if not words.ok or short_kind(words.value or "") is None:
        return False
    keys = Counter(key(answer.value) for answer in programs if answer.value is not None)
    return not keys or max(keys.values()) < AUTO_PROGRAMS_SETTLED


def _sampled_chains(question: str, reason: Reason, prompt: Prompt, answers: list[Answer]) -> Loop:
    """:data:`AUTO_WORDS_ESCALATION` chains of thought sampled in one batch, each
    answer appended to ``answers`` (they run no code: no kernel reset)."""
    chains = yield from _sampled(prompt, question, AUTO_WORDS_ESCALATION, seed_offset=2)
    if isinstance(chains, ContextOverflowError):
        return
    for reply in chains.each():
        sample = len(answers)
        answer = yield from reason(question, sample, reply, prompt=prompt, mode=Mode.COT)
        yield SampleAnswer(sample=sample, answer=answer)
        answers.append(answer)


def _first_programs(
    question: str, openings: tuple[Prompt, Prompt]
) -> Generator[Request, Any, list[GenerateReply | ContextOverflowError]]:
    """The two greedy programs' first generations, in one batch; where the question does
    not fit the model's context with both prompts, each alone (pot's few-shot prompt is
    the longer), the one that does not fit given as its error. Raises the error when the
    question fits with neither."""
    conversations = [opening.conversation(question) for opening in openings]
    pair = yield from fitting(Generate(conversations[0], more=tuple(conversations[1:])))
    if not isinstance(pair, ContextOverflowError):
        return pair.each()
    firsts: list[GenerateReply | ContextOverflowError] = []
    for conversation in conversations:
        firsts.append((yield from fitting(Generate(conversation))))
    if all(isinstance(first, ContextOverflowError) for first in firsts):
        raise pair
    return firsts


def _sampled(
    prompt: Prompt, question: str, n: int, seed_offset: int
) -> Generator[Request, Any, GenerateReply | ContextOverflowError]:
    """``n`` replies to ``prompt`` sampled at :data:`AUTO_TEMPERATURE` in one batch, or
    the error where the question does not fit with that prompt."""
    request = Generate(
        prompt.conversation(question), n, temperature=AUTO_TEMPERATURE, seed_offset=seed_offset
    )
    return (yield from fitting(request))


def _program(
    question: str,
    reason: Reason,
    sample: int,
    first: GenerateReply | ContextOverflowError,
    opening: Prompt,
    programs: dict[int, CodeStep],
) -> Loop:
    """One program sample from its first generation, or its no-answer where the question
    did not fit the model's context with ``opening``."""
    if isinstance(first, ContextOverflowError):
        return _no_room(sample)
    return (yield from _noting(reason(question, sample, first, prompt=opening), programs))


def _no_room(sample: int) -> Answer:
    """A sample ``auto`` could not ask for: the question does not fit with its prompt."""
    return Answer(
        reason=NoAnswerReason.CONTEXT_FULL,
        detail=f"{auto_sample_name(sample)}: the question and its prompt do not fit the "
        "model's context",
    )


def _restated(
    question: str, voted: tuple[Answer, Vote], programs: dict[int, CodeStep], restated: bool
) -> Loop:
    """The vote's answer in the form the question asks for (:mod:`pot.restate`),
    when a sample that gave it printed it from a program."""
    answer, ballot = voted
    step = winning_program(ballot, programs)
    if not restated or step is None or not answer.ok:
        return voted
    return (yield from restate(question, answer, step)), ballot


def _noting(loop: Loop, programs: dict[int, CodeStep]) -> Loop:
    """Pass ``loop`` through, noting each sample's last program that ran without error
    (a solve closed early, say a cancelled stream, closes ``loop`` with it); a context
    overflow thrown in by the driver goes on to ``loop``, which may end its sample."""
    reply, overflow = None, None
    try:
        while True:
            try:
                item = loop.throw(overflow) if overflow else loop.send(reply)
            except StopIteration as stop:
                return stop.value
            overflow = None
            if isinstance(item, CodeStep) and item.execution.ok:
                programs[item.sample] = item
            try:
                reply = yield item
            except ContextOverflowError as error:
                overflow = error
    finally:
        loop.close()
