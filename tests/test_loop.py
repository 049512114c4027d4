"""The reasoning loop with a scripted model and a real kernel: pot, tir and cot modes."""

from __future__ import annotations

import pytest

from pot.answers import AnswerSource
from pot.executors import JupyterExecutor
from pot.feedback import QUOTE_HINT, describe_error
from pot.prompts import ANSWER_START, NUDGE_NO_CODE, NUDGE_NOTHING_PRINTED, OUTPUT_FENCE
from pot.solver import EmptyQuestionError, QuestionError, QuestionTooLongError, Solver
from pot.testing import ScriptedModel
from pot.trace import CodeStep, FinalAnswer, Mode, NoAnswerReason, TextStep


def test_pot_runs_one_program_and_takes_its_printed_value(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["Sure.\n```python\neggs = 16 - 3 - 4\nprint(eggs * 2)\n```"])
    trace = Solver(model, kernel).solve("How much does she make?")
    assert trace.answer.normalized == "18"
    assert trace.answer.source is AnswerSource.PRINTED
    [step] = trace.steps
    assert isinstance(step, CodeStep)
    assert step.execution.stdout == "18\n"
    assert step.kernel_seconds > 0
    assert model.calls[0].config.stop == [OUTPUT_FENCE]
    assert model.calls[0].config.temperature == 0


def test_pot_repairs_a_failing_program_with_the_trimmed_error(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        [
            "```python\ntotal = 10\nprint(total / zero)\n```",
            "```python\ntotal = 10\nprint(total / 2)\n```",
        ]
    )
    trace = Solver(model, kernel).solve("Half of 10?")
    assert trace.answer.normalized == "5"
    assert [step.execution.ok for step in trace.code_steps] == [False, True]
    repair = model.calls[1].conversations[0][-1]
    assert repair.role == "user"
    assert "NameError: name 'zero' is not defined" in repair.content
    assert "----> 2 print(total / zero)" in repair.content
    assert "Cell In[" not in repair.content


