"""Notifications leave nothing behind: pygls 2.1 kept every handled `didChange` in its table of
pending handlers (~1.3 KB per keystroke, seen as steady RSS growth in the soak)."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import edit, open_document, stats

TYPED = "value = compute(1, 2) + other(3)  " * 6


async def test_handled_notifications_are_not_kept(client: LanguageClient) -> None:
    uri = "file:///typed.py"
    await open_document(client, uri, "x = 1\n")
    for column, char in enumerate(TYPED):
        edit(client, uri, column + 2, (1, column), (1, column), char)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    after = await stats(client)
    # Over 200 notifications were handled; before the fix each one stayed pending.
    assert len(TYPED) > 200
    assert after["handlers_pending"] <= 2, after["handlers_pending"]
