"""One streamed request to an OpenAI-compatible server, over the standard library's http.client.

The response is read as server-sent events (`data: {...}` lines, ended by `data: [DONE]`).
Cancelling the request shuts the socket down from the cancelling thread, which closes the
stream at once: the server sees the client go and stops generating.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
from collections.abc import Callable, Generator, Iterator
from typing import Any

from models.cancellation import CancelToken
from models.errors import RemoteError
from models.remote.endpoint import RemoteEndpoint

MAX_LINE = 1 << 20
MAX_ERROR_BODY = 2000


def _connection(endpoint: RemoteEndpoint) -> http.client.HTTPConnection:
    parts = endpoint.parts
    host = parts.hostname or ""
    if parts.scheme == "https":
        return http.client.HTTPSConnection(
            host,
            parts.port,
            timeout=endpoint.timeout_seconds,
            context=ssl.create_default_context(),
        )
    return http.client.HTTPConnection(host, parts.port, timeout=endpoint.timeout_seconds)


def _abort(sock: socket.socket | None) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__


def _error_detail(response: http.client.HTTPResponse) -> str:
    body = response.read(MAX_ERROR_BODY).decode("utf-8", "replace").strip()
    try:
        error = json.loads(body).get("error", body)
        body = error.get("message", str(error)) if isinstance(error, dict) else str(error)
    except (ValueError, AttributeError):
        pass
    return body[:300] or (response.reason or "")


def _headers(endpoint: RemoteEndpoint, streaming: bool) -> dict[str, str]:
    accept = "text/event-stream" if streaming else "application/json"
    headers = {"Content-Type": "application/json", "Accept": accept}
    if endpoint.token:
        headers["Authorization"] = f"Bearer {endpoint.token}"
    return headers


def stream_events(
    endpoint: RemoteEndpoint, path: str, body: dict[str, Any], cancel: CancelToken
) -> Generator[dict[str, Any]]:
    """POST `body` and yield each streamed JSON event. Raises GenerationCancelled when
    cancelled, RemoteError otherwise; `retryable` is set where the server never got the
    request or said it was busy or failing, and on a stream that broke (a restart)."""
    where = endpoint.display
    connection = _connection(endpoint)
    forget: Callable[[], None] | None = None
    try:
        try:
            connection.connect()
            # The socket itself, not the connection's attribute: http.client lets go of it
            # once an HTTP/1.0 response arrives, while the response goes on reading from it.
            sock = connection.sock
            forget = cancel.on_cancel(lambda: _abort(sock))
            connection.request("POST", path, json.dumps(body).encode(), _headers(endpoint, True))
        except (OSError, http.client.HTTPException) as exc:
            cancel.raise_if_cancelled()
            raise RemoteError(f"{where} is unreachable ({_reason(exc)})", True) from exc
        try:
            response = connection.getresponse()
        except TimeoutError as exc:
            cancel.raise_if_cancelled()
            raise RemoteError(f"{where} did not answer within the timeout") from exc
        except (OSError, http.client.HTTPException) as exc:
            cancel.raise_if_cancelled()
            raise RemoteError(f"{where} dropped the request ({_reason(exc)})", True) from exc
        if response.status != 200:
            status = response.status
            detail = _error_detail(response)
            hint = " (check the token)" if status in (401, 403) else ""
            retryable = status == 429 or status >= 500
            raise RemoteError(f"{where} answered HTTP {status}: {detail}{hint}", retryable)
        yield from _events(response, where, cancel)
    finally:
        if forget is not None:
            forget()
        connection.close()


def _events(
    response: http.client.HTTPResponse, where: str, cancel: CancelToken
) -> Iterator[dict[str, Any]]:
    while True:
        try:
            line = response.readline(MAX_LINE)
        except TimeoutError as exc:
            cancel.raise_if_cancelled()
            raise RemoteError(f"{where} stopped sending within the timeout") from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:
            cancel.raise_if_cancelled()
            raise RemoteError(f"{where} broke off the stream ({_reason(exc)})", True) from exc
        if not line:
            cancel.raise_if_cancelled()
            raise RemoteError(f"{where} closed the stream before its end", True)
        if not line.startswith(b"data:"):
            continue  # blank separators, comments, event names
        data = line[5:].strip()
        if data == b"[DONE]":
            return
        try:
            event = json.loads(data)
        except ValueError as exc:
            raise RemoteError(f"{where} sent a malformed event: {data[:80]!r}") from exc
        if not isinstance(event, dict):
            raise RemoteError(f"{where} sent a malformed event: {data[:80]!r}")
        if "error" in event:
            raise RemoteError(f"{where} reported an error: {event['error']}")
        yield event


def get_json(endpoint: RemoteEndpoint, path: str, timeout: float) -> dict[str, Any]:
    """A short GET (the health probe); raises RemoteError."""
    connection = _connection(endpoint)
    connection.timeout = timeout
    try:
        connection.request("GET", path, headers=_headers(endpoint, False))
        response = connection.getresponse()
        if response.status != 200:
            raise RemoteError(f"{endpoint.display} answered HTTP {response.status}")
        answer = json.loads(response.read(MAX_LINE))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise RemoteError(f"{endpoint.display} is unreachable ({_reason(exc)})", True) from exc
    finally:
        connection.close()
    return answer if isinstance(answer, dict) else {}
