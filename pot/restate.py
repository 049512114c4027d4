"""``auto``'s last turn: the winning program's result, in the form the question asks for.

A program prints what it computed (``11.783333333333333``, ``[2, 7]``, ``True``) while
the question may ask for ``HH:MM``, factors separated by ``×`` or ``Yes``/``No``. One
short greedy generation shows the model the question, the program and what it printed,
and has it complete ``The final answer is \\boxed``. The restated answer replaces the
program's only when it is a real answer and differs from it (as :func:`answer_key`
sees them): ``54.0`` restated as ``54`` changes nothing.
"""

from __future__ import annotations

from pot.answers import AnswerSource, answer_key, find_answer, normalize_answer
from pot.loop_requests import Generate, GenerateReply, Loop
from pot.models.base import Message
from pot.prompts import ANSWER_START, RESTATE_EXAMPLES, RESTATE_SYSTEM, restate_request
from pot.trace import Answer, CodeStep, TextStep, Vote

RESTATE_TOKENS = 48
"""Token budget of the restated answer (the examples end right after the ``}``)."""


def winning_program(ballot: Vote | None, programs: dict[int, CodeStep]) -> CodeStep | None:
    """The program whose answer won: the last that ran in the first sample with a program
    that gave the vote's winner (sample 0 when there was no vote; a chain of thought has
    no program); ``programs`` holds each sample's."""
    samples = ballot.counts[0].samples if ballot is not None and ballot.counts else [0]
    return next((programs[sample] for sample in samples if sample in programs), None)


def restate_conversation(question: str, code: str, printed: str) -> list[Message]:
    """System message, the hand-written examples, then this program's result to restate."""
    messages = [Message(role="system", content=RESTATE_SYSTEM)]
    for example, program, output, answer in RESTATE_EXAMPLES:
        messages += [
            Message(role="user", content=restate_request(example, program, output)),
            Message(role="assistant", content=f"{ANSWER_START}{{{answer}}}"),
        ]
    return [
        *messages,
        Message(role="user", content=restate_request(question, code, printed)),
        Message(role="assistant", content=ANSWER_START),
    ]


def restate(question: str, answer: Answer, step: CodeStep) -> Loop:
    """Ask for ``answer`` (printed by ``step``'s program) in the question's form.

    Yields the request and a :class:`~pot.trace.TextStep` in the program's sample;
    returns the restated answer (source ``RESTATED``, the original named in its
    detail), or ``answer`` itself when the reply is no answer or the same answer.
    """
    conversation = restate_conversation(question, step.code, step.observation)
    generated: GenerateReply = yield Generate(
        conversation, greedy=True, max_new_tokens=RESTATE_TOKENS
    )
    generation = generated.samples[0]
    text = ANSWER_START + generation.text
    yield TextStep(
        sample=step.sample,
        index=step.index + 1,
        text=text,
        model_seconds=generated.seconds,
        prompt_tokens=generation.prompt_tokens,
        completion_tokens=generation.completion_tokens,
    )
    found = find_answer(text)
    if found is None or found.source is not AnswerSource.BOXED or answer.value is None:
        return answer  # no closed \boxed{}: the reply ran out or said something else
    if answer_key(found.value) == answer_key(answer.value):
        return answer
    detail = f"{answer.normalized} restated in the form the question asks for"
    return Answer(
        value=found.value,
        normalized=normalize_answer(found.value),
        source=AnswerSource.RESTATED,
        detail=f"{detail}; {answer.detail}" if answer.detail else detail,
    )
