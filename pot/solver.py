"""The reasoning loop: generate, extract, execute, observe, stop.

The loop is written once, as generators that *ask* for work (a generation,
an execution, a reset) and yield step records. Two small drivers answer the
requests: :meth:`Solver.stream` with blocking calls and :meth:`Solver.astream`
with asyncio, so the synchronous and asynchronous solvers never disagree.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from time import perf_counter

from pot.answers import answer_key, find_answer, printed_answer
from pot.chain import run_chain
from pot.consistency import vote
from pot.executors import AsyncExecutor, ExecutionResult, Executor
from pot.extract import extract_code
from pot.feedback import OUTPUT_LIMIT, describe_result, output_block
from pot.models.base import AsyncModel, GenerationConfig, Message, Model
from pot.modes import Mode, parse_mode
from pot.prompt_file import Prompt, default_prompt
from pot.prompts import (
    ANSWER_START,
    NUDGE_NO_CODE,
    NUDGE_NOTHING_PRINTED,
    OUTPUT_FENCE,
    SECOND_OPINION_SYSTEM,
    repair_request,
)
from pot.questions import (
    MAX_QUESTION_CHARS,
    EmptyQuestionError,
    NotTextError,
    QuestionError,
    QuestionTooLongError,
    check_limits,
    check_question,
)
from pot.requests import Execute, Executed, Generate, Generated, Loop, Ran, Reset, Totals
from pot.trace import (
    Answer,
    CodeStep,
    NoAnswerReason,
    SampleAnswer,
    Step,
    TextStep,
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

RESAMPLE_TEMPERATURE = 0.7
"""Temperature of a repair asked again because the model repeated a failed program."""
RESAMPLES = 1
"""How many times a repeated failing program is answered by sampling again."""
AUTO_ESCALATION = 3
"""Programs sampled by ``auto`` when its first two programs disagree."""
AUTO_TEMPERATURE = 0.7
"""Their temperature."""


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
        while True:
            try:
                item = loop.send(reply)
            except StopIteration as stop:
                yield totals.final(stop.value, perf_counter() - started)
                return
            reply = None
            if isinstance(item, Generate):
                began = perf_counter()
                batch = self.model.generate([item.conversation], self._config(item))
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
        executor = self.executor
        while True:
            try:
                item = loop.send(reply)
            except StopIteration as stop:
                yield totals.final(stop.value, perf_counter() - started)
                return
            reply = None
            if isinstance(item, Generate):
                began = perf_counter()
                if isinstance(self.model, AsyncModel):
                    batch = await self.model.agenerate([item.conversation], self._config(item))
                else:
                    batch = await asyncio.to_thread(
                        self.model.generate, [item.conversation], self._config(item)
                    )
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
            return (yield from self._auto(question))
        if self.samples == 1:
            answer = yield from self._reason(question, sample=0)
            return answer, None
        batch: Generated = yield Generate(self.prompt.conversation(question), self.samples)
        share = batch.seconds / self.samples
        answers: list[Answer] = []
        for sample, generation in enumerate(batch.samples):
            if sample:
                yield Reset()
            first = Generated([generation], share)
            answer = yield from self._reason(question, sample, first)
            yield SampleAnswer(sample=sample, answer=answer)
            answers.append(answer)
        return vote(answers)

    def _reason(
        self,
        question: str,
        sample: int,
        first: Generated | None = None,
        prompt: Prompt | None = None,
    ) -> Loop:
        """One sample: generate, extract, execute, observe, stop.

        A repair that repeats a program that already failed is not run again: the
        same request is sampled at :data:`RESAMPLE_TEMPERATURE` instead (a greedy
        model asked again answers the same), at most :data:`RESAMPLES` times.
        """
        mode = Mode.POT if self.mode is Mode.AUTO else self.mode
        opening = (prompt or self.prompt).conversation(question)
        history: list[Message] = []  # repairs and nudges after the opening
        draft = ""  # tir: the assistant message being continued, real outputs inserted
        forced = ""  # the start of an answer written for the model (cot, tir)
        nudged, ran_code, resample = False, False, False
        tried: set[str] = set()  # programs already run (pot, coc)
        resamples = 0  # repeated failing programs answered by sampling again
        last_ok: ExecutionResult | None = None
        failure, detail = NoAnswerReason.MAX_STEPS, f"no answer within {self.max_steps} steps"
        for index in range(self.max_steps):
            # generate
            conversation = opening + history
            if draft:
                conversation = [*conversation, Message(role="assistant", content=draft)]
            if index == 0 and first:
                generated = first
            elif resample:
                generated = yield Generate(
                    conversation,
                    temperature=RESAMPLE_TEMPERATURE,
                    seed_offset=1000 * (sample + 1) + resamples,
                )
            else:
                generated = yield Generate(conversation)
            resample = False
            generation = generated.samples[0]
            timing = {
                "model_seconds": generated.seconds,
                "prompt_tokens": generation.prompt_tokens,
                "completion_tokens": generation.completion_tokens,
            }
            # extract
            block = None
            if mode is not Mode.COT:
                block = extract_code(generation.text, "first" if mode is Mode.TIR else "last")
            if block is None:
                text, forced = forced + generation.text, ""
                stated = find_answer(text) if mode in (Mode.TIR, Mode.COT) else None
                # tir computes before it answers: an answer with no code run yet is nudged once
                unearned = mode is Mode.TIR and not ran_code and not nudged
                if stated is not None and not unearned:
                    yield TextStep(sample=sample, index=index, text=text, **timing)
                    return Answer.found(stated)
                nudge = "" if nudged or mode is Mode.PLAIN else self._nudge(ran_code)
                yield TextStep(sample=sample, index=index, text=text, nudge=nudge, **timing)
                if not nudge:
                    return self._give_up(ran_code, last_ok)
                nudged = True
                if nudge == ANSWER_START:  # the model completes its own answer
                    draft, forced = f"{draft}{text.rstrip()}\n\n{ANSWER_START}", ANSWER_START
                    continue
                history += [
                    Message(role="assistant", content=draft + text),
                    Message(role="user", content=nudge),
                ]
                draft = ""
                continue
            # execute
            written = f"{generation.text[: block.start]}```python\n{block.code}\n```"
            if mode is not Mode.TIR and block.code in tried:
                # the same program would fail the same way: ask again, sampling this time
                yield TextStep(sample=sample, index=index, text=generation.text, **timing)
                if resamples == RESAMPLES:
                    return Answer(reason=failure, detail="the model repeated a program that failed")
                resamples, resample = resamples + 1, True
                continue
            tried.add(block.code)
            if mode is Mode.COC:
                ran = yield from run_chain(block.code)
            else:
                executed: Executed = yield Execute(block.code)
                ran = Ran(result=executed.result, kernel_seconds=executed.seconds)
            ran_code = True
            observation = describe_result(ran.result, self.output_limit)
            yield CodeStep(
                sample=sample,
                index=index,
                text=written,
                code=block.code,
                execution=ran.result,
                observation=observation,
                lines=ran.lines,
                kernel_seconds=ran.kernel_seconds,
                model_seconds=generated.seconds + ran.model_seconds,
                prompt_tokens=generation.prompt_tokens + ran.prompt_tokens,
                completion_tokens=generation.completion_tokens + ran.completion_tokens,
            )
            # observe
            if ran.result.ok:
                last_ok = ran.result
            if mode is Mode.TIR:
                draft += f"{written}\n{output_block(observation)}"
                continue
            # stop (pot, coc): a program that printed its answer ends the sample
            if ran.result.ok:
                printed = printed_answer(ran.result.stdout, ran.result.result)
                if printed is not None:
                    return Answer.found(printed)
                failure, detail = NoAnswerReason.NOTHING_PRINTED, "the program printed nothing"
                request = NUDGE_NOTHING_PRINTED
            else:
                failure = NoAnswerReason.CODE_FAILED
                detail = f"the program still failed after {index + 1} attempts"
                request = repair_request(observation)
            history += [
                Message(role="assistant", content=written),
                Message(role="user", content=request),
            ]
        return Answer(reason=failure, detail=detail)

    def _auto(self, question: str) -> Loop:
        """Spend little where two programs agree, more where they do not.

        Two greedy programs from two different prompts (pot's, and a minimal one);
        when both give the same answer, that is the answer. Otherwise
        :data:`AUTO_ESCALATION` more programs are sampled in one batch and every
        executed answer votes (ties go to the earliest sample, pot's greedy program).
        """
        answers: list[Answer] = []
        second = Prompt(system=SECOND_OPINION_SYSTEM, name="second-opinion")
        for sample, prompt in enumerate((self.prompt, second)):
            if sample:
                yield Reset()
            answer = yield from self._reason(question, sample, prompt=prompt)
            yield SampleAnswer(sample=sample, answer=answer)
            answers.append(answer)
        first, other = answers
        if first.ok and other.ok and answer_key(first.value) == answer_key(other.value):
            return vote(answers)
        batch: Generated = yield Generate(
            self.prompt.conversation(question),
            AUTO_ESCALATION,
            temperature=AUTO_TEMPERATURE,
            seed_offset=1,
        )
        share = batch.seconds / AUTO_ESCALATION
        for generation in batch.samples:
            sample = len(answers)
            yield Reset()
            answer = yield from self._reason(question, sample, Generated([generation], share))
            yield SampleAnswer(sample=sample, answer=answer)
            answers.append(answer)
        return vote(answers)

    def _nudge(self, ran_code: bool) -> str:
        if self.mode is Mode.COT or (self.mode is Mode.TIR and ran_code):
            return ANSWER_START
        return NUDGE_NO_CODE

    def _give_up(self, ran_code: bool, last_ok: ExecutionResult | None) -> Answer:
        """The outcome when the model stops without code or an answer, even after a nudge."""
        if self.mode is Mode.TIR and last_ok is not None:
            printed = printed_answer(last_ok.stdout, last_ok.result)
            if printed is not None:
                return Answer.found(printed, "no final answer stated; the last printed value")
        if ran_code or self.mode is Mode.COT:
            return Answer(
                reason=NoAnswerReason.NO_FINAL_ANSWER,
                detail="the model stopped without stating a final answer",
            )
        detail = (
            "the model wrote no code"
            if self.mode is Mode.PLAIN
            else ("the model wrote no code, even after a nudge")
        )
        return Answer(reason=NoAnswerReason.NO_CODE, detail=detail)

    # -- running code ------------------------------------------------------------------

    def _config(self, request: Generate) -> GenerationConfig:
        temperature = self.temperature if request.temperature is None else request.temperature
        greedy = request.greedy or temperature == 0
        seed = self.seed
        if request.seed_offset and not greedy:
            seed = (self.seed or 0) + request.seed_offset
        return GenerationConfig(
            stop=[] if self.mode is Mode.COT else [OUTPUT_FENCE],
            max_new_tokens=self.max_new_tokens,
            temperature=0.0 if greedy else temperature,
            top_p=1.0 if greedy else 0.95,
            n=request.n,
            seed=seed,
        )
