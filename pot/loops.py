"""The two families of the reasoning loop, one generator each (driven by ``pot.solver``).

* :func:`programs` (``pot``, ``coc``, ``plain``, and each program of ``auto``):
  write a program, run it, and if it failed or printed nothing, show the model what
  happened and ask for a new one. A program that already failed is never run again.
* :func:`continued` (``tir``, ``cot``): one assistant message that keeps growing:
  ``tir`` runs each code block as it is written and puts its real output into the
  message, ``cot`` reasons in words; both end with a stated answer.

Each generator asks for work (:class:`~pot.loop_requests.Generate`,
:class:`~pot.loop_requests.Execute`)
and yields step records, returning the sample's :class:`~pot.trace.Answer`. A new mode
is a new function here and a line in :data:`FAMILIES`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from pot.answers import FoundAnswer, find_answer, is_object_repr, printed_answer
from pot.choices import Choices, question_choices
from pot.coc_run import run_chain
from pot.copies import COPY_NOTE, COPY_OUTPUT, Examples
from pot.executors import ExecutionResult
from pot.extract import CodeBlock, extract_code
from pot.feedback import describe_result, failure_in_words, output_block
from pot.loop_requests import Execute, ExecuteReply, Generate, GenerateReply, Loop, ProgramRun
from pot.models.base import Generation, Message, StopReason
from pot.modes import Mode
from pot.notation import AnswerForm
from pot.plausible import negative_amount
from pot.prompts import (
    ANSWER_START,
    CUT_OFF_DATA_NOTE,
    CUT_OFF_NOTE,
    NUDGE_NO_CODE,
    NUDGE_NOTHING_PRINTED,
    afresh_note,
    negative_amount_request,
    not_an_option_request,
    object_printed_request,
    repair_request,
)
from pot.question_data import long_data
from pot.question_examples import EXAMPLE_NOTE, EXAMPLE_OUTPUT, uses_question_example
from pot.trace import Answer, CodeStep, NoAnswerReason, TextStep
from pot.typos import case_mended

RESAMPLE_TEMPERATURE = 0.7
"""Temperature of a repair asked again because the model repeated a failed program."""
RESAMPLES = 1
"""How many times a repeated failing program is answered by sampling again."""


@dataclass(frozen=True)
class Sample:
    """What one sample's loop needs to know.

    Attributes:
        mode: The solver's mode (``auto`` included: its programs run as ``pot``).
        opening: The conversation that starts the sample (system, examples, question).
        index: Which sample this is (its steps carry it; it seeds resampling).
        max_steps: Generations the sample may use.
        output_limit: Characters of output or traceback shown to the model.
        first: Its first generation when it was made in a batch with others.
    """

    mode: Mode
    opening: list[Message]
    index: int
    max_steps: int
    output_limit: int
    first: GenerateReply | None = None

    def generate(self, step: int, conversation: list[Message]) -> Generate | GenerateReply:
        """The first generation when it is given, else a request for one."""
        if step == 0 and self.first is not None:
            return self.first
        return Generate(conversation)


def programs(sample: Sample) -> Loop:
    """Write a program, run it, repair it: until a program prints an answer.

    An answer sent back as implausible (:mod:`pot.plausible`) is still the sample's
    answer when no repair gives one: the doubt never loses an answer."""
    doubted: list[FoundAnswer] = []
    answer = yield from _programs(sample, doubted)
    if answer.ok or not doubted:
        return answer
    return Answer.found(doubted[0], f"printed before the doubt; then {answer.detail}")


def _programs(sample: Sample, doubted: list[FoundAnswer]) -> Loop:
    mode = Mode.POT if sample.mode is Mode.AUTO else sample.mode
    history: list[Message] = []  # repairs and nudges after the opening
    tried: set[str] = set()  # programs already run
    examples = Examples.of(sample.opening)
    question = sample.opening[-1].content
    choices = question_choices(question)
    form = AnswerForm.of(question)  # a literal, one item a line, a grid: read so
    opening, setup = sample.opening, ""
    data = long_data(question) if mode is Mode.POT else None
    if data is not None and os.environ.get("POT_QUESTION_DATA") != "off":  # parse, not retype
        opening = _noted(opening, data.note)
        setup = data.setup
    nudged, runs, resamples = False, 0, 0  # runs: programs run
    how_failed = ""  # how the last program that ran failed (none: it did not)
    request: Generate | GenerateReply | None = None
    failure, detail = NoAnswerReason.MAX_STEPS, f"no answer within {sample.max_steps} steps"
    for index in range(sample.max_steps):
        asked = request or sample.generate(index, opening + history)
        request = None
        generated: GenerateReply = asked if isinstance(asked, GenerateReply) else (yield asked)
        generation = generated.samples[0]
        block = extract_code(generation.text, "last")
        if block is None:  # no code: nudge once (plain never does)
            nudge = "" if nudged or mode is Mode.PLAIN else NUDGE_NO_CODE
            yield _text_step(sample, index, generated, generation.text, nudge)
            if not nudge:
                return give_up(sample.mode, runs > 0, None)
            nudged = True
            history += [_said(generation.text), _asked(nudge)]
            continue
        written = _written(generation.text, block)
        if block.code in tried:  # it would fail the same way: ask again, sampling this time
            yield _text_step(sample, index, generated, generation.text)
            if resamples == RESAMPLES:
                return Answer(reason=failure, detail=f"{detail}; it repeated that program")
            resamples += 1
            if how_failed:  # afresh, told what failed but not shown the program it copies
                opening, history = _noted(opening, afresh_note(how_failed)), []
            request = Generate(
                opening + history,
                temperature=RESAMPLE_TEMPERATURE,
                seed_offset=1000 * (sample.index + 1) + resamples,
            )
            continue
        tried.add(block.code)
        declined = _declined(block.code, examples, question, mode)
        if declined is not None:  # it answers an example, not this problem: not run
            yield _text_step(sample, index, generated, generation.text, declined.note)
            failure, detail = NoAnswerReason.CODE_FAILED, declined.detail
            history += [_said(written), _asked(declined.note)]
            continue
        if _cut_off(generation, block) and mode is not Mode.PLAIN:  # it cannot run whole
            note = CUT_OFF_DATA_NOTE if setup else CUT_OFF_NOTE
            yield _text_step(sample, index, generated, generation.text, note)
            failure, detail = (
                NoAnswerReason.CODE_FAILED,
                "the program was cut off at the length limit",
            )
            history += [_said(written), _asked(note)]
            continue
        if mode is Mode.COC:
            ran = yield from run_chain(block.code)
        else:
            if setup:  # the question's data as `data`, for the program to parse (not a step)
                yield Execute(setup)
            executed: ExecuteReply = yield Execute(block.code)
            ran = ProgramRun(result=executed.result, kernel_seconds=executed.seconds)
        runs += 1
        observation = describe_result(ran.result, sample.output_limit)
        yield _code_step(sample, index, generated, written, block, ran, observation, setup)
        if ran.result.ok:  # a program that printed its answer ends the sample (plain: any)
            how_failed = ""
            printed = printed_answer(ran.result.stdout, ran.result.result)
            if mode is not Mode.PLAIN:  # plain takes its last line as printed
                printed = form.read(ran.result.stdout, printed)
            refused = None
            if printed is not None and mode is not Mode.PLAIN:
                refused = _refusal(printed.value, choices)
                last = index + 1 == sample.max_steps
                if refused is None and not doubted and not last:  # once; believed the next time
                    refused = _implausible(printed.value, question)
                    if refused is not None:
                        doubted.append(printed)
            if printed is not None and refused is None:
                return Answer.found(printed)
            failure = NoAnswerReason.NOTHING_PRINTED
            detail, repair = refused or ("the program printed nothing", NUDGE_NOTHING_PRINTED)
        else:
            failure = NoAnswerReason.CODE_FAILED
            detail = f"the program still failed after {runs} run{'s' if runs > 1 else ''}"
            how_failed = failure_in_words(ran.result)
            repair = repair_request(observation)
            mended = case_mended(block.code, ran.result.error)
            if mended is not None and mode is not Mode.PLAIN:  # pot writes the next step
                request = _pot_wrote(mended)
        history += [_said(written), _asked(repair)]
    return Answer(reason=failure, detail=detail)


def continued(sample: Sample) -> Loop:
    """One growing message: ``tir`` runs its code blocks as written, ``cot`` reasons in
    words; the sample ends with a stated answer (nudged once to state one)."""
    history: list[Message] = []  # a nudge to write code, when there was one
    draft = ""  # the assistant message being continued, real outputs inserted
    forced = ""  # the start of an answer written for the model
    nudged, ran_code = False, False
    last_ok: ExecutionResult | None = None
    examples = Examples.of(sample.opening)
    question = sample.opening[-1].content
    for index in range(sample.max_steps):
        conversation = sample.opening + history
        if draft:
            conversation = [*conversation, Message(role="assistant", content=draft)]
        asked = sample.generate(index, conversation)
        generated: GenerateReply = asked if isinstance(asked, GenerateReply) else (yield asked)
        generation = generated.samples[0]
        block = extract_code(generation.text, "first") if sample.mode is Mode.TIR else None
        if block is None:
            text, forced = forced + generation.text, ""
            stated = find_answer(text)
            # tir computes before it answers: an answer with no code run yet is nudged once
            unearned = sample.mode is Mode.TIR and not ran_code and not nudged
            if stated is not None and not unearned:
                yield _text_step(sample, index, generated, text)
                return Answer.found(stated)
            nudge = "" if nudged else _continue_nudge(sample.mode, ran_code)
            yield _text_step(sample, index, generated, text, nudge)
            if not nudge:
                return give_up(sample.mode, ran_code, last_ok)
            nudged = True
            if nudge == ANSWER_START:  # the model completes its own answer
                draft, forced = f"{draft}{text.rstrip()}\n\n{ANSWER_START}", ANSWER_START
                continue
            history += [_said(draft + text), _asked(nudge)]
            draft = ""
            continue
        written = _written(generation.text, block)
        declined = _declined(block.code, examples, question, sample.mode)
        if declined is not None:  # not run: it works on an example, not on this problem
            yield _text_step(sample, index, generated, written, declined.output)
            draft += f"{written}\n{output_block(declined.output)}"
            continue
        executed: ExecuteReply = yield Execute(block.code)
        ran = ProgramRun(result=executed.result, kernel_seconds=executed.seconds)
        ran_code = True
        observation = describe_result(ran.result, sample.output_limit)
        yield _code_step(sample, index, generated, written, block, ran, observation)
        if ran.result.ok:
            last_ok = ran.result
        draft += f"{written}\n{output_block(observation)}"
    return Answer(
        reason=NoAnswerReason.MAX_STEPS, detail=f"no answer within {sample.max_steps} steps"
    )


FAMILIES: dict[Mode, Callable[[Sample], Loop]] = {
    Mode.POT: programs,
    Mode.COC: programs,
    Mode.PLAIN: programs,
    Mode.AUTO: programs,
    Mode.TIR: continued,
    Mode.COT: continued,
}
"""The loop each mode runs a sample with."""


def give_up(mode: Mode, ran_code: bool, last_ok: ExecutionResult | None) -> Answer:
    """The outcome when the model stops without code or an answer, even after a nudge."""
    if mode is Mode.TIR and last_ok is not None:
        printed = printed_answer(last_ok.stdout, last_ok.result)
        if printed is not None and not is_object_repr(printed.value):
            return Answer.found(printed, "no final answer stated; the last printed value")
    if ran_code or mode is Mode.COT:
        return Answer(
            reason=NoAnswerReason.NO_FINAL_ANSWER,
            detail="the model stopped without stating a final answer",
        )
    detail = (
        "the model wrote no code"
        if mode is Mode.PLAIN
        else "the model wrote no code, even after a nudge"
    )
    return Answer(reason=NoAnswerReason.NO_CODE, detail=detail)


def _continue_nudge(mode: Mode, ran_code: bool) -> str:
    """cot, and tir once it ran code, are handed the start of an answer to complete."""
    return ANSWER_START if mode is Mode.COT or ran_code else NUDGE_NO_CODE


@dataclass(frozen=True)
class Declined:
    """Why a program is not run, and what the model is shown instead."""

    detail: str
    """The sample's detail when it ends with no answer."""
    note: str
    """What a one-program mode tells the model in place of the output."""
    output: str
    """What ``tir`` shows as the block's output."""


