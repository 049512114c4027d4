"""The loop of one growing message (``tir``, ``cot``), driven by ``pot.solver``.

``tir`` runs each code block as it is written and puts its real output into the
message; ``cot`` reasons in words; both end with a stated answer, nudged once to state
one.
"""

from __future__ import annotations

from pot.answers import find_answer, is_object_repr, printed_answer
from pot.copies import Examples
from pot.executors import ExecutionResult
from pot.extract import extract_code
from pot.feedback import describe_result, output_block
from pot.loop_requests import Execute, ExecuteReply, Loop, ProgramRun
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
from pot.models.base import Message
from pot.modes import Mode
from pot.prompts import ANSWER_START, NUDGE_NO_CODE
from pot.trace import Answer, NoAnswerReason


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
            conversation = [*conversation, assistant_message(draft)]
        asked = sample.generate(index, conversation)
        generated = yield from reply_to(asked, index)
        if isinstance(generated, Answer):  # the conversation outgrew the context
            return generated
        generation = generated.samples[0]
        block = extract_code(generation.text, "first") if sample.mode is Mode.TIR else None
        if block is None:
            text, forced = forced + generation.text, ""
            stated = find_answer(text)
            # tir computes before it answers: an answer with no code run yet is nudged once
            unearned = sample.mode is Mode.TIR and not ran_code and not nudged
            if stated is not None and not unearned:
                yield text_step(sample, index, generated, text)
                return Answer.found(stated)
            nudge = "" if nudged else _continue_nudge(sample.mode, ran_code)
            yield text_step(sample, index, generated, text, nudge)
            if not nudge:
                return give_up(sample.mode, ran_code, last_ok)
            nudged = True
            if nudge == ANSWER_START:  # the model completes its own answer
                draft, forced = f"{draft}{text.rstrip()}\n\n{ANSWER_START}", ANSWER_START
                continue
            history += [assistant_message(draft + text), user_message(nudge)]
            draft = ""
            continue
        written = up_to_code(generation.text, block)
        declined = why_declined(block.code, examples, question, sample.mode)
        if declined is not None:  # not run: it works on an example, not on this problem
            yield text_step(sample, index, generated, written, declined.output)
            draft += f"{written}\n{output_block(declined.output)}"
            continue
        executed: ExecuteReply = yield Execute(block.code)
        ran = ProgramRun(result=executed.result, kernel_seconds=executed.seconds)
        ran_code = True
        observation = describe_result(ran.result, sample.output_limit)
        yield code_step(sample, index, generated, written, block, ran, observation)
        if ran.result.ok:
            last_ok = ran.result
        draft += f"{written}\n{output_block(observation)}"
    return Answer(
        reason=NoAnswerReason.MAX_STEPS, detail=f"no answer within {sample.max_steps} steps"
    )


def give_up(mode: Mode, ran_code: bool, last_ok: ExecutionResult | None) -> Answer:
    """The outcome when the model stops without code or an answer, even after a nudge."""
    if mode is Mode.TIR and last_ok is not None:
        printed = printed_answer(last_ok.stdout, last_ok.result)
        if printed is not None and not is_object_repr(printed.value):
            detail = "no final answer stated; the last printed value"
            return Answer.found(printed, detail, printed=True)
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
