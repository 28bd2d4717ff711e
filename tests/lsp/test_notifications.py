"""Notifications leave nothing behind: pygls 2.1 kept every handled `didChange` in its table of
pending handlers (~1.6 KB traced per keystroke, seen as steady RSS growth in the soak)."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import edit, open_document, stats

TYPED = "value = compute(1, 2) + other(3)  " * 6


async def test_handled_notifications_are_not_kept(client: LanguageClient) -> None:
    uri = "file:///typed.py"
    await open_document(client, uri, "x = 1\n")
    for column, char in enumerate(TYPED):
        edit(client, uri, column + 2, (1, column), char)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    after = await stats(client)
    # Over 200 notifications were handled; before the fix each one stayed pending.
    assert len(TYPED) > 200
    assert after["handlers_pending"] <= 2, after["handlers_pending"]


async def test_notifications_handed_to_async_handlers_are_not_kept(client: LanguageClient) -> None:
    # wattcode's didChangeConfiguration handler is async (it pulls the settings from the
    # client): pygls files it as a task under a fresh id, kept forever before the fix.
    for _ in range(30):
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    pending = []
    for _ in range(50):  # each handler waits for a workspace/configuration round trip
        pending.append((await stats(client))["handlers_pending"])
        if pending[-1] <= 2:
            break
        await asyncio.sleep(0.1)
    assert pending[-1] <= 2, pending
