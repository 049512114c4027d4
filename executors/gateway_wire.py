"""The wire side of the kernel gateway client: REST requests, Jupyter messages
as JSON, TCP tweaks, and the typed errors."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import socket
import uuid
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection

from pot.executors.base import ExecutorError

TOKEN_VARIABLES = ("POT_GATEWAY_TOKEN", "JUPYTER_GATEWAY_AUTH_TOKEN")


class GatewayError(ExecutorError):
    """A kernel gateway failed; the message says what to do."""


class GatewayUnavailableError(GatewayError):
    """The gateway cannot be reached (wrong URL, not running, or it went away)."""


class GatewayAuthError(GatewayError):
    """The gateway refused the token."""


async def rest_request(
    url: str, token: str, method: str, path: str, body: object = None, timeout: float = 30.0
) -> Any:
    """One call of the gateway's REST API; its JSON answer (or None)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    request = HTTPRequest(
        url + path,
        method=method,
        headers=headers,
        body=None if body is None else json.dumps(body),
        allow_nonstandard_methods=True,
        request_timeout=timeout,
    )
    try:
        response = await AsyncHTTPClient().fetch(request)
    except HTTPClientError as error:
        if error.code in (401, 403):
            raise GatewayAuthError(
                f"The kernel gateway at {url} refused the token (HTTP {error.code}): "
                f"set {TOKEN_VARIABLES[0]} to the gateway's auth token"
            ) from error
        raise
    except OSError as error:
        raise GatewayUnavailableError(
            f"Cannot reach the kernel gateway at {url} ({error}): check the URL "
            "and that `jupyter kernelgateway` (or Enterprise Gateway) is running"
        ) from error
    return json.loads(response.body) if response.body else None


def make_message(
    session: str, channel: str, msg_type: str, content: dict[str, Any]
) -> dict[str, Any]:
    """A Jupyter message as the gateway's WebSocket expects it (JSON, with its channel)."""
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "session": session,
        "username": "pot",
        "version": "5.3",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
    }
    return {
        "header": header,
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


def raw_socket(connection: WebSocketClientConnection) -> socket.socket | None:
    stream = getattr(connection, "stream", None) or getattr(connection.protocol, "stream", None)
    return getattr(stream, "socket", None)


def quick_ack(raw: socket.socket | None) -> None:
    """Acknowledge the gateway's next packet at once.

    Jupyter's WebSocket handler leaves Nagle's algorithm on, so its second small
    message waits for our ACK of the first, which Linux delays by up to 40 ms; a
    quick ACK (re-armed before each read, as Linux clears it) removes that wait.
    """
    if raw is not None and hasattr(socket, "TCP_QUICKACK"):
        with contextlib.suppress(OSError):
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


def parent_id(message: Any) -> str | None:
    return message.get("parent_header", {}).get("msg_id")


def kernel_died(message: Any) -> bool:
    """The gateway reports a dying kernel as status 'restarting' or 'dead' on iopub."""
    return (
        message.get("channel") == "iopub"
        and message.get("header", {}).get("msg_type") == "status"
        and message.get("content", {}).get("execution_state") in ("restarting", "dead")
    )


def token_from_environment() -> str:
    for name in TOKEN_VARIABLES:
        if os.environ.get(name):
            return os.environ[name]
    return ""
