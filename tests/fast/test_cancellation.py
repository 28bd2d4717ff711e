"""Newest request wins, and a result for text that changed meanwhile is never shown."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from pytest_lsp import LanguageClient

from tests.fast.conftest import (
    PROMPT_ENDS_AT_THE_CURSOR,
    TIMEOUT,
    at,
    edit,
    events,
    inline_request,
    open_document,
    rule,
    script,
    shown,
    stats,
    until,
    wait_for_event,
)

pytestmark = pytest.mark.fast

URI = "file:///math.py"
TEXT = "def add(a, b):\n    return \n\n\ndef sub(a, b):\n    return \n"
ADD_END = at(1, 11)
SUB_END = at(5, 11)


async def test_a_newer_request_cancels_the_running_generation(client: LanguageClient) -> None:
    await script(
        client,
        # The model stops before its second token of `add` until that request is cancelled.
        rule(" a + b", prefixEndsWith="add(a, b):\n    return", holdBefore=1),
        rule(" a - b", prefixEndsWith="sub(a, b):\n    return"),
    )
    open_document(client, URI, TEXT)
    older = inline_request(client, URI, ADD_END)
    await wait_for_event(client, "hold")
    newer = inline_request(client, URI, SUB_END)
    assert shown(await asyncio.wait_for(newer, TIMEOUT)) == "a - b"
    assert shown(await asyncio.wait_for(older, TIMEOUT)) is None
    [release] = await events(client, "release")
    assert release["cancelled"]
    info = await until(client, lambda s: s["generations_cancelled"] == 1)
    assert info["generations_started"] == 2 and info["generations_completed"] == 1
    assert info["suggestions"] == 1 and info["results_dropped_outdated"] == 0
    assert info["generated_tokens"] == 2 + 6  # the cancelled request's two tokens count too


async def test_rapid_requests_do_not_queue_behind_each_other(client: LanguageClient) -> None:
    # Each generation would take 1.2 s: twenty of them queued would take 24 s.
    text = " a + b" * 4
    await script(client, rule(text, prefixEndsWith="return", tokenSeconds=0.05))
    open_document(client, URI, TEXT)
    started = time.monotonic()
    requests = [inline_request(client, URI, ADD_END) for _ in range(20)]
    answers = [shown(a) for a in await asyncio.wait_for(asyncio.gather(*requests), TIMEOUT)]
    assert answers == [None] * 19 + [text.lstrip()]
    assert time.monotonic() - started < 8  # queued, they would take 24 s
    info = await until(
        client, lambda s: s["generations_started"] + s["generations_not_started"] == 20
    )
    # Each older request stopped within a token of the newer one, or never reached the model.
    assert info["generations_cancelled"] == info["generations_started"] - 1
    assert info["generations_completed"] == info["suggestions"] == 1
    assert info["requests"] == 20


async def test_a_result_for_text_that_changed_is_dropped(client: LanguageClient) -> None:
    # The edit comes while the model decides its last token: too late to stop it, so the
    # generation completes, and its text (for version 1) must not be shown in version 2.
    await script(client, rule(" a + b", prefixEndsWith="return", holdBefore="end"))
    open_document(client, URI, TEXT)
    request = inline_request(client, URI, ADD_END)
    await wait_for_event(client, "hold")
    edit(client, URI, 2, at(3, 0), "# a comment above sub\n")
    assert shown(await asyncio.wait_for(request, TIMEOUT)) is None
    [release] = await events(client, "release")
    assert release["cancelled"]  # the edit cancelled it, as a later keystroke does
    info = await stats(client)
    assert info["results_dropped_outdated"] == 1
    assert info["generations_completed"] == 1 and info["generations_cancelled"] == 0
    assert info["suggestions"] == 0 and info["caches"]["suggestion_entries"] == 0


@PROMPT_ENDS_AT_THE_CURSOR
async def test_an_edit_cancels_the_generation_and_the_next_key_is_answered(
    client: LanguageClient, settings: dict[str, Any]
) -> None:
    await script(
        client,
        rule(" a + b", prefixEndsWith="return", holdBefore=0),
        rule(" + b", prefixEndsWith="return a"),
    )
    open_document(client, URI, TEXT)
    request = inline_request(client, URI, ADD_END)
    await wait_for_event(client, "hold")
    edit(client, URI, 2, ADD_END, "a")
    newer = inline_request(client, URI, at(1, 12))
    assert shown(await asyncio.wait_for(newer, TIMEOUT)) == " + b"
    assert shown(await asyncio.wait_for(request, TIMEOUT)) is None
    info = await until(client, lambda s: s["generations_cancelled"] == 1)
    assert info["generations_completed"] == info["suggestions"] == 1
    assert info["results_dropped_outdated"] == 0
