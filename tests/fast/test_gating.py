"""Request gating through the server: which requests are skipped (and counted), that a manual
request never is, and the answer a skipped request gets after a pause."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.fast.conftest import (
    TIMEOUT,
    at,
    edit,
    end_of,
    events,
    inline_request,
    open_document,
    rule,
    script,
    shown,
    stats,
    suggestion_at,
    until,
    wait_for_event,
)

pytestmark = pytest.mark.fast

URI = "file:///gated.py"


@dataclass(frozen=True)
class Case:
    """A document, the edits typed into it (start, end, text), and the cursor."""

    reason: str
    text: str
    edits: tuple[tuple[types.Position, types.Position, str], ...]
    cursor: types.Position


CASES = [
    Case("mid_word", "print(valu, 1)\n", (), at(0, 10)),
    Case("word_start", "total = ab", (), at(0, 10)),
    Case("after_deletion", "total = abc", ((at(0, 10), at(0, 11), ""),), at(0, 10)),
    Case("indenting", "def f():\n", ((at(1, 0), at(1, 0), "    "),), at(1, 4)),
    Case("after_space", "total = 1 +", ((at(0, 11), at(0, 11), " "),), at(0, 12)),
    # Found on the model thread, in the document's syntax tree.
    Case("comment_or_string", "x = 1  # the total.", (), at(0, 19)),
]


def arrange(client: LanguageClient, case: Case) -> None:
    open_document(client, URI, case.text)
    for version, (start, end, text) in enumerate(case.edits, start=2):
        edit(client, URI, version, types.Range(start=start, end=end), text)


def counters(info: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in info.items() if k.startswith("requests_skipped") and v}


class TestWithoutPause:
    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {"completion": {"pauseMilliseconds": None}}

    @pytest.mark.parametrize("case", CASES, ids=[c.reason for c in CASES])
    async def test_a_skipped_request_is_counted_and_reaches_no_model(
        self, client: LanguageClient, case: Case
    ) -> None:
        await script(client, rule("zzz"))
        arrange(client, case)
        assert await suggestion_at(client, URI, case.cursor) is None
        info = await stats(client)
        assert counters(info) == {"requests_skipped": 1, f"requests_skipped_{case.reason}": 1}
        assert info["generations_started"] == info["suggestions"] == 0
        assert info["skipped_answered_after_pause"] == 0
        assert await events(client, "prompt") == []

    @pytest.mark.parametrize("case", CASES, ids=[c.reason for c in CASES])
    async def test_a_manual_request_is_never_gated(
        self, client: LanguageClient, case: Case
    ) -> None:
        await script(client, rule("zzz"))
        arrange(client, case)
        assert await suggestion_at(client, URI, case.cursor, manual=True) == "zzz"
        info = await stats(client)
        assert counters(info) == {}
        assert info["generations_completed"] == info["suggestions"] == 1

    async def test_a_request_at_the_end_of_a_line_is_not_skipped(
        self, client: LanguageClient
    ) -> None:
        await script(client, rule("zzz"))
        open_document(client, URI, "total = abc")
        assert await suggestion_at(client, URI, at(0, 11)) == "zzz"
        assert counters(await stats(client)) == {}


class TestWarmSkipped:
    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {"experimental": {"warmSkipped": True}}

    async def test_warm_skipped_evaluates_the_prompt_and_generates_nothing(
        self, client: LanguageClient
    ) -> None:
        await script(client, rule("zzz"))
        text = "values = [compute(item) for item in collection if item]\ntotal = ab"
        open_document(client, URI, text)
        assert await suggestion_at(client, URI, end_of(text)) is None
        [warm] = await wait_for_event(client, "warm")
        whole_chunks = (3 + len(text) - 1) // 32 * 32  # the FIM markers and the prefix
        assert warm["evaluated"] == whole_chunks > 0
        info = await until(client, lambda s: s["warmups_started"] == 1)
        assert counters(info) == {"requests_skipped": 1, "requests_skipped_word_start": 1}
        assert info["prompt_tokens_warmed"] == whole_chunks
        assert info["generations_started"] == 0 and info["generated_tokens"] == 0
        assert await events(client, "prompt") == []


async def test_a_skipped_request_is_answered_after_the_default_pause(
    client: LanguageClient,
) -> None:
    await script(client, rule("zzz"))
    open_document(client, URI, "total = ab")
    started = time.monotonic()
    assert await suggestion_at(client, URI, at(0, 10)) == "zzz"
    assert time.monotonic() - started >= 0.4  # wattcode.completion.pauseMilliseconds: 400
    info = await stats(client)
    assert counters(info) == {"requests_skipped": 1, "requests_skipped_word_start": 1}
    assert info["skipped_answered_after_pause"] == info["suggestions"] == 1


class TestLongPause:
    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {"completion": {"pauseMilliseconds": 1000}}

    async def test_a_key_within_the_pause_leaves_the_skipped_request_unanswered(
        self, client: LanguageClient
    ) -> None:
        await script(client, rule("zzz"))
        open_document(client, URI, "total = ab")
        skipped = inline_request(client, URI, at(0, 10))
        edit(client, URI, 2, at(0, 10), "c")  # the next key, well within the pause
        newer = inline_request(client, URI, at(0, 11))
        assert shown(await asyncio.wait_for(newer, TIMEOUT)) == "zzz"
        assert shown(await asyncio.wait_for(skipped, TIMEOUT)) is None
        info = await stats(client)
        assert counters(info) == {"requests_skipped": 1, "requests_skipped_word_start": 1}
        assert info["skipped_answered_after_pause"] == 0
        assert info["requests"] == 2 and info["suggestions"] == 1
        assert len(await events(client, "prompt")) == 1
