"""What both loop families share: a sample's settings, its step records, its messages.

:mod:`pot.loops` (one program after another) and :mod:`pot.continued` (one growing
message) build their steps and their conversations with these.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from pot.copies import COPY_NOTE, COPY_OUTPUT, Examples
from pot.extract import CodeBlock
from pot.loop_requests import Generate, GenerateReply, ProgramRun, fitting
from pot.models.base import ContextOverflowError, Message
from pot.modes import Mode
from pot.question_examples import EXAMPLE_NOTE, EXAMPLE_OUTPUT, uses_question_example
from pot.trace import Answer, CodeStep, NoAnswerReason, TextStep


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


@dataclass(frozen=True)
class Declined:
    """Why a program is not run, and what the model is shown instead."""

    detail: str
    """The sample's detail when it ends with no answer."""
    note: str
    """What a one-program mode tells the model in place of the output."""
    output: str
    """What ``tir`` shows as the block's output."""


def why_declined(code: str, examples: Examples, question: str, mode: Mode) -> Declined | None:
    """Why a program is not run, or None: it is one of the prompt's examples, or (not in
    ``plain``) it works on the question's own example of its answer's form."""
    if examples.copied_by(code):
        return Declined("the model wrote an example's program", COPY_NOTE, COPY_OUTPUT)
    if mode is not Mode.PLAIN and uses_question_example(code, question):
        return Declined("the model worked on the question's example", EXAMPLE_NOTE, EXAMPLE_OUTPUT)
    return None


def reply_to(
    asked: Generate | GenerateReply, index: int
) -> Generator[Generate, Any, GenerateReply | Answer]:
    """The reply to step ``index``'s request (or the reply already made in a batch); where
    the conversation outgrew the model's context, the sample's end (:func:`context_full`),
    unless it is the first step: then the question itself does not fit, and the error
    ends the solve."""
    if isinstance(asked, GenerateReply):
        return asked
    reply = yield from fitting(asked)
    if isinstance(reply, ContextOverflowError):
        if index == 0:
            raise reply
        return context_full(reply, index)
    return reply


def context_full(error: ContextOverflowError, index: int) -> Answer:
    """The end of a sample whose conversation outgrew the model's context at step
    ``index`` (the question fitted: the steps it took filled the rest); the solve goes
    on with its other samples."""
    size = f" ({error.context} tokens)" if error.context else ""
    steps = f"{index} step" + ("" if index == 1 else "s")
    return Answer(
        reason=NoAnswerReason.CONTEXT_FULL,
        detail=f"the conversation outgrew the model's context{size} after {steps}",
    )


def assistant_message(text: str) -> Message:
    return Message(role="assistant", content=text)


def user_message(text: str) -> Message:
    return Message(role="user", content=text)


def up_to_code(text: str, block: CodeBlock) -> str:
    """The reply up to and including its code block (what follows it is dropped)."""
    return f"{text[: block.start]}```python\n{block.code}\n```"


def text_step(
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


def code_step(
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
