"""Bad input to every front end: a clear message, no traceback, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pot
from pot.cli import app
from pot.executors import JupyterExecutor
from pot.models import load_model
from pot.models.errors import ServerUnavailableError, UnknownModelError
from pot.solver import (
    EmptyQuestionError,
    NotTextError,
    QuestionTooLongError,
    Solver,
)
from pot.testing import ScriptedModel
from tests.conftest import free_port

ANSWER = '["```python\\nprint(42)\\n```"]'
runner = CliRunner()


def no_traceback(output: str) -> None:
    assert "Traceback" not in output


# -- the Python API ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "error", "words"),
    [
        ("", EmptyQuestionError, "empty"),
        ("   \n\t ", EmptyQuestionError, "empty"),
        ("x" * 1_000_000, QuestionTooLongError, "1000000 characters"),
        (b"What is 6*7?", NotTextError, "decode"),
        ("\x00\x01\x02\x03binary\x04\x05", NotTextError, "binary"),
        (None, NotTextError, "must be text"),
    ],
    ids=["empty", "whitespace", "1 MB", "bytes", "binary", "None"],
)
def test_api_refuses_questions(
    question: object, error: type[Exception], words: str, kernel: JupyterExecutor
) -> None:
    model = ScriptedModel(["```python\nprint(42)\n```"])
    with pytest.raises(error, match=words):
        Solver(model, kernel).solve(question)  # type: ignore[arg-type]
    assert model.calls == []  # refused before the model was asked anything


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"mode": "magic"}, "unknown mode 'magic': choose one of pot, tir, coc, cot"),
        ({"samples": 0}, "samples must be at least 1"),
        ({"max_steps": -3}, "max_steps must be at least 1"),
        ({"timeout": -1}, "timeout must be a positive number"),
        ({"max_new_tokens": 0}, "max_new_tokens must be at least 1"),
    ],
)
def test_api_refuses_absurd_settings(
    options: dict[str, object], words: str, kernel: JupyterExecutor
) -> None:
    with pytest.raises(ValueError, match=words):
        Solver(ScriptedModel([]), kernel, **options)  # type: ignore[arg-type]


def test_api_unknown_model() -> None:
    with pytest.raises(UnknownModelError, match="no-such-model"):
        load_model("no-such-model")


def test_api_model_server_down() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    model = load_model(f"openai:qwen@{url}", max_retries=1, timeout=5)
    with pytest.raises(ServerUnavailableError, match=r"127\.0\.0\.1"):
        pot.solve("What is 6*7?", model=model)


# -- the command line ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "stdin", "code", "words"),
    [
        (["solve", ""], None, 2, "empty"),
        (["solve", "   "], None, 2, "empty"),
        (["solve", "-"], "\x00\x01\x02\x03\x04", 2, "binary"),
        (["solve", "-"], b"\xff\xfe\xfa not utf-8", 2, "UTF-8"),
        (["solve", "q", "--mode", "magic"], None, 2, "magic"),
        (["solve", "q", "--samples", "0"], None, 2, "samples"),
        (["solve", "q", "--timeout", "-1"], None, 2, "timeout"),
        (["solve", "q", "--max-steps", "0"], None, 2, "max-steps"),
        (["solve", "What is 6*7?", "--model", "no-such-model"], None, 2, "no-such-model"),
        (["eval", "gsm8k", "--model", "no-such-model"], None, 2, "no-such-model"),
        (["eval", "no-such-task", "--model", f"scripted:{ANSWER}"], None, 2, "no-such-task"),
        (["eval", "gsm8k", "--shard", "5/2", "--model", f"scripted:{ANSWER}"], None, 2, "5/2"),
    ],
    ids=[
        "empty",
        "whitespace",
        "binary stdin",
        "not UTF-8 stdin",
        "unknown mode",
        "zero samples",
        "negative timeout",
        "zero steps",
        "unknown model",
        "unknown model in eval",
        "unknown task",
        "bad shard",
    ],
)
def test_cli_refuses_bad_input(
    arguments: list[str], stdin: str | bytes | None, code: int, words: str, shared_data: Path
) -> None:
    result = runner.invoke(app, arguments, input=stdin, env={"POT_DATA": str(shared_data)})
    assert result.exit_code == code, result.output
    assert words.lower() in result.output.lower()
    no_traceback(result.output)


def test_cli_missing_data_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = runner.invoke(
        app,
        ["eval", "gsm8k", "--data", str(missing), "--model", f"scripted:{ANSWER}"],
        env={"POT_CACHE": str(tmp_path / "cache")},
    )
    assert result.exit_code != 0
    assert "POT_DATA" in result.output or str(missing) in result.output
    no_traceback(result.output)


def test_cli_corrupted_results_file_is_kept(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "runs.jsonl"
    good = {"id": "gsm8k/0", "task": "gsm8k", "prediction": "1", "gold": "1", "correct": True}
    corrupted = json.dumps(good) + "\n{this is not json\n" + json.dumps(good | {"id": "x"}) + "\n"
    out.write_text(corrupted)
    result = runner.invoke(
        app,
        [
            "eval",
            "gsm8k",
            "--limit",
            "1",
            "--resume",
            "--out",
            str(out),
            "--model",
            f"scripted:{ANSWER}",
            "--data",
            str(shared_data),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "line 2" in result.output or "corrupt" in result.output.lower()
    no_traceback(result.output)
    assert out.read_text() == corrupted  # nothing lost, nothing rewritten


def test_cli_model_server_down() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = runner.invoke(app, ["solve", "What is 6*7?", "--model", f"openai:qwen@{url}"])
    assert result.exit_code == 3, result.output
    assert "127.0.0.1" in result.output
    no_traceback(result.output)
