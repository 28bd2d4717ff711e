"""Start-up progress, clean shutdown, and a stdout that carries JSON-RPC only."""

from __future__ import annotations

import json
import subprocess

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import SERVER, wait_for_model

pytestmark = pytest.mark.model


async def test_model_load_reports_progress(client: LanguageClient) -> None:
    await wait_for_model(client)
    reports = [
        r
        for token, rs in client.progress_reports.items()
        if str(token).startswith("wattcode-load")
        for r in rs
    ]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert reports[-1].message is not None and "ready" in reports[-1].message


def _frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def test_exit_is_clean_and_stdout_is_only_json_rpc() -> None:
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": {}},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    done = subprocess.run(
        SERVER,
        input=b"".join(_frame(m) for m in messages),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    out = done.stdout
    # Every byte on stdout belongs to a framed JSON-RPC message.
    while out:
        header, sep, rest = out.partition(b"\r\n\r\n")
        assert sep and header.startswith(b"Content-Length: "), out[:200]
        fields = dict(line.split(b": ", 1) for line in header.split(b"\r\n"))
        length = int(fields[b"Content-Length"])
        json.loads(rest[:length])
        out = rest[length:]
