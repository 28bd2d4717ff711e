"""Newest request wins: rapid typing cancels older generations instead of queueing them."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import edit, open_document, stats, wait_for_model

pytestmark = pytest.mark.model

BODY = "def total_price(items, tax_rate):\n    "
TYPED = "subtotal = sum(item.price for item in items)"  # 20 keystrokes are taken from this


async def test_twenty_rapid_keystrokes_give_one_suggestion(client: LanguageClient) -> None:
    uri = "file:///typing.py"
    await open_document(client, uri, BODY)
    await wait_for_model(client)
    before = await stats(client)

    requests = []
    for version, char in enumerate(TYPED[:20], start=2):
        column = 4 + version - 2
        edit(client, uri, version, (1, column), char)
        requests.append(
            client.text_document_inline_completion_async(
                types.InlineCompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=1, character=column + 1),
                    context=types.InlineCompletionContext(
                        trigger_kind=types.InlineCompletionTriggerKind.Automatic
                    ),
                )
            )
        )
    results = await asyncio.gather(*requests)

    answered = [r for r in results if r is not None and r.items]
    assert len(answered) == 1, [r.items if r else None for r in results]
    assert results[-1] is not None and results[-1].items, "the newest request must be answered"

    after = await stats(client)
    started = after["generations_started"] - before["generations_started"]
    cancelled = after["generations_cancelled"] - before["generations_cancelled"]
    never = after["generations_not_started"] - before["generations_not_started"]
    # A request handled after later keystrokes landed sees text right of its cursor: request
    # gating skips it (mid-word) before it is queued.
    skipped = after["requests_skipped"] - before["requests_skipped"]
    assert after["requests"] - before["requests"] == 20
    assert never + started + skipped == 20
    completed = started - cancelled
    delta = {
        k: after[k] - before[k]
        for k in (
            "generations_started",
            "generations_cancelled",
            "generations_not_started",
            "requests_skipped",
            "suggestions",
        )
    }
    # Older requests were cancelled mid-generation or never reached the model.
    assert completed <= 3, delta
    assert cancelled + never + skipped >= 17, delta
    assert after["suggestions"] - before["suggestions"] == 1, delta
