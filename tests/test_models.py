"""TransformersModel on a tiny random Qwen2 through the real loader; weights and errors."""

from __future__ import annotations

import shutil
import sys
import threading
from pathlib import Path

import pytest

from pot.models import GenerationConfig, Message, StopReason
from pot.models.errors import (
    ChecksumError,
    DeviceUnavailableError,
    MissingExtraError,
    NotEnoughMemoryError,
    UnknownModelError,
)
from pot.models.loading import ModelCache, load_model, parse_openai_spec
from pot.models.transformers import TransformersModel
from pot.models.weights import ALIASES, Alias, Source, join_chunks, resolve

SYSTEM = Message(role="system", content="You write Python to solve problems.")
LONG = [SYSTEM, Message(role="user", content="Add the numbers from one to ten, please.")]
SHORT = [SYSTEM, Message(role="user", content="Hi")]


def texts(result: list[list]) -> list[str]:
    return [generation.text for samples in result for generation in samples]


def test_nf4_load_is_4bit_and_generates_a_batch(tiny: TransformersModel) -> None:
    import bitsandbytes as bnb

    assert any(isinstance(module, bnb.nn.Linear4bit) for module in tiny.model.modules())
    config = GenerationConfig(max_new_tokens=6)
    result = tiny.generate([LONG, SHORT], config)
    assert [len(samples) for samples in result] == [1, 1]
    for conversation, (generation,) in zip([LONG, SHORT], result, strict=True):
        assert generation.prompt_tokens == len(tiny.encode(conversation))
        assert 1 <= generation.completion_tokens <= 6
        assert generation.seconds > 0
        if generation.stop_reason is StopReason.LENGTH:
            assert generation.completion_tokens == 6


@pytest.mark.parametrize("quantization", ["none", "int8"])
def test_other_quantizations_load_and_generate(tiny_qwen: Path, quantization: str) -> None:
    model = load_model(str(tiny_qwen), quantization=quantization, device="cpu")
    ((generation,),) = model.generate([SHORT], GenerationConfig(max_new_tokens=3))
    assert generation.completion_tokens >= 1


def test_left_padded_batch_matches_one_by_one(tiny_plain: TransformersModel) -> None:
    config = GenerationConfig(max_new_tokens=8)
    batched = texts(tiny_plain.generate([LONG, SHORT], config))
    alone = texts(tiny_plain.generate([LONG], config)) + texts(tiny_plain.generate([SHORT], config))
    assert batched == alone


def test_greedy_is_reproducible(tiny_plain: TransformersModel) -> None:
    config = GenerationConfig(max_new_tokens=8, seed=3)
    assert texts(tiny_plain.generate([LONG], config)) == texts(tiny_plain.generate([LONG], config))


def test_sampling_with_seed_is_reproducible_and_n_gives_samples(
    tiny_plain: TransformersModel,
) -> None:
    config = GenerationConfig(max_new_tokens=8, temperature=1.0, n=3, seed=7)
    first = tiny_plain.generate([SHORT], config)
    assert len(first) == 1 and len(first[0]) == 3
    assert texts(first) == texts(tiny_plain.generate([SHORT], config))


def test_stop_string_cuts_and_stops(tiny_plain: TransformersModel) -> None:
    ((free,),) = tiny_plain.generate([LONG], GenerationConfig(max_new_tokens=12))
    stop = free.text[len(free.text) // 2 :][:3]
    assert stop
    ((cut,),) = tiny_plain.generate([LONG], GenerationConfig(max_new_tokens=12, stop=[stop]))
    assert cut.stop_reason is StopReason.STOP
    assert cut.stop_string == stop
    assert cut.text == free.text[: free.text.find(stop)]
    assert stop not in cut.text


def test_prefix_cache_reuses_a_growing_conversation(
    tiny: TransformersModel, tiny_plain: TransformersModel
) -> None:
    tiny.prefix_cache.clear()
    config = GenerationConfig(max_new_tokens=8)
    ((first,),) = tiny.generate([LONG], config)
    before = tiny.stats.reused_tokens
    grown = [*LONG, Message(role="assistant", content=first.text + "\n```output\n55\n```\n")]
    ((second,),) = tiny.generate([grown], config)
    reused = tiny.stats.reused_tokens - before
    assert reused >= len(tiny.encode(LONG))
    ((reference,),) = tiny_plain.generate([grown], config)
    assert second.text == reference.text


def test_rows_reusing_different_prefixes_batch_correctly(
    tiny: TransformersModel, tiny_plain: TransformersModel
) -> None:
    tiny.prefix_cache.clear()
    config = GenerationConfig(max_new_tokens=6)
    tiny.generate([LONG], config)
    other = [SYSTEM, Message(role="user", content="Multiply seven by six, then add one.")]
    continued = [*LONG, Message(role="assistant", content="```python\nprint(55)\n```")]
    rows = [continued, other, SHORT]
    before = tiny.stats.reused_tokens
    cached = texts(tiny.generate(rows, config))
    assert tiny.stats.reused_tokens > before
    assert cached == texts(tiny_plain.generate(rows, config))


def test_static_batching_merges_threads(tiny_qwen: Path, tiny_plain: TransformersModel) -> None:
    model = TransformersModel(
        str(tiny_qwen), device="cpu", prefix_cache=False, batching="static", batch_window=0.5
    )
    config = GenerationConfig(max_new_tokens=5)
    conversations = [
        [SYSTEM, Message(role="user", content=f"What is {i} squared?")] for i in range(4)
    ]
    results: dict[int, str] = {}
    barrier = threading.Barrier(4)

    def ask(index: int) -> None:
        barrier.wait()
        results[index] = texts(model.generate([conversations[index]], config))[0]

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert model._collector.batches_run < 4
    assert [results[i] for i in range(4)] == texts(tiny_plain.generate(conversations, config))


def test_batch_errors_reach_every_calling_thread() -> None:
    from pot.models.batching import BatchCollector

    def fail(conversations: list, config: GenerationConfig) -> list:
        raise RuntimeError("boom")

    collector = BatchCollector(fail, window=0.2)
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            collector.submit([SHORT], GenerationConfig())
        except RuntimeError as error:
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 3


def test_close_frees_the_weights_and_later_calls_say_so(tiny_qwen: Path) -> None:
    from pot.models.base import ModelError

    model = TransformersModel(str(tiny_qwen), device="cpu", quantization="none", progress=False)
    question = [Message(role="user", content="Say hi")]
    [[reply]] = model.generate([question], GenerationConfig(max_new_tokens=3))
    assert reply.completion_tokens >= 1
    model.close()
    assert model.model is None
    assert model.prefix_cache is None
    with pytest.raises(ModelError, match="the model was closed"):
        model.generate([question], GenerationConfig(max_new_tokens=3))


def test_cuda_without_cuda_is_a_typed_error(tiny_qwen: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(DeviceUnavailableError, match="CUDA is not available"):
        TransformersModel(str(tiny_qwen), device="cuda")


def test_unknown_specs_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError, match="known aliases"):
        resolve("qwen9-giant")
    with pytest.raises(UnknownModelError, match="not an alias"):
        load_model("no-such-model")
    with pytest.raises(UnknownModelError, match="does not exist"):
        load_model(str(tmp_path / "missing.gguf"))
    with pytest.raises(UnknownModelError, match="names no model"):
        load_model("openai:")


def test_openai_specs_parse() -> None:
    assert parse_openai_spec("openai:qwen") == ("qwen", None)
    assert parse_openai_spec("openai:Qwen/Qwen2.5-Coder-32B-Instruct@http://gpu:8000/v1") == (
        "Qwen/Qwen2.5-Coder-32B-Instruct",
        "http://gpu:8000/v1",
    )


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingExtraError, match=r"pot-reasoning\[hf\]"):
        TransformersModel("qwen2.5-coder-0.5b")


