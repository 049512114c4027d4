"""The command line as a user meets it: brackets in user text, settings checked before
anything heavy, config files, help and tables that fit 80 columns."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pot import api
from pot.cli import app
from pot.executors import JupyterExecutor

runner = CliRunner()
REPLY = "```python\nprint('[/y] 7')\n```"


def one_clean_line(output: str) -> None:
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1, output


@pytest.fixture
def kernel_only(monkeypatch: pytest.MonkeyPatch, kernel: JupyterExecutor) -> JupyterExecutor:
    """The real model loading (scripted: specs), the test session's kernel."""

    @contextmanager
    def lend(timeout: float = 10.0, executor: str | None = None) -> Iterator[JupyterExecutor]:
        yield kernel

    monkeypatch.setattr(api, "lend_executor", lend)
    monkeypatch.delenv("POT_MODEL", raising=False)
    api.forget_models()
    return kernel


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to load a model."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded before the settings were checked")

    monkeypatch.setattr(api, "default_model", refuse)


# -- user text is never markup ----------------------------------------------------------


def test_brackets_in_the_question_the_model_spec_and_the_paths(
    kernel_only: JupyterExecutor, tmp_path: Path
) -> None:
    question = "On the interval [a, b] with a=1 [/x] and [bold]b=2[/bold], what is 7?"
    spec = "scripted:" + json.dumps([REPLY])
    trace = tmp_path / "[/d]" / "[red]t.json"
    result = runner.invoke(app, ["solve", question, "-m", spec, "--trace", str(trace)])
    assert result.exit_code == 0, result.output
    assert question in result.output
    assert "[/y] 7" in result.output
    assert f"trace saved to {trace}" in result.output
    assert json.loads(trace.read_text())["question"] == question


def test_brackets_in_eval_and_report_arguments(shared_data: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["eval", "gsm8k[/x]", "-m", 'scripted:["x"]', "--data", str(shared_data)]
    )
    assert result.exit_code == 2, result.output
    assert "gsm8k[/x]" in result.output
    assert "Traceback" not in result.output
    missing = tmp_path / "[/x]" / "runs[bold].jsonl"
    result = runner.invoke(app, ["report", str(missing)])
    assert result.exit_code == 2, result.output
    assert str(missing) in result.output
    one_clean_line(result.output)


# -- checked before anything heavy starts ------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--executor", "bogus"], "unknown executor 'bogus'"),
        (["-m", "openai:qwen@ftp://x"], "must start with http:// or https://"),
        (["-m", 'scripted:["x"]', "--device", "cuda"], "--device: only for models loaded here"),
        (["-m", "openai:q@http://h", "--context", "8192"], "--context: only for models loaded"),
        (["--trace", "/etc/passwd/x.json"], "--trace /etc/passwd/x.json: /etc/passwd is a file"),
        (["--notebook", "/"], "is a folder"),
    ],
    ids=[
        "executor",
        "ftp server",
        "device for scripted",
        "context for a server",
        "trace under a file",
        "notebook",
    ],
)
def test_solve_refuses_bad_settings_at_once(
    arguments: list[str], words: str, no_model: None
) -> None:
    result = runner.invoke(app, ["solve", "What is 6*7?", *arguments])
    assert result.exit_code == 2, result.output
    assert words in result.output
    one_clean_line(result.output)


def test_a_corrupt_gguf_file_is_one_line_and_exit_3(tmp_path: Path, no_model: None) -> None:
    broken = tmp_path / "model.gguf"
    broken.write_bytes(b"<html>not found</html>" * 500)  # what a failed download leaves
    result = runner.invoke(app, ["solve", "What is 6*7?", "-m", str(broken)])
    assert result.exit_code == 3, result.output
    assert "not a GGUF file" in result.output
    one_clean_line(result.output)


@pytest.mark.parametrize(
    ("arguments", "code", "words"),
    [
        (["--executor", "bogus"], 2, "unknown executor 'bogus'"),
        (["-m", "openai:qwen@ftp://x"], 2, "must start with http://"),
        (["--out", "/etc/passwd/runs.jsonl"], 2, "--out /etc/passwd/runs.jsonl"),
    ],
    ids=["executor", "ftp server", "out under a file"],
)
def test_eval_refuses_bad_settings_at_once(
    arguments: list[str], code: int, words: str, shared_data: Path, no_model: None
) -> None:
    base = ["eval", "gsm8k", "--limit", "1", "--data", str(shared_data)]
    result = runner.invoke(app, [*base, "-m", 'scripted:["x"]', *arguments])
    assert result.exit_code == code, result.output
    assert words in result.output
    one_clean_line(result.output)


