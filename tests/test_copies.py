"""A program copied from the prompt's examples is not run and never answers."""

from __future__ import annotations

from pot.copies import COPY_NOTE, COPY_OUTPUT, copies_example, example_programs
from pot.executors import JupyterExecutor
from pot.models.base import Message
from pot.prompt_file import default_prompt
from pot.prompts import EXAMPLES
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Mode, NoAnswerReason, TextStep

PETS = EXAMPLES[Mode.POT][1][1]  # the pets example's reply (Ann owns the cat)
BAKER = "cookies = 3 * 14\nleft = cookies - 9\nprint(left // 6)"
LEMONS = "A tree costs $90 and earns $7.5 a year. After how many years has it paid for itself?"


def test_the_examples_programs_are_found_in_the_opening() -> None:
    programs = example_programs(default_prompt(Mode.POT).conversation(LEMONS))
    assert len(programs) == len(EXAMPLES[Mode.POT])
    assert "permutations(['cat', 'dog', 'fish'])" in programs[1]


def test_an_example_asked_itself_may_get_its_own_program() -> None:
    question = EXAMPLES[Mode.POT][1][0]
    programs = example_programs(default_prompt(Mode.POT).conversation(f"  {question}\n"))
    assert len(programs) == len(EXAMPLES[Mode.POT]) - 1
    assert not any("permutations" in program for program in programs)


def test_an_opening_without_examples_has_none() -> None:
    opening = [Message(role="system", content="s"), Message(role="user", content="q")]
    assert example_programs(opening) == []
    assert example_programs([]) == []


def test_a_copy_is_the_same_program_up_to_comments_layout_and_a_name() -> None:
    [example] = example_programs(
        [
            Message(role="system", content="s"),
            Message(role="user", content="example"),
            Message(role="assistant", content=f"```python\n{BAKER}\n```"),
            Message(role="user", content="asked"),
        ]
    )
    assert copies_example(example, [example])
    commented = "# bags\ncookies = 3*14\nleft = cookies - 9   # the rest\n\nprint(left // 6)"
    assert copies_example(commented, [example])
    assert copies_example("baked = 3 * 14\nleft = baked - 9\nprint(left // 6)", [example])
    # the pattern with this problem's own numbers is no copy, nor is other code
    assert not copies_example("cookies = 4 * 12\nleft = cookies - 9\nprint(left // 6)", [example])
    assert not copies_example("print(sum(range(10)))", [example])
    assert not copies_example("", [example])
    assert not copies_example("x = (", [example])


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