def test_model_cache_loads_once(tiny_qwen: Path) -> None:
    models = ModelCache()
    first = models.load(str(tiny_qwen), device="cpu", quantization="none")
    assert models.load(str(tiny_qwen), device="cpu", quantization="none") is first


def _fake_alias(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sha256: str) -> Alias:
    payload = [b"first chunk ", b"second chunk"]
    for index, data in enumerate(payload, start=1):
        package = tmp_path / "site" / f"pot_fake_part{index}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{index:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return Alias(
        name="fake",
        hub_id="example/fake",
        extra="model-fake",
        chunk_modules=("pot_fake_part1", "pot_fake_part2"),
        gguf_name="fake.gguf",
        gguf_bytes=len(b"".join(payload)),
        sha256=sha256,
    )


def test_chunks_are_joined_and_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    good = hashlib.sha256(b"first chunk second chunk").hexdigest()
    alias = _fake_alias(tmp_path, monkeypatch, good)
    joined = join_chunks(alias, tmp_path / "cache")
    assert joined.read_bytes() == b"first chunk second chunk"


def test_checksum_mismatch_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alias = _fake_alias(tmp_path, monkeypatch, "0" * 64)
    with pytest.raises(ChecksumError, match="force-reinstall"):
        join_chunks(alias, tmp_path / "cache")
    assert list((tmp_path / "cache" / "gguf").iterdir()) == []


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alias = _fake_alias(tmp_path, monkeypatch, "0" * 64)
    monkeypatch.setitem(ALIASES, "fake", alias)
    assert resolve("fake", tmp_path).source is Source.CHUNKS
    folder = tmp_path / "models" / "fake"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"")
    assert resolve("fake", tmp_path).source is Source.CACHE
    shutil.rmtree(folder)
    monkeypatch.setitem(ALIASES, "fake", Alias(**{**alias.__dict__, "chunk_modules": ("nope",)}))
    assert resolve("fake", tmp_path).location == "example/fake"


def test_conversion_refuses_without_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import psutil

    from pot.models import convert

    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"\0" * 1024)

    class Starved:
        available = 10

    monkeypatch.setattr(psutil, "virtual_memory", lambda: Starved())
    with pytest.raises(NotEnoughMemoryError, match="free memory"):
        convert.convert_gguf(gguf, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_interrupted_conversion_leaves_no_half_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transformers

    from pot.models import convert

    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"\0" * 1024)

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", killed)
    with pytest.raises(KeyboardInterrupt):
        convert.convert_gguf(gguf, tmp_path / "models" / "out")
    assert list((tmp_path / "models").iterdir()) == []


def test_pot_models_lists_aliases(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from pot.cli import app

    monkeypatch.setenv("POT_CACHE", str(tmp_path))
    result = CliRunner().invoke(app, ["models", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["alias"]: row for row in json.loads(result.output)}
    assert set(rows) == set(ALIASES)
    assert rows["qwen2.5-coder-1.5b"]["default"] is True
    assert all(row["converted_bytes"] == 0 for row in rows.values())
    table = CliRunner().invoke(app, ["models"], env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert "qwen2.5-coder-0.5b" in table.output
