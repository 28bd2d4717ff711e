"""textDocument/inlineCompletion with the real server and the real default model."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from models.model_table import DEFAULT_MODEL
from tests.lsp.conftest import suggest_at_end, wait_for_model

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("uri", "language", "text", "expected"),
    [
        ("file:///add.py", "python", "def add(a, b):\n    return ", "a + b"),
        (
            "file:///add.js",
            "javascript",
            "// Sum of two numbers.\nfunction add(a, b) {\n  return ",
            "a + b",
        ),
        (
            "file:///add.go",
            "go",
            "package main\n\n// Add returns the sum of a and b.\nfunc Add(a int, b int) int {\n"
            "\treturn ",
            "a + b",
        ),
    ],
)
async def test_suggests_the_obvious_body(
    client: LanguageClient, uri: str, language: str, text: str, expected: str
) -> None:
    position, result = await suggest_at_end(client, uri, text, language)
    assert result is not None
    assert len(result.items) == 1
    item = result.items[0]
    assert isinstance(item.insert_text, str)
    assert expected in item.insert_text
    assert item.range == types.Range(start=position, end=position)


async def test_server_advertises_inline_completion_and_info(client: LanguageClient) -> None:
    result: types.InitializeResult = client.initialize_result  # type: ignore[attr-defined]
    assert result.server_info is not None and result.server_info.name == "wattcode"
    assert result.capabilities.inline_completion_provider is not None
    assert result.capabilities.completion_provider is not None
    assert result.capabilities.hover_provider
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
    sync = result.capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.change == types.TextDocumentSyncKind.Incremental
    info = await wait_for_model(client)
    assert info["model"]["state"] == "ready"
    # wattcode's own name for the file (issue 30), not its general.name ("... AWQ").
    assert info["model"]["name"] == DEFAULT_MODEL.display_name


async def test_hover_shows_what_the_suggestion_cost(client: LanguageClient) -> None:
    text = "def add(a, b):\n    return "
    position, result = await suggest_at_end(client, "file:///cost.py", text)
    assert result is not None and result.items
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri="file:///cost.py"),
            position=types.Position(line=position.line, character=2),
        )
    )
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    value = hover.contents.value
    assert "tokens evaluated" in value
    assert "generated:" in value
    assert " ms" in value
    # A line without a suggestion has no hover.
    nothing = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri="file:///cost.py"),
            position=types.Position(line=0, character=2),
        )
    )
    assert nothing is None


async def test_emoji_and_cjk_before_the_cursor_keep_positions_right(client: LanguageClient) -> None:
    # "🎉" is two UTF-16 code units and one code point; the CJK characters are one of each.
    text = 'def greet(name):\n    banner = "🎉 你好 🎉"\n    return banner + " " + '
    uri = "file:///unicode.py"
    position, result = await suggest_at_end(client, uri, text)
    assert position.character == len('    return banner + " " + ')
    assert result is not None and result.items
    item = result.items[0]
    assert item.range == types.Range(start=position, end=position)
    assert "name" in str(item.insert_text)

    # A cursor right after the emoji on line 1: the server must split the text there.
    emoji_line = '    banner = "🎉 你好 🎉"'
    after_emoji = len(emoji_line.encode("utf-16-le")) // 2
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=1, character=after_emoji),
                        end=types.Position(line=1, character=after_emoji),
                    ),
                    text="  # 🎉",
                )
            ],
        )
    )
    hover_line = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert hover_line is not None  # the record stayed on its line through the edit
