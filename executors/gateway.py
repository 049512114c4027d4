"""GatewayExecutor: the executor protocol over a Jupyter Kernel Gateway (or Enterprise Gateway).

Kernels live on another host (or as pods on Kubernetes behind Enterprise Gateway);
pot talks to them through the gateway's REST API (``/api/kernelspecs``,
``/api/kernels``, interrupt, restart) and each kernel's WebSocket channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection, WebSocketClosedError, websocket_connect

from pot.executors.base import (
    ErrorInfo,
    ExecutionResult,
    ExecutorClosedError,
    KernelEvent,
    KernelStartError,
)
from pot.executors.collect import Collector
from pot.executors.gateway_wire import (
    GatewayError,
    GatewayUnavailableError,
    kernel_died,
    make_message,
    parent_id,
    quick_ack,
    raw_socket,
    rest_request,
    token_from_environment,
)
from pot.executors.kernel_executor import KernelExecutor, interrupted_error, restarted_error
from pot.executors.kernel_setup import EMPTY_WORKDIR_CODE, setup_code
from pot.executors.limits import OutputLimits, ResourceLimits

POLL_SECONDS = 0.5
LIVENESS_SECONDS = 2.0
"""While code runs without output, how often to ask the gateway whether the kernel exists."""
CLOSED = object()  # put on the message queue when the WebSocket closes


RECONNECT_ATTEMPTS = 3
RECONNECT_SECONDS = 5.0
"""After a restart: sockets tried, and how long each may stay silent."""
START_ATTEMPTS = 3
"""Kernels tried by one start before giving up (each one that dies while starting is deleted)."""


class GatewayExecutor(KernelExecutor):
    """Runs code in a kernel served by a Jupyter Kernel Gateway.

    Behaves like :class:`~pot.executors.JupyterExecutor` wherever the protocol
    allows: a timeout interrupts, then restarts; a kernel that dies or that the
    gateway culls is noticed and replaced, and the result says so; output is
    capped (at the source for IPython kernels). Resource limits, a scrubbed
    environment, network isolation and the kernel's folder are the gateway side's
    job (its kernel image and configuration): see the README's trust levels.

    Args:
        url: The gateway, ``http(s)://host:port`` (``wss`` follows ``https``).
        kernel_name: A kernel spec the gateway offers (default ``$POT_GATEWAY_KERNEL``
            or ``python3``; Enterprise Gateway on Kubernetes: ``python_kubernetes``).
        token: Auth token; default from ``POT_GATEWAY_TOKEN`` or
            ``JUPYTER_GATEWAY_AUTH_TOKEN``.
        timeout: Default seconds per run.
        grace: Seconds to wait after an interrupt before restarting.
        output: Output size caps.
        preload: Code run after each start and reset.
        env: Environment for the kernel, added to the ``KERNEL_*`` variables of this
            process, which are always sent (as Jupyter's own gateway client does):
            Enterprise Gateway reads ``KERNEL_IMAGE``, ``KERNEL_CPUS_LIMIT``,
            ``KERNEL_MEMORY_LIMIT``... from them.
        request_timeout: Seconds for one REST request.
        startup_timeout: Seconds for a kernel to become ready.
    """

    def __init__(
        self,
        url: str,
        kernel_name: str | None = None,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        grace: float = 0.5,
        output: OutputLimits | None = None,
        preload: str = "",
        env: dict[str, str] | None = None,
        request_timeout: float = 30.0,
        startup_timeout: float = 60.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.kernel_name = kernel_name or os.environ.get("POT_GATEWAY_KERNEL", "python3")
        self.token = token if token is not None else token_from_environment()
        self.timeout = timeout
        self.grace = grace
        self.output = output or OutputLimits()
        self.preload = preload
        forwarded = {name: value for name, value in os.environ.items() if name[:7] == "KERNEL_"}
        self.env = {**forwarded, **(env or {})}
        self.request_timeout = request_timeout
        self.startup_timeout = startup_timeout
        self.kernel_id: str | None = None
        self._socket: WebSocketClientConnection | None = None
        self._messages: asyncio.Queue[Any] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._session = uuid.uuid4().hex
        self._lock: asyncio.Lock | None = None
        self._ipython = False

    @property
    def started(self) -> bool:
        return self.kernel_id is not None

    # -- REST -------------------------------------------------------------------------

    async def _request(self, method: str, path: str, body: object = None) -> Any:
        return await rest_request(self.url, self.token, method, path, body, self.request_timeout)

    async def _post(self, path: str, body: object = None) -> Any:
        return await self._request("POST", path, body if body is not None else {})

    # -- lifecycle --------------------------------------------------------------------

    async def _interrupt(self) -> None:
        await self._post(f"/api/kernels/{self.kernel_id}/interrupt")

    async def _start(self) -> None:
        if self.kernel_id is not None:
            return
        self._lock = asyncio.Lock()
        specs = (await self._request("GET", "/api/kernelspecs"))["kernelspecs"]
        if self.kernel_name not in specs:
            raise KernelStartError(
                f"The gateway at {self.url} has no kernel named {self.kernel_name!r}; "
                f"it offers: {', '.join(sorted(specs))}"
            )
        spec = specs[self.kernel_name]["spec"]
        self._ipython = spec.get("language") == "python" and any(
            "ipykernel" in part for part in spec.get("argv", [])
        )
        await self._new_kernel()

    async def _new_kernel(self) -> None:
        """Start a kernel on the gateway and connect to it.

        A kernel that dies while starting (seen: a local gateway starting dozens at
        once gives two of them the same port) is deleted and another one started,
        :data:`START_ATTEMPTS` times in all.
        """
        body = {"name": self.kernel_name, "env": self.env}
        for attempt in range(1, START_ATTEMPTS + 1):
            self.kernel_id = (await self._post("/api/kernels", body))["id"]
            try:
                await self._connect()
                return
            except GatewayUnavailableError:
                await self._discard_kernel()
                if attempt == START_ATTEMPTS:
                    raise

    async def _connect(self, within: float | None = None) -> None:
        """(Re)open the kernel's WebSocket, wait for it, run pot's setup and the preload."""
        await self._close_socket()
        # A new session for every socket: reusing one makes Jupyter's server "restore"
        # the channels it buffered for the old socket, stale after a kernel restart.
        self._session = uuid.uuid4().hex
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        path = f"{parts.path}/api/kernels/{self.kernel_id}/channels"
        address = urlunsplit((scheme, parts.netloc, path, f"session_id={self._session}", ""))
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        try:
            self._socket = await websocket_connect(
                HTTPRequest(address, headers=headers, request_timeout=self.request_timeout),
                max_message_size=64 * 1024**2,
            )
        except (OSError, HTTPClientError) as error:  # refused, reset, timed out, 5xx
            raise GatewayUnavailableError(
                f"Cannot open {address}: {error}; is the gateway overloaded? Raise "
                "request_timeout or start fewer kernels at once"
            ) from error
        self._messages = asyncio.Queue()
        self._reader = asyncio.ensure_future(self._read(self._socket, self._messages))
        await self._wait_until_ready(within or self.startup_timeout)
        if within is None:
            await self._prepare()
            return
        # After a restart the socket can answer kernel_info yet lose the next request
        # (seen: a kernel dying again within 10 s is restarted on new ports while the
        # gateway wires the new socket to the old ones): a short limit, then retry.
        try:
            await asyncio.wait_for(self._prepare(), within)
        except TimeoutError as error:
            raise KernelStartError(f"The kernel did not run pot's setup in {within:g} s") from error

    async def _read(self, connection: WebSocketClientConnection, queue: asyncio.Queue[Any]) -> None:
        raw = raw_socket(connection)
        while True:
            quick_ack(raw)
            text = await connection.read_message()
            if text is None:
                queue.put_nowait(CLOSED)
                return
            queue.put_nowait(json.loads(text))

    async def _wait_until_ready(self, within: float) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            msg_id = self._send("shell", "kernel_info_request", {})
            try:
                while True:
                    message = await self._next(min(1.0, deadline - time.monotonic()))
                    if message is CLOSED:
                        raise GatewayUnavailableError("The gateway closed the kernel's socket")
                    if parent_id(message) == msg_id and message["channel"] == "shell":
                        return
            except TimeoutError:
                continue
        raise KernelStartError(f"The gateway's kernel did not answer in {within:g} s")

    async def _next(self, timeout: float) -> Any:
        assert self._messages is not None
        return await asyncio.wait_for(self._messages.get(), max(timeout, 0.001))

    def _send(self, channel: str, msg_type: str, content: dict[str, Any]) -> str:
        assert self._socket is not None
        outgoing = make_message(self._session, channel, msg_type, content)
        try:
            self._socket.write_message(json.dumps(outgoing))
        except WebSocketClosedError as error:
            raise GatewayUnavailableError("The gateway closed the kernel's socket") from error
        return str(outgoing["header"]["msg_id"])

    def _setup_code(self, defined: bool = False) -> str:
        return setup_code(self.output, ResourceLimits(cpu_seconds=None), None, defined=defined)

    async def _execute(self, code: str, timeout: float, silent: bool = False) -> ExecutionResult:
        started = time.monotonic()
        collector = Collector(self.output)
        content = {
            "code": code,
            "silent": silent,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": False,
        }
        try:
            msg_id = self._send("shell", "execute_request", content)
        except GatewayUnavailableError:  # the socket closed between two runs
            return await self._recover_from_loss(collector, started, CLOSED)
        replied = False
        deadline = started + timeout
        last_check = started
        while not (collector.idle and replied):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return await self._recover_from_timeout(collector, started, timeout, msg_id)
            try:
                message = await self._next(min(remaining, POLL_SECONDS))
            except TimeoutError:
                # a quiet socket: is the kernel still there? (culling may not close it)
                if time.monotonic() - last_check > LIVENESS_SECONDS:
                    last_check = time.monotonic()
                    if not await self._kernel_exists():
                        return await self._recover_from_loss(collector, started, CLOSED)
                continue
            if message is CLOSED or kernel_died(message):
                return await self._recover_from_loss(collector, started, message)
            if parent_id(message) != msg_id:
                continue
            if message["channel"] == "shell":
                replied = True
            elif message["channel"] == "iopub":
                collector.add(message)
        return collector.finish(time.monotonic() - started)

    async def _recover_from_timeout(
        self, collector: Collector, started: float, timeout: float, msg_id: str
    ) -> ExecutionResult:
        try:
            await self._post(f"/api/kernels/{self.kernel_id}/interrupt")
        except HTTPClientError as error:
            if error.code != 404:
                raise
            return await self._recover_from_loss(collector, started, CLOSED)
        grace_deadline = time.monotonic() + self.grace
        while not collector.idle and time.monotonic() < grace_deadline:
            try:
                message = await self._next(grace_deadline - time.monotonic())
            except TimeoutError:
                break
            if message is CLOSED or kernel_died(message):
                break
            if parent_id(message) == msg_id and message["channel"] == "iopub":
                collector.add(message)
        if collector.idle:
            error = interrupted_error(timeout, collector.error.traceback if collector.error else "")
            return collector.finish(time.monotonic() - started, KernelEvent.INTERRUPTED, error)
        await self._restart()
        error = restarted_error(timeout)
        return collector.finish(time.monotonic() - started, KernelEvent.RESTARTED, error)

    async def _recover_from_loss(
        self, collector: Collector, started: float, message: Any
    ) -> ExecutionResult:
        """The kernel died (the gateway restarts it) or is gone (culled): carry on."""
        if await self._kernel_exists():
            how = "the kernel process died and the gateway restarted it"
            try:
                await self._reconnect_after_restart()
            except KernelStartError:  # the restarted kernel never answered (seen under load)
                how = "the kernel process died and did not come back; pot started a new one"
                await self._discard_kernel()
                await self._new_kernel()
        else:
            gave_up = message is not CLOSED and message["content"]["execution_state"] == "dead"
            why = "kept dying and the gateway gave up restarting it" if gave_up else "was culled"
            how = f"the kernel {why}; pot started a new one"
            await self._new_kernel()
        error = ErrorInfo(name="KernelDied", value=f"{how}; every variable was lost")
        return collector.finish(time.monotonic() - started, KernelEvent.DIED, error)

    async def _reconnect_after_restart(self) -> None:
        """Reconnect to a kernel the gateway restarted.

        A socket opened while the gateway is still restarting the kernel can stay
        deaf (seen under load: no answer for a minute); a new socket on a new
        session, after a short wait, does answer.
        """
        for attempt in range(1, RECONNECT_ATTEMPTS + 1):
            await self._wait_for_restart()
            try:
                await self._connect(within=min(RECONNECT_SECONDS, self.startup_timeout))
                return
            except KernelStartError:
                if attempt == RECONNECT_ATTEMPTS:
                    raise

    async def _restart(self) -> None:
        await self._post(f"/api/kernels/{self.kernel_id}/restart")
        await self._reconnect_after_restart()

    async def _kernel_exists(self) -> bool:
        try:
            await self._request("GET", f"/api/kernels/{self.kernel_id}")
        except HTTPClientError as error:
            if error.code == 404:
                return False
            raise
        return True

    async def _wait_for_restart(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            model = await self._request("GET", f"/api/kernels/{self.kernel_id}")
            if model.get("execution_state") not in ("restarting", "dead", "starting"):
                return
            await asyncio.sleep(0.1)

    async def _reset(self) -> None:
        if self.kernel_id is None or self._lock is None:
            raise ExecutorClosedError("GatewayExecutor is not started: call start() first")
        async with self._lock:
            if not self._ipython:
                await self._restart()
                return
            await self._renew(before=EMPTY_WORKDIR_CODE)

    async def _close_socket(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    async def _discard_kernel(self) -> None:
        """Close the socket and delete the kernel on the gateway (if it is still there)."""
        kernel_id, self.kernel_id = self.kernel_id, None
        await self._close_socket()
        if kernel_id is not None:
            # gone already, or the gateway is: nothing left to stop
            with contextlib.suppress(GatewayError, HTTPClientError):
                await self._request("DELETE", f"/api/kernels/{kernel_id}")

    async def _shutdown(self) -> None:
        await self._discard_kernel()
