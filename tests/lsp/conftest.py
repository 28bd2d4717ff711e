"""pytest-lsp fixtures: the real `wattcode serve` over stdio, driven like a real editor."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "lsp_server", "serve", "--no-log-file"]


async def open_document(
    client: LanguageClient, uri: str, text: str, language: str = "python"
) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )


Place = tuple[int, int]
"""A (line, character) in the document."""


def edit(
    client: LanguageClient, uri: str, version: int, where: Place | tuple[Place, Place], text: str
) -> None:
    """Send one incremental didChange: insert `text` at a place, or replace a (start, end)
    pair of places with it."""
    start, end = (where, where) if isinstance(where[0], int) else where
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=start[0], character=start[1]),
                        end=types.Position(line=end[0], character=end[1]),
                    ),
                    text=text,
                )
            ],
        )
    )


def plain(value: Any) -> Any:
    """pygls hands untyped results over as namedtuple-like objects; make them dicts."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


async def stats(client: LanguageClient) -> dict[str, Any]:
    result = plain(await client.protocol.send_request_async("wattcode/stats", {}))
    assert isinstance(result, dict)
    return result


async def wait_for_model(client: LanguageClient, timeout: float = 120) -> dict[str, Any]:
    """Poll wattcode/stats until the model load has settled (ready or failed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        current = await stats(client)
        state = current["model"]["state"]
        if state in ("ready", "failed"):
            return current
        if loop.time() > deadline:
            raise TimeoutError(f"model still {state!r} after {timeout} s")
        await asyncio.sleep(0.1)


async def inline(
    client: LanguageClient, uri: str, line: int, character: int
) -> types.InlineCompletionList | None:
    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
            context=types.InlineCompletionContext(
                trigger_kind=types.InlineCompletionTriggerKind.Automatic
            ),
        )
    )
    assert result is None or isinstance(result, types.InlineCompletionList)
    return result


async def suggest_at_end(
    client: LanguageClient, uri: str, text: str, language: str = "python"
) -> tuple[types.Position, types.InlineCompletionList | None]:
    """Open `text`, wait for the model, and ask for a suggestion after its last character."""
    await open_document(client, uri, text, language)
    await wait_for_model(client)
    position = end_of(text)
    return position, await inline(client, uri, position.line, position.character)


def end_of(text: str) -> types.Position:
    """The position after the last character, in UTF-16 code units."""
    lines = text.split("\n")
    return types.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2)


def make_client_fixture(editor: str, settings: dict[str, Any] | None = None) -> Any:
    @pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
    async def fixture(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
        if settings is not None:
            lsp_client.set_configuration(settings, section="wattcode")
        lsp_client.initialize_result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
            types.InitializeParams(
                capabilities=client_capabilities(editor),
                initialization_options={"wattcode": {"completion": {"maxTokens": 48}}},
            )
        )
        yield lsp_client
        await asyncio.wait_for(lsp_client.shutdown_session(), timeout=30)

    return fixture


client = make_client_fixture("visual_studio_code")
neovim_client = make_client_fixture("neovim")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