def _declined(code: str, examples: Examples, question: str, mode: Mode) -> Declined | None:
    """Why a program is not run, or None: it is one of the prompt's examples, or (not in
    ``plain``) it works on the question's own example of its answer's form."""
    if examples.copied_by(code):
        return Declined("the model wrote an example's program", COPY_NOTE, COPY_OUTPUT)
    if mode is not Mode.PLAIN and uses_question_example(code, question):
        return Declined("the model worked on the question's example", EXAMPLE_NOTE, EXAMPLE_OUTPUT)
    return None


def _cut_off(generation: Generation, block: CodeBlock) -> bool:
    """Whether the token limit cut the reply inside a program that does not compile."""
    if generation.stop_reason is not StopReason.LENGTH or block.closed:
        return False
    try:
        compile(block.code, "<program>", "exec")
    except (SyntaxError, ValueError):
        return True
    return False


def _refusal(value: str, choices: Choices | None) -> tuple[str, str] | None:
    """Why a printed value is no answer (the detail, the repair request), or None."""
    if is_object_repr(value):
        return f"the program printed an object, {value[:80]}", object_printed_request(value)
    if choices is not None and not choices.holds(value):
        detail = f"the program printed {value[:80]!r}, none of the options"
        return detail, not_an_option_request(value, choices.named())
    return None


