"""Your own prompts: TOML files, the Solver using them, and the CLI around them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pot.api import forget_models
from pot.cli import app
from pot.executors import JupyterExecutor
from pot.modes import Mode
from pot.prompt_file import (
    Example,
    Prompt,
    PromptFileError,
    default_prompt,
    load_prompt,
    prompt_toml,
)
from pot.solver import Solver
from pot.tasks import scan_results
from pot.testing import ScriptedModel

runner = CliRunner()

MINE = Prompt(
    system="Answer with a program that prints 'the answer'.",
    examples=[Example(question="What is 2 + 2?", answer="```python\nprint(2 + 2)\n```")],
    name="mine",
)


@pytest.mark.parametrize("mode", list(Mode))
def test_every_built_in_prompt_round_trips(mode: Mode, tmp_path: Path) -> None:
    path = tmp_path / f"{mode.value}.toml"
    path.write_text(prompt_toml(default_prompt(mode)), encoding="utf-8")
    loaded = load_prompt(path)
    assert loaded == default_prompt(mode)  # name: the file stem, here the mode


def test_the_example_prompts_in_docs_load() -> None:
    examples = sorted((Path(__file__).parent.parent / "docs" / "prompts").glob("*.toml"))
    assert examples
    for path in examples:
        prompt = load_prompt(path)
        assert prompt.examples and all("```python" in e.answer for e in prompt.examples)


TRICKY = [
    "plain",
    "it's",
    "ends with a quote'",
    "'starts with a quote",
    "three '''quotes''' inside",
    "\nleading newline",
    "line\r\nwindows",
    "tab\tand bell\a and DEL\x7f",
    'back\\slash and "double" quotes \\n not a newline',
    "emoji \U0001f600 and accents é",
    "multi\nline\n```python\nprint('x')\n```\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_any_text_round_trips(text: str, tmp_path: Path) -> None:
    prompt = Prompt(system=text, examples=[Example(question=text, answer=text)], name="t")
    path = tmp_path / "t.toml"
    path.write_text(prompt_toml(prompt), encoding="utf-8")
    assert load_prompt(path) == prompt


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("system = 'unterminated", "is not valid TOML"),
        ("examples = []", "system: Field required"),
        ("system = ''", "system: String should have at least 1 character"),
        ("system = 'x'\ncolour = 'red'", "colour: Extra inputs are not permitted"),
        ("system = 'x'\n[[examples]]\nquestion = 'q'", "examples.0.answer: Field required"),
    ],
)
def test_bad_files_say_what_is_wrong(content: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PromptFileError, match=r"bad\.toml") as caught:
        load_prompt(path)
    assert expected in str(caught.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(PromptFileError, match="cannot read prompt file"):
        load_prompt(tmp_path / "nope.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"system = '\xff\xfe'")
    with pytest.raises(PromptFileError, match="not UTF-8"):
        load_prompt(binary)


def test_the_solver_sends_the_custom_prompt(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(["```python\nprint(6 * 7)\n```"])
    trace = Solver(model, kernel, prompt=MINE).solve("What is 6 * 7?")
    assert trace.answer.normalized == "42"
    sent = model.calls[0].conversations[0]
    assert [(m.role, m.content) for m in sent] == [
        ("system", MINE.system),
        ("user", "What is 2 + 2?"),
        ("assistant", "```python\nprint(2 + 2)\n```"),
        ("user", "What is 6 * 7?"),
    ]


def test_pot_prompt_prints_a_file_that_solve_and_eval_take(
    tmp_path: Path, shared_data: Path
) -> None:
    printed = runner.invoke(app, ["prompt", "tir"])
    assert printed.exit_code == 0, printed.output
    path = tmp_path / "short.toml"
    path.write_text(printed.stdout, encoding="utf-8")
    assert load_prompt(path).system == default_prompt("tir").system

    path.write_text(prompt_toml(MINE), encoding="utf-8")
    forget_models()
    model = "scripted:" + json.dumps(["```python\nprint(18)\n```"])
    out = tmp_path / "runs.jsonl"
    options = ["--limit", "1", "--model", model, "--prompt", str(path), "--out", str(out)]
    result = runner.invoke(app, ["eval", "gsm8k", *options, "--data", str(shared_data)])
    forget_models()
    assert result.exit_code == 0, result.output
    (record,) = scan_results(out).records
    assert record.run == "pot+short/scripted" and record.correct
    assert record.trace is not None and record.trace["steps"]


def test_a_bad_prompt_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("system = ", encoding="utf-8")
    solved = runner.invoke(app, ["solve", "What is 1 + 1?", "--prompt", str(path)])
    assert solved.exit_code == 2
    assert "broken.toml is not valid TOML" in solved.output
    evaluated = runner.invoke(app, ["eval", "gsm8k", "--prompt", str(path)])
    assert evaluated.exit_code == 2
    assert "broken.toml is not valid TOML" in evaluated.output


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).resolve().parents[1] / "docs" / "prompts").glob("*.toml")),
    ids=lambda path: path.name,
)
def test_the_prompts_the_readme_measures_load(path: Path) -> None:
    prompt = load_prompt(path)
    assert prompt.name == path.stem and prompt.system and prompt.examples
    for example in prompt.examples:  # each example answers with one program
        assert example.answer.startswith("```python\n") and example.answer.endswith("```")
