"""The caches through the real server: typing through a suggestion costs no inference."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import edit, inline, stats, suggest_at_end, wait_for_model

pytestmark = pytest.mark.model


def type_text(
    client: LanguageClient, uri: str, version: int, at: types.Position, text: str
) -> None:
    edit(client, uri, version, (at.line, at.character), text)


async def test_typing_through_a_suggestion_is_served_from_the_cache(client: LanguageClient) -> None:
    uri = "file:///through.py"
    text = "def add(a, b):\n    return "
    position, first = await suggest_at_end(client, uri, text)
    assert first is not None and first.items
    suggestion = str(first.items[0].insert_text)
    assert len(suggestion) >= 3
    before = await stats(client)

    typed = suggestion[:2]
    type_text(client, uri, 2, position, typed)
    after_typing = types.Position(line=position.line, character=position.character + 2)
    second = await inline(client, uri, after_typing.line, after_typing.character)
    assert second is not None and second.items
    assert second.items[0].insert_text == suggestion[2:]

    after = await stats(client)
    assert after["suggestion_cache_hits"] - before["suggestion_cache_hits"] == 1
    assert after["generations_started"] == before["generations_started"]  # no inference
    assert after["prompt_tokens_evaluated"] == before["prompt_tokens_evaluated"]
    assert after["caches"]["suggestion_hits"] >= 1
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=after_typing
        )
    )
    assert hover is not None and "suggestion cache" in str(hover.contents)


async def test_a_keystroke_evaluates_a_few_tokens_not_the_prompt(client: LanguageClient) -> None:
    uri = "file:///keystroke.py"
    body = "".join(f"def helper_{i}(value):\n    return value * {i}\n\n\n" for i in range(20))
    text = body + "def total(values):\n    result = 0\n    for v in values:\n        result += "
    position, first = await suggest_at_end(client, uri, text)
    shown = str(first.items[0].insert_text) if first is not None and first.items else ""
    key = "q" if not shown.startswith("q") else "z"  # not what the suggestion predicted
    before = await stats(client)
    type_text(client, uri, 2, position, key)
    await inline(client, uri, position.line, position.character + 1)
    after = await stats(client)
    evaluated = after["prompt_tokens_evaluated"] - before["prompt_tokens_evaluated"]
    reused = after["prompt_tokens_reused"] - before["prompt_tokens_reused"]
    assert reused > 300
    assert evaluated <= 4, (evaluated, reused)


async def test_cache_settings_are_validated_and_reported(client: LanguageClient) -> None:
    info = await wait_for_model(client)
    assert info["caches"]["kv_state_limit_bytes"] == 256 << 20
    client.set_configuration({"cache": {"maxMegabytes": 64}}, section="wattcode")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(100):
        info = await stats(client)
        if info["caches"]["kv_state_limit_bytes"] == 64 << 20:
            break
    assert info["caches"]["kv_state_limit_bytes"] == 64 << 20
