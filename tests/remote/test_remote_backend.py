"""The remote backend end to end: `wattcode serve` over stdio (pytest-lsp) driving a real
llama-cpp-python server (`python -m llama_cpp.server`, the default model) on loopback, with the
server down, slow, and restarted mid-session."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.conftest import SERVER, edit, inline, open_document, stats, wait_for_model
from tests.remote.servers import LlamaCppServer, SlowProxy, free_port

pytestmark = pytest.mark.model

CODE = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return "
URI = "file:///remote/calc.py"


@pytest.fixture
def llama_server(tmp_path: Path) -> Iterator[LlamaCppServer]:
    server = LlamaCppServer(free_port(), tmp_path / "llama-server.log")
    yield server
    server.stop()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual_studio_code"))
    )
    yield lsp_client
    await asyncio.wait_for(lsp_client.shutdown_session(), timeout=30)


async def use_remote(client: LanguageClient, url: str, **remote: Any) -> dict[str, Any]:
    """Point the running daemon at `url` (live, as an edit of settings.json would)."""
    # Every request reaches the server: no gating, no answers from the suggestion cache.
    settings = {
        "completion": {"maxTokens": 24, "skipUnlikely": False},
        "cache": {"suggestions": False},
        "remote": {"url": url, **remote},
    }
    client.set_configuration(settings, section="wattcode")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while (current := await stats(client))["model"]["remote"] != url.rstrip("/"):
        assert loop.time() < deadline, current["model"]
        await asyncio.sleep(0.1)
    return await wait_for_model(client)


LINE = CODE.count("\n")
COLUMN = len(CODE.rsplit("\n", maxsplit=1)[-1])


async def ask(client: LanguageClient) -> str:
    """A suggestion after `return `: what the server made of the prompt, or ""."""
    result = await inline(client, URI, LINE, COLUMN)
    return str(result.items[0].insert_text) if result and result.items else ""


def messages(client: LanguageClient, needle: str) -> list[str]:
    return [m.message for m in client.messages if needle in m.message]


async def hover(client: LanguageClient) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=CODE.count("\n"), character=4),
        )
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_suggestions_come_from_the_remote_server(
    client: LanguageClient, llama_server: LlamaCppServer
) -> None:
    llama_server.start()
    await open_document(client, URI, CODE)
    current = await use_remote(client, llama_server.url, joulesPerGeneratedToken=0.5)
    assert (
        current["model"]["state"] == "ready" and "at http://127.0.0.1" in current["model"]["name"]
    )
    text = await ask(client)
    assert "a" in text and "b" in text, text  # the product of a and b, in some spelling
    after = await stats(client)
    assert after["generations_completed"] >= 1 and after["generated_tokens"] >= 1
    assert after["model"]["remote_error"] is None
    shown = await hover(client)
    assert "estimated: remote" in shown and "configured" in shown, shown
    doctor = subprocess.run(
        [sys.executable, "-m", "lsp_server", "doctor", "--remote", llama_server.url],
        capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, "WATTCODE_REMOTE_TOKEN": "sk-not-shown"},
    )  # fmt: skip
    assert "answers; models:" in doctor.stdout and "qwen2.5-coder" in doctor.stdout
    assert "token from WATTCODE_REMOTE_TOKEN" in doctor.stdout
    assert "sk-not-shown" not in doctor.stdout + doctor.stderr


async def test_down_then_up_then_restarted(
    client: LanguageClient, llama_server: LlamaCppServer
) -> None:
    await open_document(client, URI, CODE)
    await use_remote(client, llama_server.url, retries=1, timeoutSeconds=5)
    assert messages(client, "completions start when it answers"), client.messages
    # Down: the request answers empty, one message names the server, the daemon serves on.
    assert await ask(client) == ""
    assert await ask(client) == ""
    [down] = messages(client, "unreachable (connection refused) after 2 tries")
    assert llama_server.url in down
    current = await stats(client)
    assert current["model"]["remote_error"] and current["generations_failed"] == 2
    # Up: the next keystroke is served, and the user is told once.
    llama_server.start()
    assert await ask(client) != ""
    assert messages(client, "answers again")
    assert (await stats(client))["model"]["remote_error"] is None
    # Restarted mid-session: the keystroke during the outage fails, the one after is served.
    llama_server.stop()
    assert await ask(client) == ""
    llama_server.start()
    assert await ask(client) != ""
    assert len(messages(client, "answers again")) == 2


@pytest.fixture
def slow_server(llama_server: LlamaCppServer) -> Iterator[Callable[..., SlowProxy]]:
    """The real server, started, behind a proxy that delays its answers."""
    proxies: list[SlowProxy] = []

    def start(**delays: float) -> SlowProxy:
        llama_server.start()
        proxies.append(SlowProxy(llama_server.port, **delays))
        return proxies[-1]

    yield start
    for proxy in proxies:
        proxy.close()


async def test_a_slow_server_times_out_and_the_daemon_serves_on(
    client: LanguageClient, slow_server: Callable[..., SlowProxy]
) -> None:
    proxy = slow_server(first_delay=3.0)
    await open_document(client, URI, CODE)
    await use_remote(client, proxy.url, timeoutSeconds=1, retries=0)
    started = time.monotonic()
    assert await ask(client) == ""
    assert time.monotonic() - started < 2.9  # gave up at the timeout, not the server
    assert messages(client, "did not answer within the timeout")
    assert (await stats(client))["model"]["state"] == "ready"


async def test_a_newer_keystroke_closes_the_older_stream(
    client: LanguageClient, slow_server: Callable[..., SlowProxy]
) -> None:
    proxy = slow_server(line_delay=0.1)
    await open_document(client, URI, CODE)
    await use_remote(client, proxy.url, timeoutSeconds=10)
    first = asyncio.ensure_future(inline(client, URI, LINE, COLUMN))
    while proxy.log.lines_forwarded < 2:  # the first stream is flowing
        await asyncio.sleep(0.05)
    edit(client, URI, 2, (LINE, COLUMN), "a")
    second = await inline(client, URI, LINE, COLUMN + 1)
    older = await first
    assert older is None or not older.items
    assert proxy.log.client_gone.wait(5), "the older stream was never closed"
    assert second is not None and second.items
    assert (await stats(client))["generations_cancelled"] >= 1
