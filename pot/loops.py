"""The reasoning loop of one program after another, and which loop each mode runs.

* :func:`programs` (``pot``, ``coc``, ``plain``, and each program of ``auto``):
  write a program, run it, and if it failed or printed nothing, show the model what
  happened and ask for a new one. A program that already failed is never run again.
* :func:`pot.continued.continued` (``tir``, ``cot``): one assistant message that
  keeps growing.

Each loop is a generator driven by ``pot.solver``: it asks for work
(:class:`~pot.loop_requests.Generate`, :class:`~pot.loop_requests.Execute`) and yields
step records, returning the sample's :class:`~pot.trace.Answer`. A new mode is a new
function and a line in :data:`FAMILIES`.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from pot.answers import FoundAnswer, is_object_repr, printed_answer
from pot.choices import Choices, question_choices
from pot.coc_run import run_chain
from pot.continued import continued, give_up
from pot.copies import Examples
from pot.extract import CodeBlock, extract_code
from pot.feedback import describe_result, failure_in_words
from pot.loop_requests import Execute, ExecuteReply, Generate, GenerateReply, Loop, ProgramRun
from pot.loop_steps import (
    Sample,
    assistant_message,
    code_step,
    reply_to,
    text_step,
    up_to_code,
    user_message,
    why_declined,
)
from pot.models.base import Generation, Message, StopReason
from pot.modes import Mode
from pot.notation import AnswerForm
from pot.plausible import broken_list, negative_amount
from pot.prompts import (
    CUT_OFF_DATA_NOTE,
    CUT_OFF_NOTE,
    NUDGE_NO_CODE,
    NUDGE_NOTHING_PRINTED,
    afresh_note,
    broken_list_request,
    example_answer_request,
    negative_amount_request,
    not_an_option_request,
    object_printed_request,
    open_choice_request,
    repair_request,
)
from pot.question_data import long_data
from pot.question_examples import copies_example, open_choice
from pot.trace import Answer, NoAnswerReason
from pot.typos import mended

RESAMPLE_TEMPERATURE = 0.7
"""Temperature of a repair asked again because the model repeated a failed program."""
RESAMPLES = 1
"""How many times a repeated failing program is answered by sampling again."""


def programs(sample: Sample) -> Loop:
    """Write a program, run it, repair it: until a program prints an answer.

    An answer sent back as implausible (:mod:`pot.plausible`) is still the sample's
    answer when no repair gives one: the doubt never loses an answer."""
    doubted: list[FoundAnswer] = []
    answer = yield from _programs(sample, doubted)
    if answer.ok or not doubted:
        return answer
    detail = f"printed before the doubt; then {answer.detail}"
    return Answer.found(doubted[0], detail, printed=True)


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
        generated = yield from reply_to(asked, index)
        if isinstance(generated, Answer):  # the conversation outgrew the context
            return generated
        generation = generated.samples[0]
        block = extract_code(generation.text, "last")
        if block is None:  # no code: nudge once (plain never does)
            nudge = "" if nudged or mode is Mode.PLAIN else NUDGE_NO_CODE
            yield text_step(sample, index, generated, generation.text, nudge)
            if not nudge:
                return give_up(sample.mode, runs > 0, None)
            nudged = True
            history += [assistant_message(generation.text), user_message(nudge)]
            continue
        written = up_to_code(generation.text, block)
        if block.code in tried:  # it would fail the same way: ask again, sampling this time
            yield text_step(sample, index, generated, generation.text)
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
        declined = why_declined(block.code, examples, question, mode)
        if declined is not None:  # it answers an example, not this problem: not run
            yield text_step(sample, index, generated, generation.text, declined.note)
            failure, detail = NoAnswerReason.CODE_FAILED, declined.detail
            history += [assistant_message(written), user_message(declined.note)]
            continue
        if _cut_off(generation, block) and mode is not Mode.PLAIN:  # it cannot run whole
            note = CUT_OFF_DATA_NOTE if setup else CUT_OFF_NOTE
            yield text_step(sample, index, generated, generation.text, note)
            failure, detail = (
                NoAnswerReason.CODE_FAILED,
                "the program was cut off at the length limit",
            )
            history += [assistant_message(written), user_message(note)]
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
        yield code_step(sample, index, generated, written, block, ran, observation, setup)
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
                return Answer.found(printed, printed=True)
            failure = NoAnswerReason.NOTHING_PRINTED
            detail, repair = refused or ("the program printed nothing", NUDGE_NOTHING_PRINTED)
        else:
            failure = NoAnswerReason.CODE_FAILED
            detail = f"the program still failed after {runs} run{'s' if runs > 1 else ''}"
            how_failed = failure_in_words(ran.result)
            repair = repair_request(observation)
            mend = mended(block.code, ran.result.error)
            if mend is not None and mode is not Mode.PLAIN:  # pot writes the next step
                request = _pot_wrote(mend)
        history += [assistant_message(written), user_message(repair)]
    return Answer(reason=failure, detail=detail)


FAMILIES: dict[Mode, Callable[[Sample], Loop]] = {
    Mode.POT: programs,
    Mode.COC: programs,
    Mode.PLAIN: programs,
    Mode.AUTO: programs,
    Mode.TIR: continued,
    Mode.COT: continued,
}
"""The loop each mode runs a sample with."""


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
    or None: a negative number for "how many" or "how much" (:mod:`pot.plausible`), the
    question's own example of its answer (:func:`~pot.question_examples.copies_example`),
    an answer with a choice of its template unmade (``saint/sinner``), a list with an
    empty item (:func:`~pot.plausible.broken_list`)."""
    asked = negative_amount(question, value)
    if asked is not None:
        detail = f"the program printed {value[:80]!r}, a negative number for {asked}"
        return detail, negative_amount_request(value, asked)
    if copies_example(question, value):
        detail = f"the program printed {value[:80]!r}, the question's own example"
        return detail, example_answer_request(value)
    choice = open_choice(question, value)
    if choice is not None:
        detail = f"the program printed {value[:80]!r}, with the template's {choice!r} unchosen"
        return detail, open_choice_request(value, choice)
    broken = broken_list(value)
    if broken is not None:
        detail = f"the program printed {value[:80]!r}, with {broken}"
        return detail, broken_list_request(value, broken)
    return None


def _pot_wrote(code: str) -> GenerateReply:
    """A step pot writes itself, in place of the model's next program."""
    program = Generation(text=f"```python\n{code}\n```", stop_reason=StopReason.END)
    return GenerateReply([program], 0.0)


def _noted(opening: list[Message], note: str) -> list[Message]:
    """The sample's opening with ``note`` added after its question."""
    return [*opening[:-1], Message(role="user", content=opening[-1].content + note)]
