"""JSON-RPC framing over stdio that survives a misbehaving client.

pygls's own read loop (`pygls.io_.run_async`) trusts its input: garbage or a wrong
`Content-Length` desynchronises the stream until a header happens to start a line again, a huge
length makes it try to allocate that many bytes, and a request whose params do not validate is
logged but never answered, so the editor waits for ever. This loop does the framing itself and
hands well-formed messages to pygls's protocol:

- header lines are read with a bounded length, and a `Content-Length` header is recognised at
  the end of any line, so garbage in front of it costs only the garbage;
- a body longer than MAX_BODY_BYTES is refused and skipped by scanning for the next header;
- JSON that does not parse gets a ParseError response, a message that is not JSON-RPC 2.0 an
  InvalidRequest response, and a request whose params do not validate an InvalidParams response
  that names the method and the field (JSON-RPC 2.0, section 5.1); a notification with bad
  params is logged and dropped, since nothing can be answered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Awaitable, Callable
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.io_ import StdoutWriter

from lsp_server.wattcode_server import WattcodeServer

log = logging.getLogger(__name__)

MAX_HEADER_LINE = 64 << 10
MAX_BODY_BYTES = 256 << 20
"""A 10 MB document of NUL characters is 60 MB of JSON (`\\u0000`); anything near this limit is
an error, not a document."""
HEADER = re.compile(rb"content-length:[ \t]*(\d+)[ \t]*\r?\n\Z", re.IGNORECASE)
MAX_LENGTH_DIGITS = 15

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602


class _DeserializeNoise(logging.Filter):
    """pygls logs a full traceback for every message it cannot deserialize; this module logs
    one line per such message instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Unable to deserialize message")


def serve_stdio(server: WattcodeServer, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Run the server on stdin and stdout until `exit` or end of input (pygls's `start_io`,
    with this module's framing)."""
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_DeserializeNoise())
    # pygls's shutdown() sets this event to end the read loop.
    server._stop_event = stop = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout))
    try:
        asyncio.run(_read_loop(server, stdin, stop))
    except BrokenPipeError:
        log.error("the editor closed the connection; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]


async def _read_loop(server: WattcodeServer, stdin: BinaryIO, stop: threading.Event) -> None:
    loop = asyncio.get_running_loop()

    def read(fn: Callable[[int], bytes], size: int) -> Awaitable[bytes]:
        return loop.run_in_executor(server.thread_pool, fn, size)

    length: int | None = None
    skipped = 0
    while not stop.is_set():
        line = await read(stdin.readline, MAX_HEADER_LINE)
        if not line:
            return  # end of input: the editor is gone
        if line.strip():
            match = HEADER.search(line)
            if match:
                digits = match.group(1)
                length = int(digits) if len(digits) <= MAX_LENGTH_DIGITS else MAX_BODY_BYTES + 1
            elif not line.lower().startswith(b"content-type:"):
                skipped += len(line)
            continue
        if length is None:
            continue  # a blank line outside a header: nothing to read
        if skipped:
            log.warning("skipped %d bytes that were not a JSON-RPC header", skipped)
            skipped = 0
        size, length = length, None
        if size > MAX_BODY_BYTES:
            _refuse(server, f"a message of {size:,} bytes is over the limit of {MAX_BODY_BYTES:,}")
            continue  # its body, if it comes, is skipped like any other garbage
        body = await read(stdin.read, size)
        if len(body) < size:
            return  # end of input in the middle of a message
        handle_body(server, body)


def _refuse(server: WattcodeServer, why: str) -> None:
    # Through the server's error report: logged, and shown at most once a minute.
    server.report_server_error(ValueError(f"refused: {why}"), ValueError)


def _message_id(data: Any) -> int | str | None:
    msg_id = data.get("id") if isinstance(data, dict) else None
    return msg_id if isinstance(msg_id, int | str) and not isinstance(msg_id, bool) else None


def _reason(exc: BaseException) -> str:
    """The innermost cause: cattrs wraps the field that failed in groups and causes."""
    for _ in range(64):
        if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
            exc = exc.exceptions[0]
        elif exc.__cause__ is not None:
            exc = exc.__cause__
        else:
            break
    return str(exc) or type(exc).__name__


def _reply_error(server: WattcodeServer, msg_id: int | str | None, code: int, message: str) -> None:
    # _send_response is how pygls answers its own requests; it frames and writes one response.
    # JSON-RPC answers a message whose id cannot be read with id null.
    server.protocol._send_response(
        msg_id,  # type: ignore[arg-type]
        error=types.ResponseError(code=code, message=message),
    )


def handle_body(server: WattcodeServer, body: bytes) -> None:
    """Parse, validate and dispatch one message body; answer what cannot be dispatched."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        log.warning("a message that is not JSON: %s", exc)
        _reply_error(server, None, PARSE_ERROR, f"Parse error: {exc}")
        return
    if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
        log.warning("a message that is not a JSON-RPC 2.0 object")
        _reply_error(
            server, _message_id(data), INVALID_REQUEST, "Invalid request: not JSON-RPC 2.0"
        )
        return
    method = data.get("method")
    is_request = "id" in data and "method" in data
    if is_request and _message_id(data) is None:
        _reply_error(
            server, None, INVALID_REQUEST, "Invalid request: the id must be a number or a string"
        )
        return
    if "method" in data and not isinstance(method, str):
        _reply_error(server, _message_id(data), INVALID_REQUEST, "Invalid request: bad method")
        return
    try:
        message = server.protocol.structure_message(data)
    except Exception as exc:  # noqa: BLE001 - any structuring failure is the client's bad params
        reason = _reason(exc)
        log.warning("invalid params for %s: %s", method or "a response", reason)
        if is_request:
            _reply_error(
                server, _message_id(data), INVALID_PARAMS, f"Invalid params for {method}: {reason}"
            )
        return
    try:
        server.protocol.handle_message(message)
    except Exception:
        log.exception("could not handle %s", method or "a response")
