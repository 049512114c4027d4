"""A program copied from the prompt's examples is not run and never answers."""

from __future__ import annotations

from pot.copies import COPY_NOTE, COPY_OUTPUT, Examples
from pot.executors import JupyterExecutor
from pot.models.base import Message
from pot.prompt_file import default_prompt
from pot.prompts import EXAMPLES
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Mode, NoAnswerReason, TextStep

PETS = EXAMPLES[Mode.POT][1][1]  # the pets example's reply (Ann owns the cat)
BAKER = "cookies = 3 * 14\nleft = cookies - 9\nbags = left // 6\nprint(bags)"
LEMONS = "A tree costs $90 and earns $7.5 a year. After how many years has it paid for itself?"


def test_the_examples_programs_are_found_in_the_opening() -> None:
    examples = Examples.of(default_prompt(Mode.POT).conversation(LEMONS))
    assert len(examples.programs) == len(EXAMPLES[Mode.POT])
    assert examples.copied_by(PETS.strip("`").removeprefix("python"))


def test_an_example_asked_itself_may_get_its_own_program() -> None:
    question = EXAMPLES[Mode.POT][1][0]
    examples = Examples.of(default_prompt(Mode.POT).conversation(f"  {question}\n"))
    assert len(examples.programs) == len(EXAMPLES[Mode.POT]) - 1
    assert not examples.copied_by(PETS.strip("`").removeprefix("python"))


def test_an_opening_without_examples_has_none() -> None:
    opening = [Message(role="system", content="s"), Message(role="user", content="q")]
    assert Examples.of(opening).programs == ()
    assert Examples.of([]).programs == ()
    assert not Examples.of(opening).copied_by(BAKER)


def baker(question: str) -> Examples:
    return Examples.of(
        [
            Message(role="system", content="s"),
            Message(role="user", content="example"),
            Message(role="assistant", content=f"```python\n{BAKER}\n```"),
            Message(role="user", content=question),
        ]
    )


def test_a_copy_is_the_example_up_to_comments_layout_names_and_additions() -> None:
    examples = baker("How many kites fly?")
    assert examples.copied_by(BAKER)
    commented = (
        "# bags\ncookies = 3*14\nleft = cookies - 9  # the rest\n\nbags = left//6\nprint(bags)"
    )
    assert examples.copied_by(commented)
    assert examples.copied_by("baked = 3 * 14\nleft = baked - 9\nbags = left // 6\nprint(bags)")
    # the example inside a longer program (the 1.5B wrapped the coc example in a def)
    assert examples.copied_by(f"def helper(x):\n    return ['a', 'b', 'c']\n\n{BAKER}\nkites = 7")
    # the pattern with this problem's own numbers is no copy, nor is other code
    assert not examples.copied_by(
        "cookies = 4 * 12\nleft = cookies - 9\nbags = left // 6\nprint(bags)"
    )
    assert not examples.copied_by("print(sum(range(10)))")
    assert not examples.copied_by("")
    assert not examples.copied_by("x = (")


def test_the_example_data_in_the_question_makes_no_copy() -> None:
    question = "3 trays of 14 buns; 9 are eaten; the rest go in boxes of 6. How many boxes?"
    assert not baker(question).copied_by(BAKER)


def test_short_examples_are_never_looked_for() -> None:
    short = Examples.of(
        [
            Message(role="system", content="s"),
            Message(role="user", content="example"),
            Message(role="assistant", content="```python\nprint(left // 6)\n```"),
            Message(role="user", content="asked"),
        ]
    )
    assert short.programs == ()
    assert not short.copied_by("left = 40\nprint(left // 6)")


def test_pot_does_not_run_a_copied_example_and_asks_again(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        [
            "```python\nyears = 0\nwhile True:\n    pass\n```",
            PETS,
            "```python\nimport math\nprint(math.ceil(90 / 7.5))\n```",
        ]
    )
    trace = Solver(model, kernel, max_steps=4, timeout=1).solve(LEMONS)
    assert trace.answer.normalized == "12"
    copied = trace.steps[1]
    assert isinstance(copied, TextStep) and copied.nudge == COPY_NOTE
    assert [step.code for step in trace.code_steps][-1].startswith("import math")
    assert "Ann" not in "".join(step.execution.stdout for step in trace.code_steps)
    assert model.calls[2].conversations[0][-1].content == COPY_NOTE


def test_a_sample_that_only_copies_gives_no_answer(kernel: JupyterExecutor) -> None:
    trace = Solver(ScriptedModel([PETS] * 3), kernel, max_steps=3).solve(LEMONS)
    assert trace.answer.value is None
    assert trace.answer.reason is NoAnswerReason.CODE_FAILED
    assert "example's program" in trace.answer.detail
    assert trace.code_steps == []


def test_tir_shows_a_note_instead_of_running_a_copied_block(kernel: JupyterExecutor) -> None:
    sympy_example = EXAMPLES[Mode.TIR][1][1]
    copied = sympy_example[: sympy_example.index("```output")]
    model = ScriptedModel(
        [
            copied,
            "That was the example.\n```python\nprint(90 / 7.5)\n```",
            "It pays for itself after \\boxed{12} years.",
        ]
    )
    trace = Solver(model, kernel, mode="tir").solve(LEMONS)
    assert trace.answer.normalized == "12"
    assert [step.kind for step in trace.steps] == ["text", "code", "text"]
    assert trace.steps[0].nudge == COPY_OUTPUT
    assert COPY_OUTPUT in model.calls[1].conversations[0][-1].content
    assert "{x: 19" not in "".join(call.conversations[0][-1].content for call in model.calls[1:])