# -- settings: environment and config files ------------------------------------------


def test_pot_model_is_honoured(kernel_only: JupyterExecutor) -> None:
    spec = "scripted:" + json.dumps(["```python\nprint(6 * 7)\n```"])
    result = runner.invoke(app, ["solve", "What is 6*7?"], env={"POT_MODEL": spec})
    assert result.exit_code == 0, result.output
    assert "Answer: 42 (printed by the program)" in result.output


def test_config_files_and_where_each_setting_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "user.toml"
    user.write_text('model = "qwen2.5-coder-0.5b"\ntimeout = 30\nmode = "cot"\n')
    (tmp_path / "pot.toml").write_text('mode = "tir"\n')
    monkeypatch.chdir(tmp_path)
    env = {"POT_CONFIG": str(user), "POT_EXECUTOR": "sandbox", "POT_MODEL": "", "POT_MODE": ""}
    result = runner.invoke(app, ["config", "--json"], env=env)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["mode"] == {"value": "tir", "from": str(tmp_path / "pot.toml")}
    assert shown["model"] == {"value": "qwen2.5-coder-0.5b", "from": str(user)}
    assert shown["timeout"] == {"value": 30.0, "from": str(user)}
    assert shown["executor"] == {"value": "sandbox", "from": "$POT_EXECUTOR"}
    assert shown["samples"] == {"value": 1, "from": "default"}
    text = runner.invoke(app, ["config"], env=env)
    assert "tir" in text.output and "pot.toml" in text.output


def test_config_lists_every_environment_variable_and_hides_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"POT_CACHE": str(tmp_path / "cache"), "POT_OPENAI_API_KEY": "sk-do-not-show"}
    shown = json.loads(runner.invoke(app, ["config", "--json"], env=env).output)
    assert shown["environment"]["POT_CACHE"] == str(tmp_path / "cache")
    assert shown["environment"]["POT_OPENAI_API_KEY"] == "(set)"
    text = runner.invoke(app, ["config"], env=env).output
    assert "sk-do-not-show" not in text and "POT_GATEWAY_URL" in text


def test_every_variable_pot_reads_is_listed_in_one_place() -> None:
    from pot.config import VARIABLES

    root = Path(__file__).resolve().parents[1]
    read = set()
    for folder in ("pot", "executors", "tasks"):
        for source in (root / folder).rglob("*.py"):
            read |= set(re.findall(r"[\"'](POT_[A-Z_]+)[\"']", source.read_text()))
    assert read, "the search found no variable at all"
    assert read <= set(VARIABLES), f"not in pot.config.VARIABLES: {sorted(read - set(VARIABLES))}"


def test_a_bad_config_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pot.toml").write_text('modle = "tir"\n')
    result = runner.invoke(app, ["config"], env={"POT_CONFIG": str(tmp_path / "none.toml")})
    assert result.exit_code == 2
    assert "unknown setting(s) modle" in result.output
    one_clean_line(result.output)
    (tmp_path / "pot.toml").write_text("samples = 0\n")
    result = runner.invoke(app, ["solve", "q"], env={"POT_CONFIG": str(tmp_path / "none.toml")})
    assert result.exit_code == 2
    assert "samples from" in result.output and "pot.toml" in result.output
    one_clean_line(result.output)


# -- help and tables at 80 columns --------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["solve"], ["eval"], ["report"], ["models"]])
def test_help_shows_no_bool_metavar(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "<bool>" not in result.output
    assert "--help" in result.output


def test_the_model_option_is_m_and_completion_is_on() -> None:
    solve = runner.invoke(app, ["solve", "--help"], env={"COLUMNS": "120"}).output
    [model_line] = [line for line in solve.splitlines() if "--model " in line]
    assert " -m " in model_line
    [mode_line] = [line for line in solve.splitlines() if "--mode " in line]
    assert " -m " not in mode_line
    assert "--install-completion" in runner.invoke(app, ["--help"]).output


def test_models_at_80_columns_cut_no_word() -> None:
    result = runner.invoke(app, ["models"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines), result.output
    words = {word for line in lines for word in line.split()}
    for word in ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "weights", "cached"):
        assert word in words, result.output
    cached = [line.split()[1:] for line in lines if line.split()[:1] == ["cached"]]
    assert len(cached) == 2, result.output  # each model says what its cache holds
    assert all({"safetensors", "gguf", "nothing"} & set(words) for words in cached)
    assert "installed" in words
