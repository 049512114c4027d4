"""The reasoning loop: generate, extract, execute, observe, stop.

The loop is written once, as generators that *ask* for work (a generation,
an execution, a reset) and yield step records: one sample's loop by family of mode
in :mod:`pot.loops`, ``auto``'s escalation in :mod:`pot.auto`, samples and votes
here. Two small drivers answer the requests: :meth:`Solver.stream` with blocking
calls and :meth:`Solver.astream` with asyncio, so the synchronous and asynchronous
solvers never disagree.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from time import perf_counter

from pot.auto import auto
from pot.consistency import vote
from pot.decimals import asked_key
from pot.executors import AsyncExecutor, Executor
from pot.feedback import OUTPUT_LIMIT
from pot.loop_requests import Execute, Generate, GenerateReply, Loop, Reset, Totals
from pot.loop_steps import Sample
from pot.loops import FAMILIES
from pot.models.base import (
    AsyncModel,
    ContextOverflowError,
    Generation,
    GenerationConfig,
    Model,
)
from pot.modes import Mode, parse_mode
from pot.plausible import doubted_in_vote
from pot.prompt_file import Prompt, default_prompt
from pot.prompts import (
    OUTPUT_FENCE,
)
from pot.question_form import in_asked_form
from pot.questions import (
    MAX_QUESTION_CHARS,
    EmptyQuestionError,
    NotTextError,
    QuestionError,
    QuestionTooLongError,
    check_limits,
    check_question,
)
from pot.restate import in_notation
from pot.trace import (
    Answer,
    SampleAnswer,
    Step,
    Trace,
)

__all__ = [
    "DEFAULT_MAX_STEPS",
    "MAX_QUESTION_CHARS",
    "EmptyQuestionError",
    "NotTextError",
    "QuestionError",
    "QuestionTooLongError",
    "Solver",
    "check_question",
]

DEFAULT_MAX_STEPS = {
    Mode.POT: 3,
    Mode.TIR: 6,
    Mode.COC: 3,
    Mode.COT: 2,
    Mode.PLAIN: 1,
    Mode.AUTO: 3,
}
"""Generations per sample by mode (in ``pot`` and ``coc`` the steps after the first repair)."""


class Solver:
    """Solves questions with a model that writes code and an executor that runs it.

    Args:
        model: Any :class:`~pot.models.base.Model`; one model may be shared by
            solvers in several threads.
        executor: An :class:`~pot.executors.Executor` (for :meth:`astream`,
            preferably also an :class:`~pot.executors.AsyncExecutor`). Steps of
            one sample share its namespace; with ``samples > 1`` it is reset
            between samples.
        mode: ``"pot"``, ``"tir"``, ``"coc"`` or ``"cot"`` (see :class:`Mode`).
        max_steps: Generations per sample; default by mode (:data:`DEFAULT_MAX_STEPS`).
        samples: Self-consistency samples, generated as one batch and voted on.
        temperature: Sampling temperature; default 0 (greedy) for one sample,
            0.7 for several.
        max_new_tokens: Token budget of one generation.
        timeout: Seconds one piece of code may run.
        seed: Sampling seed passed to the model.
        output_limit: Characters of output or traceback shown to the model.
        max_question_chars: Longer questions raise :class:`QuestionTooLongError`.
        prompt: A :class:`~pot.prompt_file.Prompt` (system message and examples)
            in place of the mode's built-in one.
        restate: ``auto`` only: end with the winning program's result restated in
            the form the question asks for (:mod:`pot.restate`); False keeps what the
            program printed.

    Example:
        >>> solver = Solver(model, executor, mode="tir")
        >>> for step in solver.stream("What is 2**10 - 24?"):
        ...     print(step.kind)
        >>> solver.solve("What is 2**10 - 24?").answer.normalized
        '1000'
    """

    def __init__(
        self,
        model: Model,
        executor: Executor,
        mode: Mode | str = Mode.POT,
        *,
        max_steps: int | None = None,
        samples: int = 1,
        temperature: float | None = None,
        max_new_tokens: int = 768,
        timeout: float = 10.0,
        seed: int | None = None,
        output_limit: int = OUTPUT_LIMIT,
        max_question_chars: int = MAX_QUESTION_CHARS,
        prompt: Prompt | None = None,
        restate: bool = True,
    ) -> None:
        check_limits(samples, max_steps, timeout, max_new_tokens)
        self.model = model
        self.executor = executor
        self.mode = parse_mode(mode)
        if self.mode is Mode.AUTO and samples != 1:
            raise ValueError("auto decides how many programs to sample: leave samples at 1")
        if self.mode is Mode.PLAIN and max_steps not in (None, 1):
            raise ValueError("plain runs exactly one program: max_steps must be 1 (or unset)")
        self.max_steps = max_steps or DEFAULT_MAX_STEPS[self.mode]
        self.samples = samples
        self.temperature = (0.7 if samples > 1 else 0.0) if temperature is None else temperature
        self.max_new_tokens = max_new_tokens
        self.timeout = timeout
        self.seed = seed
        self.output_limit = output_limit
        self.max_question_chars = max_question_chars
        self.prompt = prompt or default_prompt(self.mode)
        self.restate = restate

    @property
    def model_name(self) -> str:
        return str(getattr(self.model, "name", type(self.model).__name__))

    @property
    def kernel_setup(self) -> str:
        """The code the executor runs in a fresh namespace (its preload), for replays."""
        return str(getattr(self.executor, "preload", "") or "")

    # -- drivers --------------------------------------------------------------------

    def stream(self, question: str) -> Iterator[Step]:
        """Solve ``question``, yielding each step as soon as it is over.

        The last event is always a :class:`~pot.trace.FinalAnswer`.

        Raises:
            QuestionError: The question is empty or too long.
            pot.models.ModelError: The model failed.
            pot.executors.ExecutorError: The kernel could not be used at all.
        """
        return self._drive(self._solve(check_question(question, self.max_question_chars)))

    def _drive(self, loop: Loop) -> Iterator[Step]:
        totals, started, reply = Totals(), perf_counter(), None
        overflow: ContextOverflowError | None = None  # thrown into the loop: it may go on
        while True:
            try:
                item = loop.throw(overflow) if overflow else loop.send(reply)
            except StopIteration as stop:
                yield totals.final(stop.value, perf_counter() - started)
                return
            reply, overflow = None, None
            if isinstance(item, Generate):
                began = perf_counter()
                try:
                    batch = self.model.generate(item.conversations, self._config(item))
                except ContextOverflowError as error:
                    overflow = error
                    continue
                reply = totals.generated(batch, perf_counter() - began)
            elif isinstance(item, Execute):
                began = perf_counter()
                result = self.executor.run(item.code, self.timeout)
                reply = totals.executed(result, perf_counter() - began)
            elif isinstance(item, Reset):
                self.executor.reset()
            else:
                yield item

    def astream(self, question: str) -> AsyncIterator[Step]:
        """The asyncio twin of :meth:`stream` (``async for step in solver.astream(q)``).

        Model calls are awaited when the model has ``agenerate`` (an
        :class:`~pot.models.base.AsyncModel`), else run in a worker thread; code
        runs through the executor's async API when it has one.
        """
        return self._adrive(self._solve(check_question(question, self.max_question_chars)))

    async def _adrive(self, loop: Loop) -> AsyncIterator[Step]:
        totals, started, reply = Totals(), perf_counter(), None
        overflow: ContextOverflowError | None = None  # thrown into the loop: it may go on
        executor = self.executor
        while True:
            try:
                item = loop.throw(overflow) if overflow else loop.send(reply)
            except StopIteration as stop:
                yield totals.final(stop.value, perf_counter() - started)
                return
            reply, overflow = None, None
            if isinstance(item, Generate):
                began = perf_counter()
                try:
                    batch = await self._agenerate(item)
                except ContextOverflowError as error:
                    overflow = error
                    continue
                reply = totals.generated(batch, perf_counter() - began)
            elif isinstance(item, Execute):
                began = perf_counter()
                if isinstance(executor, AsyncExecutor):
                    result = await executor.arun(item.code, self.timeout)
                else:
                    result = await asyncio.to_thread(executor.run, item.code, self.timeout)
                reply = totals.executed(result, perf_counter() - began)
            elif isinstance(item, Reset):
                if isinstance(executor, AsyncExecutor):
                    await executor.areset()
                else:
                    await asyncio.to_thread(executor.reset)
            else:
                yield item

    async def _agenerate(self, request: Generate) -> list[list[Generation]]:
        """The model's reply to ``request``, awaited (``agenerate``, or a worker thread)."""
        if isinstance(self.model, AsyncModel):
            return await self.model.agenerate(request.conversations, self._config(request))
        return await asyncio.to_thread(
            self.model.generate, request.conversations, self._config(request)
        )

    def solve(self, question: str) -> Trace:
        """Solve ``question`` and return the whole :class:`~pot.trace.Trace`."""
        events = list(self.stream(question))
        return Trace.from_events(
            question, self.mode, self.model_name, self.samples, events, self.kernel_setup
        )

    async def asolve(self, question: str) -> Trace:
        """The asyncio twin of :meth:`solve`."""
        events = [event async for event in self.astream(question)]
        return Trace.from_events(
            question, self.mode, self.model_name, self.samples, events, self.kernel_setup
        )

    # -- the loop -------------------------------------------------------------------

    def _solve(self, question: str) -> Loop:
        """One sample, or several generated as one batch and voted on."""
        if self.mode is Mode.AUTO:
            return (yield from auto(question, self._reason, self.prompt, self.restate))
        if self.samples == 1:
            answer = yield from self._reason(question, sample=0)
            return self._noted(question, answer), None
        batch: GenerateReply = yield Generate(self.prompt.conversation(question), self.samples)
        answers: list[Answer] = []
        for sample, first in enumerate(batch.each()):
            if sample:
                yield Reset()
            answer = yield from self._reason(question, sample, first)
            yield SampleAnswer(sample=sample, answer=answer)
            answers.append(answer)
        doubted = doubted_in_vote(question)
        preferred = in_asked_form(question)
        answer, ballot = vote(
            answers, key=asked_key(question), doubted=doubted, preferred=preferred
        )
        return self._noted(question, answer), ballot

    def _noted(self, question: str, answer: Answer) -> Answer:
        """A printed Python list in the question's notation for lists (``pot``, ``tir``,
        ``coc``; :func:`~pot.restate.in_notation`); ``plain`` and ``cot`` keep their
        answer as given, as baselines do."""
        if self.mode in (Mode.PLAIN, Mode.COT):
            return answer
        return in_notation(question, answer)

    def _reason(
        self,
        question: str,
        sample: int,
        first: GenerateReply | None = None,
        prompt: Prompt | None = None,
        mode: Mode | None = None,
    ) -> Loop:
        """One sample, run by its mode's family of loop (:data:`pot.loops.FAMILIES`);
        ``auto`` runs its chain of thought as ``mode=Mode.COT``."""
        opening = (prompt or self.prompt).conversation(question)
        steps = self.max_steps if mode is None else DEFAULT_MAX_STEPS[mode]
        mode = mode or self.mode
        settings = Sample(mode, opening, sample, steps, self.output_limit, first)
        return (yield from FAMILIES[mode](settings))

    # -- running code ------------------------------------------------------------------

    def _config(self, request: Generate) -> GenerationConfig:
        temperature = self.temperature if request.temperature is None else request.temperature
        greedy = request.greedy or temperature == 0
        seed = self.seed
        if request.seed_offset and not greedy:
            seed = (self.seed or 0) + request.seed_offset
        return GenerationConfig(
            stop=[] if self.mode is Mode.COT else [OUTPUT_FENCE],
            max_new_tokens=min(self.max_new_tokens, request.max_new_tokens or self.max_new_tokens),
            temperature=0.0 if greedy else temperature,
            top_p=1.0 if greedy else 0.95,
            n=request.n,
            seed=seed,
        )
