"""The suggestion cache (typing through a suggestion costs no model work) and what hover says
about a suggestion: generated, or served from the cache while typed through."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_lsp import LanguageClient

from models.model_table import DEFAULT_MODEL
from tests.fast.conftest import (
    PROMPT_ENDS_AT_THE_CURSOR,
    at,
    edit,
    end_of,
    events,
    hover_text,
    open_document,
    rule,
    script,
    stats,
    suggestion_at,
)

pytestmark = pytest.mark.fast

URI = "file:///add.py"
ADD = "def add(a, b):\n    return "
FACT = "def fact(n):\n    "
FACT_BODY = "if n < 2:\n        return 1\n    return n * fact(n - 1)"


async def test_typing_through_a_suggestion_is_served_without_the_model(
    client: LanguageClient,
) -> None:
    await script(client, rule(" a + b", prefixEndsWith="return"))
    open_document(client, URI, ADD)
    assert await suggestion_at(client, URI, end_of(ADD)) == "a + b"
    edit(client, URI, 2, end_of(ADD), "a ")  # the user types the suggestion's start
    assert await suggestion_at(client, URI, end_of(ADD + "a ")) == "+ b"
    assert await suggestion_at(client, URI, end_of(ADD + "a ")) == "+ b"  # and asks again

    info = await stats(client)
    assert info["suggestion_cache_hits"] == info["caches"]["suggestion_hits"] == 2
    assert info["suggestions"] == 3
    assert info["generations_started"] == 1 and info["requests_skipped"] == 0
    assert len(await events(client, "prompt")) == 1  # one prompt: the first request's


@PROMPT_ENDS_AT_THE_CURSOR
async def test_a_key_that_leaves_the_suggestion_asks_the_model(
    client: LanguageClient, settings: dict[str, Any]
) -> None:
    await script(client, rule(" a + b", prefixEndsWith="return"), rule(" b", prefixEndsWith="*"))
    open_document(client, URI, ADD)
    assert await suggestion_at(client, URI, end_of(ADD)) == "a + b"
    edit(client, URI, 2, end_of(ADD), "a")
    assert await suggestion_at(client, URI, end_of(ADD + "a")) == " + b"  # typing through
    edit(client, URI, 3, end_of(ADD + "a"), " *")
    # Off the suggestion: the model is asked again.
    assert await suggestion_at(client, URI, end_of(ADD + "a *")) == " b"
    info = await stats(client)
    assert info["suggestion_cache_hits"] == 1 and info["generations_started"] == 2


class TestWithoutTheCache:
    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {"cache": {"suggestions": False}}

    async def test_every_request_asks_the_model(self, client: LanguageClient) -> None:
        await script(
            client, rule(" a + b", prefixEndsWith="return"), rule(" + b", prefixEndsWith="a")
        )
        open_document(client, URI, ADD)
        assert await suggestion_at(client, URI, end_of(ADD)) == "a + b"
        edit(client, URI, 2, end_of(ADD), "a")
        assert await suggestion_at(client, URI, end_of(ADD + "a")) == " + b"
        info = await stats(client)
        assert info["suggestion_cache_hits"] == 0 and info["caches"]["suggestion_lookups"] == 0
        assert info["generations_started"] == 2


async def test_hover_tells_what_a_generated_suggestion_cost(client: LanguageClient) -> None:
    await script(client, rule(" a + b", prefixEndsWith="return"))
    open_document(client, URI, ADD)
    assert await hover_text(client, URI, 1) is None  # no suggestion yet, no budget in force
    assert await suggestion_at(client, URI, end_of(ADD)) == "a + b"
    value = await hover_text(client, URI, 1)
    assert value is not None
    lines = value.split("\n")
    assert lines[0] == "**wattcode** · last suggestion on this line"
    assert f"- prompt: {3 + len(ADD) - 1} tokens evaluated, 0 reused from the cache" in lines
    assert "- generated: 6 tokens (stopped: stop-token)" in lines
    assert f"- model: {DEFAULT_MODEL.display_name}" in lines
    assert any(line.startswith("- energy: ") for line in lines), value
    assert any(line.startswith("- carbon: ") for line in lines), value
    assert "typed through" not in value
    assert await hover_text(client, URI, 0) is None  # the line above has no suggestion


async def test_hover_on_a_typed_through_line_shows_the_generation(
    client: LanguageClient,
) -> None:
    await script(client, rule(" a + b", prefixEndsWith="return"))
    open_document(client, URI, ADD)
    assert await suggestion_at(client, URI, end_of(ADD)) == "a + b"
    edit(client, URI, 2, end_of(ADD), "a ")
    assert await suggestion_at(client, URI, end_of(ADD + "a ")) == "+ b"
    value = await hover_text(client, URI, 1)
    assert value is not None
    assert "- generated: 6 tokens (stopped: stop-token)" in value  # what the text cost
    assert "- then typed through: its rest served from the suggestion cache" in value


async def test_hover_on_every_line_of_an_accepted_block_shows_the_generation(
    client: LanguageClient,
) -> None:
    await script(client, rule("    " + FACT_BODY + "\n", prefixEndsWith="fact(n):\n"))
    open_document(client, URI, FACT)
    start = end_of(FACT)
    assert await suggestion_at(client, URI, start) == FACT_BODY
    # Accept the first line (VS Code's "accept line"): the rest comes from the cache.
    first, rest = FACT_BODY.split("\n", 1)
    edit(client, URI, 2, start, first + "\n")
    assert await suggestion_at(client, URI, at(start.line + 1, 0)) == rest
    edit(client, URI, 3, at(start.line + 1, 0), rest)
    note = "- then typed through: its rest served from the suggestion cache"
    for line in range(start.line, start.line + 3):
        value = await hover_text(client, URI, line)
        assert value is not None, line
        assert "- generated: " in value, (line, value)  # never "≈0 J · served from the cache"
        assert (note in value) == (line > start.line), (line, value)
    info = await stats(client)
    assert info["generations_started"] == 1 and info["suggestion_cache_hits"] == 1
