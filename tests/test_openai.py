"""OpenAIModel against real HTTP servers on loopback that misbehave on purpose."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pot.executors import JupyterExecutor
from pot.models import GenerationConfig, Message, StopReason
from pot.models.errors import (
    ServerContextError,
    ServerError,
    ServerTimeoutError,
    ServerUnavailableError,
)
from pot.models.loading import load_model
from pot.models.openai import OpenAIModel
from pot.solver import Solver
from pot.trace import NoAnswerReason

QUESTION = [Message(role="user", content="What is 6 * 7?")]
Reply = tuple[int, dict[str, str], dict]


def completion(text: str, finish: str = "stop", choices: int = 1) -> dict:
    return {
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": finish}
            for i in range(choices)
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 4 * choices},
    }


class FaultyServer:
    """A real HTTP server whose replies come from a script; records requests and concurrency."""

    def __init__(self, script: Callable[[int, dict], Reply], delay: float = 0.0) -> None:
        self.script = script
        self.delay = delay
        self.bodies: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with owner._lock:
                    owner.bodies.append(body)
                    owner.headers.append(dict(self.headers))
                    number = len(owner.bodies)
                    owner.in_flight += 1
                    owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
                try:
                    time.sleep(owner.delay)
                    status, headers, payload = owner.script(number, body)
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    with owner._lock:
                        owner.in_flight -= 1

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., FaultyServer]]:
    servers: list[FaultyServer] = []

    def start(script: Callable[[int, dict], Reply], delay: float = 0.0) -> FaultyServer:
        server = FaultyServer(script, delay).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


def test_retries_429_and_500_then_succeeds(serve: Callable[..., FaultyServer]) -> None:
    def script(number: int, body: dict) -> Reply:
        if number == 1:
            return 429, {"Retry-After": "0"}, {"error": "slow down"}
        if number == 2:
            return 500, {}, {"error": "oops"}
        return 200, {}, completion("```python\nprint(42)\n```")

    server = serve(script)
    with OpenAIModel("qwen", base_url=server.url, backoff=0.01, api_key="secret") as model:
        ((generation,),) = model.generate([QUESTION], GenerationConfig(stop=["```output"]))
    assert generation.text == "```python\nprint(42)\n```"
    assert len(server.bodies) == 3
    assert server.bodies[0]["stop"] == ["```output"]
    assert server.headers[0]["Authorization"] == "Bearer secret"
    assert generation.stop_reason is StopReason.END  # the server did not say which stop
    assert (generation.prompt_tokens, generation.completion_tokens) == (11, 4)


def test_persistent_503_gives_up_with_a_typed_error(serve: Callable[..., FaultyServer]) -> None:
    server = serve(lambda number, body: (503, {}, {"error": "down"}))
    model = OpenAIModel("qwen", base_url=server.url, max_retries=2, backoff=0.01)
    with pytest.raises(ServerError, match="503") as caught:
        model.generate([QUESTION], GenerationConfig())
    assert caught.value.status_code == 503
    assert len(server.bodies) == 3


def test_client_errors_are_not_retried(serve: Callable[..., FaultyServer]) -> None:
    server = serve(lambda number, body: (401, {}, {"error": "no key"}))
    model = OpenAIModel("qwen", base_url=server.url, backoff=0.01)
    with pytest.raises(ServerError, match="POT_OPENAI_API_KEY"):
        model.generate([QUESTION], GenerationConfig())
    assert len(server.bodies) == 1


def test_refused_connection_is_a_typed_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = OpenAIModel("qwen", base_url=f"http://127.0.0.1:{port}/v1", max_retries=1, backoff=0)
    with pytest.raises(ServerUnavailableError, match="is the server running"):
        model.generate([QUESTION], GenerationConfig())


def test_slow_server_times_out(serve: Callable[..., FaultyServer]) -> None:
    server = serve(lambda number, body: (200, {}, completion("late")), delay=1.0)
    model = OpenAIModel("qwen", base_url=server.url, timeout=0.2, max_retries=1, backoff=0)
    with pytest.raises(ServerTimeoutError, match="did not answer"):
        model.generate([QUESTION], GenerationConfig())


def test_many_requests_in_flight_and_missing_samples_asked_again(
    serve: Callable[..., FaultyServer],
) -> None:
    server = serve(lambda number, body: (200, {}, completion("42", finish="length")), delay=0.2)
    model = load_model(f"openai:qwen@{server.url}", max_in_flight=8)
    result = model.generate([QUESTION] * 6, GenerationConfig(n=2, temperature=0.7))
    assert [len(samples) for samples in result] == [2] * 6
    assert all(g.stop_reason is StopReason.LENGTH for samples in result for g in samples)
    assert len(server.bodies) == 12  # the server ignores n, so each sample is asked for
    assert server.max_in_flight > 1


def test_final_assistant_message_asks_for_continuation(
    serve: Callable[..., FaultyServer],
) -> None:
    server = serve(lambda number, body: (200, {}, completion("42")))
    continued = [*QUESTION, Message(role="assistant", content="```python\nprint(6 * 7)\n```\n")]
    OpenAIModel("qwen", base_url=server.url).generate([continued], GenerationConfig())
    assert server.bodies[0]["continue_final_message"] is True
    assert server.bodies[0]["add_generation_prompt"] is False
    assert server.bodies[0]["messages"][-1]["role"] == "assistant"


def test_stop_reason_reported_by_the_server_is_used(serve: Callable[..., FaultyServer]) -> None:
    reply = completion("x = 1")
    reply["choices"][0]["stop_reason"] = "```output"  # vLLM names the stop string
    server = serve(lambda number, body: (200, {}, reply))
    model = OpenAIModel("qwen", base_url=server.url)
    ((generation,),) = model.generate([QUESTION], GenerationConfig(stop=["```output"]))
    assert generation.stop_reason is StopReason.STOP
    assert generation.stop_string == "```output"


def test_async_path(serve: Callable[..., FaultyServer]) -> None:
    calls = {"count": 0}

    def script(number: int, body: dict) -> Reply:
        calls["count"] += 1
        if number == 1:
            return 502, {}, {"error": "bad gateway"}
        return 200, {}, completion("ok")

    server = serve(script, delay=0.05)
    model = OpenAIModel("qwen", base_url=server.url, backoff=0.01)
    result = asyncio.run(model.agenerate([QUESTION] * 3, GenerationConfig()))
    assert [samples[0].text for samples in result] == ["ok"] * 3
    assert calls["count"] == 4


def test_blocking_calls_from_many_threads_share_one_bound(
    serve: Callable[..., FaultyServer],
) -> None:
    """generate is agenerate run on pot's background loop: threads share its pools and
    max_in_flight, and close() closes them."""
    import threading

    server = serve(lambda number, body: (200, {}, completion("42")), delay=0.2)
    model = OpenAIModel("qwen", base_url=server.url, max_in_flight=2)
    replies: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: replies.append(model.generate([QUESTION], GenerationConfig())[0][0].text)
        )
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert replies == ["42"] * 6
    assert server.max_in_flight == 2
    model.close()
    assert model.generate([QUESTION], GenerationConfig())[0][0].text == "42"  # pools reopen
    model.close()


@pytest.mark.parametrize(
    "refusal",
    [
        "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens",
        "the request exceeds the available context size, try increasing it",
        '{"error": {"code": "context_length_exceeded"}}',
    ],
    ids=["vllm", "llama.cpp server", "openai"],
)
def test_a_context_refusal_ends_the_sample_not_the_solve(
    serve: Callable[..., FaultyServer], refusal: str, kernel: JupyterExecutor
) -> None:
    """A failed program's output makes the repair too long for the server's context."""
    loud = '```python\nprint(" ".join(["x"] * 200))\nraise ValueError("boom")\n```'

    def script(number: int, body: dict) -> Reply:
        if "boom" in json.dumps(body["messages"]):  # the repair, with the program's output
            return 400, {}, {"error": {"message": refusal}}
        return 200, {}, completion(loud)

    server = serve(script)
    model = OpenAIModel("qwen", base_url=server.url, backoff=0.01)
    with pytest.raises(ServerContextError, match="longer than the server's context"):
        model.generate([[Message(role="user", content="boom")]], GenerationConfig())
    trace = Solver(model, kernel, mode="pot").solve("What is 6 * 7?")
    assert trace.answer.reason is NoAnswerReason.CONTEXT_FULL
    assert len(server.bodies) == 3  # a refusal is not retried


def test_other_client_errors_stay_server_errors(serve: Callable[..., FaultyServer]) -> None:
    server = serve(lambda number, body: (400, {}, {"error": "bad temperature"}))
    model = OpenAIModel("qwen", base_url=server.url, backoff=0.01)
    with pytest.raises(ServerError) as caught:
        model.generate([QUESTION], GenerationConfig())
    assert not isinstance(caught.value, ServerContextError)
