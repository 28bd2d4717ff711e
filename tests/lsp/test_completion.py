"""textDocument/completion: one item that mirrors the inline suggestion, for other editors."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import end_of, inline, open_document, wait_for_model

pytestmark = pytest.mark.model


async def test_completion_item_mirrors_the_inline_text(neovim_client: LanguageClient) -> None:
    client = neovim_client
    text = "def add(a, b):\n    return "
    uri = "file:///mirror.py"
    await open_document(client, uri, text)
    await wait_for_model(client)
    position = end_of(text)
    completion = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position
        )
    )
    assert isinstance(completion, types.CompletionList)
    assert completion.is_incomplete
    assert len(completion.items) == 1
    item = completion.items[0]
    assert isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.range == types.Range(start=position, end=position)
    assert "a + b" in item.text_edit.new_text
    assert item.detail is not None and "generated" in item.detail

    shown = await inline(client, uri, position.line, position.character)
    assert shown is not None and shown.items
    assert shown.items[0].insert_text == item.text_edit.new_text