def _implausible(value: str, question: str) -> tuple[str, str] | None:
    """Why a printed value cannot answer ``question`` (the detail, the repair request),
    or None: a negative number for "how many" or "how much" (:mod:`pot.plausible`)."""
    asked = negative_amount(question, value)
    if asked is None:
        return None
    detail = f"the program printed {value[:80]!r}, a negative number for {asked}"
    return detail, negative_amount_request(value, asked)


def _pot_wrote(code: str) -> GenerateReply:
    """A step pot writes itself, in place of the model's next program."""
    program = Generation(text=f"```python\n{code}\n```", stop_reason=StopReason.END)
    return GenerateReply([program], 0.0)


def _noted(opening: list[Message], note: str) -> list[Message]:
    """The sample's opening with ``note`` added after its question."""
    return [*opening[:-1], Message(role="user", content=opening[-1].content + note)]


def _said(text: str) -> Message:
    return Message(role="assistant", content=text)


def _asked(text: str) -> Message:
    return Message(role="user", content=text)


def _written(text: str, block: CodeBlock) -> str:
    """The reply up to and including its code block (what follows it is dropped)."""
    return f"{text[: block.start]}```python\n{block.code}\n```"


def _text_step(
    sample: Sample, index: int, generated: GenerateReply, text: str, nudge: str = ""
) -> TextStep:
    generation = generated.samples[0]
    return TextStep(
        sample=sample.index,
        index=index,
        text=text,
        nudge=nudge,
        model_seconds=generated.seconds,
        prompt_tokens=generation.prompt_tokens,
        completion_tokens=generation.completion_tokens,
    )


def _code_step(
    sample: Sample,
    index: int,
    generated: GenerateReply,
    written: str,
    block: CodeBlock,
    ran: ProgramRun,
    observation: str,
    setup: str = "",
) -> CodeStep:
    generation = generated.samples[0]
    return CodeStep(
        sample=sample.index,
        index=index,
        text=written,
        code=block.code,
        execution=ran.result,
        observation=observation,
        setup=setup,
        lines=ran.lines,
        kernel_seconds=ran.kernel_seconds,
        model_seconds=generated.seconds + ran.model_seconds,
        prompt_tokens=generation.prompt_tokens + ran.prompt_tokens,
        completion_tokens=generation.completion_tokens + ran.completion_tokens,
    )
