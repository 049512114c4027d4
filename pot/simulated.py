"""A simulated OpenAI-compatible server: scripted completions after a fixed delay.

It stands in for a large deployment (vLLM on many GPUs answers hundreds of
requests at once, each after roughly the same time) so that pot's own overhead
can be measured and its behaviour under load tested without GPUs:
``bench/scale.py`` and the scale-out tests use it. It is a real HTTP/1.1 server
on asyncio (keep-alive, ``Content-Length`` bodies), not a mock object: pot talks
to it through ``OpenAIModel`` exactly as it would to vLLM.

Run one in its own process::

    python -m pot.simulated --delay 1.0 --port 8001
    pot eval gsm8k --model openai:simulated@http://127.0.0.1:8001/v1 -c 64

Example:
    >>> with SimulatedServer(delay=0.5) as server:  # doctest: +SKIP
    ...     model = OpenAIModel("simulated", base_url=server.url)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import threading
from collections.abc import Callable
from typing import Any

DEFAULT_REPLY = "```python\nprint(1 + 1)\n```"
"""What the server answers by default: a trivial program (the answer is 2)."""

Script = Callable[[dict[str, Any]], str]


class SimulatedServer:
    """An OpenAI-compatible ``/v1/chat/completions`` server on loopback.

    Args:
        reply: The completion text, or a function of the request body that returns it.
        delay: Seconds before each answer (the simulated generation time).
        host: Address to listen on.
        port: Port (0: any free port).

    Attributes:
        requests: Completion requests answered so far.
        max_in_flight: Most requests that were waiting at once.
    """

    def __init__(
        self,
        reply: str | Script = DEFAULT_REPLY,
        delay: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.script: Script = reply if callable(reply) else (lambda _body: reply)
        self.delay = delay
        self.host = host
        self.port = port
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, up to and including ``/v1``."""
        return f"http://{self.host}:{self.port}/v1"

    async def serve(self) -> None:
        """Listen (``self.port`` is the real port after this) and answer until cancelled."""
        self._server = await asyncio.start_server(self._connection, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> SimulatedServer:
        """Serve from a background thread; returns once the port is open."""
        ready = threading.Event()
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.serve())
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name="pot-simulated-server", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def stop(self) -> None:
        """Close the port and drop open connections (as a server that went away would)."""
        loop, server = self._loop, self._server
        if loop is None or server is None:
            return

        async def close() -> None:
            server.close()
            others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        loop.close()
        self._server = self._loop = None

    def __enter__(self) -> SimulatedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- HTTP ---------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _version = lines[0].split(" ", 2)
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, payload = await self._answer(method, path, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, asyncio.CancelledError, ConnectionError, ValueError):
            # a closed connection, a bad request, or stop(): drop the connection
            pass
        finally:
            writer.close()

    async def _answer(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path.rstrip("/").endswith("/models"):
            return 200, {"object": "list", "data": [{"id": "simulated", "object": "model"}]}
        if method != "POST" or not path.rstrip("/").endswith("/chat/completions"):
            return 404, {"error": {"message": f"no route {method} {path}"}}
        request = json.loads(body or b"{}")
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        self.requests += 1
        text = self.script(request)
        choices = [
            {"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            for i in range(int(request.get("n") or 1))
        ]
        usage = {"prompt_tokens": 100, "completion_tokens": max(1, len(text) // 4)}
        return 200, {"object": "chat.completion", "choices": choices, "usage": usage}


def main(argv: list[str] | None = None) -> None:
    """``python -m pot.simulated``: serve until interrupted, printing the URL first."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--delay", type=float, default=1.0, help="Seconds per completion.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port.")
    parser.add_argument("--reply", default=DEFAULT_REPLY, help="The completion text.")
    args = parser.parse_args(argv)
    server = SimulatedServer(args.reply, args.delay, args.host, args.port)

    async def run() -> None:
        await server.serve()
        print(server.url, flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
