"""Any OpenAI-compatible ``/v1/chat/completions`` server: vLLM, SGLang, llama.cpp, Ollama.

This is how pot outgrows one machine: a vLLM deployment serves the model on
many GPUs while pot keeps many problems in flight. ``agenerate`` sends one
request per conversation, all at once (bounded by ``max_in_flight`` per event loop),
with connection pools per event loop; the blocking ``generate`` is its twin, run on
pot's background loop (so every thread shares that loop's pools and bound).

Continuing a final assistant message: pot sends ``continue_final_message:
true`` and ``add_generation_prompt: false`` with such requests, which vLLM and
SGLang honour; llama.cpp's own server continues a final assistant message by
itself. Servers that know neither (for example llama-cpp-python's server)
start a new assistant turn instead.

Stop strings: the server is asked to stop at them and the text is cut at them
again here. vLLM and SGLang say which stop string ended a choice (in
``stop_reason``); servers that do not (llama.cpp, Ollama) report a stop string
and an end of turn alike as ``finish_reason: stop``, which pot then reports as
:attr:`StopReason.END`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import os
import random
import time
import weakref
from typing import Any

from pot.executors.loop_thread import blocking, call_blocking, started_kernel_loop
from pot.models.base import Conversation, Generation, GenerationConfig, StopReason
from pot.models.errors import (
    CONTEXT_REFUSAL,
    ServerContextError,
    ServerError,
    ServerTimeoutError,
    ServerUnavailableError,
    missing_extra,
)
from pot.models.stops import cut_at_stop

DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"
CONNECTIONS_PER_POOL = 32
"""Most connections in one httpx pool of ``agenerate`` (more pools above that)."""
_RETRIED_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class OpenAIModel:
    """A model behind an OpenAI-compatible chat-completions endpoint.

    Args:
        model: The model name the server knows (``model`` field of requests).
        base_url: Up to and including ``/v1``; default ``$POT_OPENAI_BASE_URL``,
            ``$OPENAI_BASE_URL`` or ``http://127.0.0.1:8000/v1``.
        api_key: Default ``$POT_OPENAI_API_KEY`` or ``$OPENAI_API_KEY``; local
            servers usually need none.
        timeout: Seconds for one request (connect, then each read).
        max_retries: Retries after a 429, a 5xx, a refused connection or a timeout.
        backoff: First retry delay in seconds; doubles each time, with jitter,
            capped by ``max_backoff``; a ``Retry-After`` header wins.
        max_backoff: Longest delay between two tries.
        max_in_flight: Most requests open at once, over all threads.
        extra_body: Extra JSON fields sent with every request.
        name: Name reported by ``model.name`` (default ``model``).

    Raises:
        MissingExtraError: httpx is not installed.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 300.0,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_in_flight: int = 256,
        extra_body: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> None:
        if importlib.util.find_spec("httpx") is None:
            raise missing_extra("httpx", "openai")
        self.model = model
        self.name = name or model
        self.base_url = (
            base_url
            or os.environ.get("POT_OPENAI_BASE_URL")
            or os.environ.get("OPENAI_BASE_URL")
            or DEFAULT_BASE_URL
        ).rstrip("/")
        key = api_key or os.environ.get("POT_OPENAI_API_KEY") or os.environ.get("OPENAI_API_KEY")
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_in_flight = max_in_flight
        self.extra_body = dict(extra_body or {})
        self._async_clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[list[Any], asyncio.Semaphore, itertools.count[int]]
        ] = weakref.WeakKeyDictionary()

    def close(self) -> None:
        """Close the connection pools the blocking :meth:`generate` opened."""
        background = started_kernel_loop()
        if background is not None and background in self._async_clients:
            call_blocking(self.aclose())

    def __enter__(self) -> OpenAIModel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def agenerate(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]:
        """Send one request per conversation, all in flight at once.

        Returns:
            ``result[i][j]``: sample ``j`` of conversation ``i``.

        Raises:
            ServerError: The server answered with an error (after retries if retryable).
            ServerUnavailableError: The server could not be reached.
            ServerTimeoutError: The server did not answer in time.
        """
        client, slots = self._async_client()

        async def complete(conversation: Conversation) -> list[Generation]:
            generations: list[Generation] = []
            # Some servers ignore ``n``; ask again for what is missing.
            while len(generations) < config.n:
                body = self._body(conversation, config, config.n - len(generations))
                async with slots:
                    started = time.perf_counter()
                    data = await self._apost(client, body)
                generations += _parse(data, config, time.perf_counter() - started)
            return generations[: config.n]

        return list(await asyncio.gather(*(complete(c) for c in conversations)))

    generate = blocking(agenerate)
    """The blocking twin of :meth:`agenerate` (any thread), on pot's background loop."""

    def _async_client(self) -> tuple[Any, asyncio.Semaphore]:
        """A connection pool of the running loop, and the loop's request slots.

        Made on first use, shared by every ``agenerate`` call on that loop, so
        hundreds of problems in flight reuse keep-alive connections. The
        connections are spread over several pools of at most
        :data:`CONNECTIONS_PER_POOL`, taken in turn: httpx scans every connection
        of a pool for each request, which at 256 connections cost pot a quarter
        of its CPU (measured with py-spy in ``bench/scale.py``).
        """
        import httpx

        loop = asyncio.get_running_loop()
        entry = self._async_clients.get(loop)
        if entry is None:
            count = -(-self.max_in_flight // CONNECTIONS_PER_POOL)
            size = -(-self.max_in_flight // count)
            limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
            tls = httpx.create_ssl_context()  # one for all pools: each costs milliseconds
            clients = [
                httpx.AsyncClient(
                    timeout=self.timeout, limits=limits, headers=self._headers, verify=tls
                )
                for _ in range(count)
            ]
            entry = (clients, asyncio.Semaphore(self.max_in_flight), itertools.count())
            self._async_clients[loop] = entry
        clients, slots, turn = entry
        return clients[next(turn) % len(clients)], slots

    async def aclose(self) -> None:
        """Close the running loop's connection pools (``agenerate`` makes new ones if needed)."""
        entry = self._async_clients.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            for client in entry[0]:
                await client.aclose()

    def _body(self, conversation: Conversation, config: GenerationConfig, n: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [message.model_dump() for message in conversation],
            "max_tokens": config.max_new_tokens,
            "temperature": config.temperature,
            "top_p": config.top_p,
            "n": n,
        }
        if config.stop:
            body["stop"] = config.stop
        if config.seed is not None:
            body["seed"] = config.seed
        if conversation and conversation[-1].role == "assistant":
            body["continue_final_message"] = True
            body["add_generation_prompt"] = False
        body.update(self.extra_body)
        return body

    async def _apost(self, client: Any, body: dict[str, Any]) -> dict[str, Any]:
        import httpx

        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.max_retries + 1):
            try:
                response = await client.post(url, json=body)
            except httpx.HTTPError as error:
                failure = _transport_error(error, url, self.timeout)
                if attempt == self.max_retries:
                    raise failure from error
                await asyncio.sleep(self._delay(attempt, None))
                continue
            if response.status_code in _RETRIED_STATUS and attempt < self.max_retries:
                await asyncio.sleep(self._delay(attempt, response.headers.get("retry-after")))
                continue
            return _check(response, url)
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                return min(float(retry_after), self.max_backoff)
            except ValueError:
                pass
        delay = min(self.backoff * 2**attempt, self.max_backoff)
        return delay * (0.5 + random.random() / 2)


def _transport_error(error: Exception, url: str, timeout: float) -> ServerError:
    import httpx

    if isinstance(error, httpx.TimeoutException):
        return ServerTimeoutError(
            f"{url} did not answer within {timeout:g} s; raise timeout=, lower the number of "
            "problems in flight, or check the server's load"
        )
    return ServerUnavailableError(
        f"cannot reach {url} ({type(error).__name__}: {error}); is the server running? "
        "Check the base URL (POT_OPENAI_BASE_URL)"
    )


def _check(response: Any, url: str) -> dict[str, Any]:
    if response.status_code == 200:
        data: dict[str, Any] = response.json()
        return data
    detail = response.text[:500]
    if response.status_code in (401, 403):
        hint = "set the API key in POT_OPENAI_API_KEY or OPENAI_API_KEY"
    elif response.status_code == 404:
        hint = "check the base URL (it must end with /v1) and the model name"
    elif response.status_code in _RETRIED_STATUS:
        hint = "the server stayed overloaded or failing after retries; try again later"
    elif response.status_code in (400, 413) and CONTEXT_REFUSAL.search(detail):
        raise ServerContextError(
            f"{url} answered {response.status_code}: {detail}; the conversation is longer "
            "than the server's context: raise it on the server (vLLM's --max-model-len, "
            "llama.cpp's -c) or shorten the question",
            status_code=response.status_code,
        )
    else:
        hint = "the server rejected the request"
    raise ServerError(
        f"{url} answered {response.status_code}: {detail}; {hint}",
        status_code=response.status_code,
    )


def _parse(data: dict[str, Any], config: GenerationConfig, seconds: float) -> list[Generation]:
    choices = sorted(data.get("choices") or [], key=lambda choice: choice.get("index", 0))
    if not choices:
        raise ServerError(f"the server returned no choices: {str(data)[:300]}")
    usage = data.get("usage") or {}
    prompt_tokens = int(usage.get("prompt_tokens") or 0)
    completion_total = int(usage.get("completion_tokens") or 0)
    generations = []
    for choice in choices:
        text = (choice.get("message") or {}).get("content") or ""
        text, stop_string = cut_at_stop(text, config.stop)
        finish = choice.get("finish_reason")
        reported = choice.get("stop_reason")
        if stop_string is None and isinstance(reported, str) and reported in config.stop:
            stop_string = reported
        if stop_string is not None:
            reason = StopReason.STOP
        elif finish == "length":
            reason = StopReason.LENGTH
        else:
            reason = StopReason.END
        generations.append(
            Generation(
                text=text,
                stop_reason=reason,
                stop_string=stop_string,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_total // max(1, len(choices)),
                seconds=seconds,
            )
        )
    return generations