def test_pot_gives_up_after_its_repairs(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint(1 / 0)\n```", "```python\nprint(2 / 0)\n```"])
    trace = Solver(model, kernel, max_steps=2).solve("1/0?")
    assert trace.answer.value is None
    assert trace.answer.reason is NoAnswerReason.CODE_FAILED
    assert len(trace.code_steps) == 2


def test_a_repeated_failing_program_is_asked_afresh_with_sampling(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel(["```python\nprint(1 / 0)\n```"] * 2 + ["```python\nprint(1)\n```"])
    trace = Solver(model, kernel, max_steps=3, seed=5).solve("1/0?")
    assert trace.answer.normalized == "1"
    assert [step.kind for step in trace.steps] == ["code", "text", "code"]
    assert [call.config.temperature for call in model.calls] == [0.0, 0.0, 0.7]
    assert model.calls[2].config.seed not in (None, 5)
    # afresh: the opening again, the question told how the program failed; the failed
    # program and its repair request are not in it (a model shown its program copies it)
    [first], [afresh] = model.calls[0].conversations, model.calls[2].conversations
    assert len(afresh) == len(first) and afresh[:-1] == first[:-1]
    assert afresh[-1].content == (
        "1/0?\n\n"
        "(A program written for this question failed with "
        "`ZeroDivisionError: division by zero`. Write a different program.)"
    )
    assert not any("print(1 / 0)" in message.content for message in afresh)


def test_a_failed_program_started_afresh_is_repaired_from_the_new_opening(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel(
        ["```python\nprint(1 / 0)\n```"] * 2
        + ["```python\nprint(undefined_name)\n```", "```python\nprint(2)\n```"]
    )
    trace = Solver(model, kernel, max_steps=4).solve("1/0?")
    assert trace.answer.normalized == "2"
    repair = model.calls[3].conversations[0]
    assert "Write a different program." in repair[-3].content  # the new opening's question
    assert "NameError" in repair[-1].content
    assert not any("print(1 / 0)" in message.content for message in repair)


def test_a_repeated_program_that_did_not_fail_is_sampled_again_as_asked(
    kernel: JupyterExecutor,
) -> None:
    # it printed nothing, raised nothing: the same request is sampled, nothing to tell
    model = ScriptedModel(["```python\nx = 6 * 7\n```"] * 2 + ["```python\nprint(42)\n```"])
    trace = Solver(model, kernel, max_steps=3).solve("6*7?")
    assert trace.answer.normalized == "42"
    assert model.calls[2].conversations == model.calls[1].conversations
    assert model.calls[2].config.temperature == 0.7


def test_a_program_repeated_even_when_sampled_ends_the_sample(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint(1 / 0)\n```"] * 3 + ["```python\nprint(1)\n```"])
    trace = Solver(model, kernel, max_steps=4).solve("1/0?")
    assert trace.answer.reason is NoAnswerReason.CODE_FAILED
    # one program ran: the detail counts runs, not generations
    assert trace.answer.detail == "the program still failed after 1 run; it repeated that program"
    assert [step.kind for step in trace.steps] == ["code", "text", "text"]
    assert len(model.calls) == 3


def test_pot_nudges_a_program_that_prints_nothing(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nx = 6 * 7\n```", "```python\nx = 6 * 7\nprint(x)\n```"])
    trace = Solver(model, kernel).solve("6*7?")
    assert trace.answer.normalized == "42"
    assert model.calls[1].conversations[0][-1].content == NUDGE_NOTHING_PRINTED


def test_the_value_of_a_last_expression_counts_as_printed(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        ["```python\nfrom sympy import Rational\nRational(3, 4) + Rational(1, 4)\n```"]
    )
    assert Solver(model, kernel).solve("3/4 + 1/4?").answer.normalized == "1"


def test_a_model_that_writes_no_code_is_nudged_once_then_gives_no_answer(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel(["I think it is 42.", "Still 42, no code needed."])
    trace = Solver(model, kernel).solve("6*7?")
    assert trace.answer.value is None
    assert trace.answer.reason is NoAnswerReason.NO_CODE
    assert "no code" in trace.answer.detail
    assert [step.nudge for step in trace.steps] == [NUDGE_NO_CODE, ""]
    assert model.calls[1].conversations[0][-1].content == NUDGE_NO_CODE
    assert len(model.calls) == 2


def test_a_timeout_is_fed_back_and_the_program_repaired(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nwhile True:\n    pass\n```", "```python\nprint(3)\n```"])
    trace = Solver(model, kernel, timeout=1).solve("Loop?")
    assert trace.answer.normalized == "3"
    assert "interrupted" in trace.code_steps[0].observation


def test_tir_inserts_the_real_output_and_continues_the_same_message(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel(
        [
            "First the power.\n```python\na = 2**10\nprint(a)\n```\n```output\n999\n```\nSo 975.",
            "Now subtract.\n```python\nprint(a - 24)\n```",
            "So the result is \\boxed{1000}.",
        ]
    )
    trace = Solver(model, kernel, mode="tir").solve("What is 2**10 - 24?")
    assert trace.answer.normalized == "1000"
    assert trace.answer.source is AnswerSource.BOXED
    assert [step.kind for step in trace.steps] == ["code", "code", "text"]
    # the made-up "999" never reaches the model; the real 1024 does
    continued = model.calls[1].conversations[0][-1]
    assert continued.role == "assistant"
    assert continued.content.endswith("```python\na = 2**10\nprint(a)\n```\n```output\n1024\n```\n")
    assert "999" not in continued.content
    final_prompt = model.calls[2].conversations[0][-1].content
    assert final_prompt.endswith("```output\n1000\n```\n")


def test_tir_nudges_an_answer_given_before_any_code_ran(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["It is \\boxed{7}.", "```python\nprint(3 + 4)\n```", "So \\boxed{7}."])
    trace = Solver(model, kernel, mode="tir").solve("3 + 4?")
    assert trace.answer.normalized == "7"
    assert [step.kind for step in trace.steps] == ["text", "code", "text"]
    assert trace.steps[0].nudge == NUDGE_NO_CODE
    # after one nudge an answer without code is accepted
    model = ScriptedModel(["\\boxed{7}", "Still \\boxed{7}"])
    assert Solver(model, kernel, mode="tir").solve("3 + 4?").answer.normalized == "7"


def test_tir_runs_only_the_first_block_of_a_reply(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        ["```python\nx = 5\nprint(x)\n```\nthen\n```python\nprint(x * 100)\n```", "\\boxed{5}"]
    )
    trace = Solver(model, kernel, mode="tir").solve("x?")
    assert [step.code for step in trace.code_steps] == ["x = 5\nprint(x)"]


def test_tir_stops_at_max_steps(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([f"```python\nprint({i})\n```" for i in range(3)])
    trace = Solver(model, kernel, mode="tir", max_steps=3).solve("Count forever")
    assert trace.answer.reason is NoAnswerReason.MAX_STEPS
    assert len(trace.code_steps) == 3
    assert len(model.calls) == 3


def test_tir_falls_back_to_the_last_printed_value(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint(17 + 25)\n```", "That is it.", "Done."])
    trace = Solver(model, kernel, mode="tir").solve("17 + 25?")
    assert trace.answer.normalized == "42"
    assert trace.answer.source is AnswerSource.PRINTED
    assert "last printed" in trace.answer.detail


def test_tir_keeps_state_between_steps_and_reports_errors(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        [
            "```python\nvalues = [3, 4]\nprint(undefined)\n```",
            "```python\nprint(sum(values))\n```",
            "The answer is 7.",
        ]
    )
    trace = Solver(model, kernel, mode="tir").solve("3 + 4?")
    assert trace.answer.normalized == "7"
    assert "NameError" in trace.code_steps[0].observation


def test_cot_answers_without_code(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["3 trays of 4 make 12. ```python\nprint(1)\n``` \\boxed{12}"])
    trace = Solver(model, kernel, mode="cot").solve("3 trays of 4?")
    assert trace.answer.normalized == "12"
    assert trace.code_steps == []
    assert model.calls[0].config.stop == []


def test_cot_without_an_answer_is_nudged_then_gives_up(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["Hmm.", "Hmm again."])
    trace = Solver(model, kernel, mode=Mode.COT).solve("?")
    assert trace.answer.reason is NoAnswerReason.NO_FINAL_ANSWER
    assert isinstance(trace.steps[0], TextStep)


def test_cot_without_an_answer_completes_the_start_of_one(kernel: JupyterExecutor) -> None:
    # a small model copies "\\boxed{answer}" from the instructions: pot writes the
    # start of the final answer into the model's own message and lets it finish
    model = ScriptedModel(["3 trays of 4 make 12. \\boxed{answer}", "{12}."])
    trace = Solver(model, kernel, mode=Mode.COT).solve("3 trays of 4?")
    assert trace.answer.normalized == "12"
    assert [step.nudge for step in trace.steps] == [ANSWER_START, ""]
    assert trace.steps[1].text == ANSWER_START + "{12}."
    continued = model.calls[1].conversations[0][-1]
    assert continued.role == "assistant"
    assert continued.content == "3 trays of 4 make 12. \\boxed{answer}\n\n" + ANSWER_START


def test_tir_after_code_completes_the_start_of_an_answer(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint(3 * 4)\n```", "So it is twelve.", "{12}"])
    trace = Solver(model, kernel, mode=Mode.TIR).solve("3 trays of 4?")
    assert trace.answer.normalized == "12"
    continued = model.calls[2].conversations[0][-1]
    assert continued.role == "assistant"
    assert continued.content.startswith("```python\nprint(3 * 4)\n```\n```output\n12")
    assert continued.content.endswith("So it is twelve.\n\n" + ANSWER_START)


def test_stream_yields_steps_then_the_final_answer(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint(1)\n```"])
    events = list(Solver(model, kernel).stream("1?"))
    assert [event.kind for event in events] == ["code", "final"]
    final = events[-1]
    assert isinstance(final, FinalAnswer)
    assert final.wall_seconds >= final.kernel_seconds > 0


@pytest.mark.parametrize(
    ("question", "error"),
    [
        ("", EmptyQuestionError),
        ("  \n\t", EmptyQuestionError),
        ("x" * 20_001, QuestionTooLongError),
    ],
)
def test_bad_questions_raise_typed_errors(
    kernel: JupyterExecutor, question: str, error: type[QuestionError]
) -> None:
    solver = Solver(ScriptedModel(), kernel)
    with pytest.raises(error):
        solver.stream(question)
    with pytest.raises(QuestionError):
        solver.solve(question)


def test_unknown_mode_is_a_value_error(kernel: JupyterExecutor) -> None:
    with pytest.raises(ValueError):
        Solver(ScriptedModel(), kernel, mode="magic")


def test_a_printed_function_object_is_no_answer_and_is_repaired(kernel: JupyterExecutor) -> None:
    """``print`` without parentheses shows ``<function print...>``: a missing call, which
    the model is told about, never an answer."""
    model = ScriptedModel(
        [
            "```python\nx = 18\nprint\n```",
            "```python\nx = 18\nprint(x)\n```",
        ]
    )
    trace = Solver(model, kernel).solve("How many vacuum cleaners did she start with?")
    assert trace.answer.normalized == "18"
    repair = model.calls[1].conversations[0][-1].content
    assert "<function print(" in repair and "missing call" in repair
    alone = Solver(ScriptedModel(["```python\nprint\n```"] * 2), kernel, max_steps=2)
    answer = alone.solve("How many?").answer
    assert answer.value is None and answer.reason is NoAnswerReason.NOTHING_PRINTED
    assert "object" in answer.detail


def test_an_apostrophe_that_ends_a_string_early_gets_a_hint(kernel: JupyterExecutor) -> None:
    """``'He didn't know'`` is a SyntaxError whose message does not say why; the repair
    request names the apostrophe and the double quotes that fix it."""
    model = ScriptedModel(
        [
            "```python\ns = 'He didn't know'\nprint(len(s))\n```",
            '```python\ns = "He didn\'t know"\nprint(len(s))\n```',
        ]
    )
    trace = Solver(model, kernel).solve("How many characters are in: He didn't know?")
    assert trace.answer.normalized == "14"
    repair = model.calls[1].conversations[0][-1].content
    assert "SyntaxError" in repair and QUOTE_HINT in repair
    other = Solver(ScriptedModel(["```python\nprint('a' +)\n```"]), kernel, max_steps=1)
    assert QUOTE_HINT not in describe_error(other.solve("a?").code_steps[0].execution.error)


def test_a_repeated_program_that_ran_too_long_is_asked_afresh_saying_so(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel(
        ["```python\nwhile True:\n    pass\n```"] * 2 + ["```python\nprint(3)\n```"]
    )
    trace = Solver(model, kernel, max_steps=3, timeout=1).solve("Loop?")
    assert trace.answer.normalized == "3"
    assert (
        model.calls[2]
        .conversations[0][-1]
        .content.endswith(
            "(A program written for this question ran past its time limit. "
            "Write a different program.)"
        )
    )


@pytest.mark.parametrize(
    ("line", "normalized"),
    [
        ('print("Answer:", "Smith, completing the sentence.")', "Smith, completing the sentence."),
        ('print("The answer is %s" % "E=1,F=2,G=5")', "E=1,F=2,G=5"),
        ('print("Answer:", 42.0)', "42"),
        ('print("The answer is 42.")', "42"),
    ],
)
def test_a_programs_labelled_answer_is_kept_as_it_printed_it(
    kernel: JupyterExecutor, line: str, normalized: str
) -> None:
    """A label on a program's line is not the model's prose: a sentence keeps its full
    stop, and a statement of the answer is the answer whole."""
    model = ScriptedModel([f"```python\n{line}\n```"])
    trace = Solver(model, kernel, mode="pot").solve("Put the words in order: sentence. the")
    assert trace.answer.source is AnswerSource.ANSWER_IS
    assert trace.answer.normalized == normalized
