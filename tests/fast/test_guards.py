"""What Tab would insert: never one column too deep, never half a line, nothing past the time
budget's line, nothing that breaks the file's syntax."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_lsp import LanguageClient

from tests.fast.conftest import end_of, open_document, rule, script, stats, suggestion_at

pytestmark = pytest.mark.fast

URI = "file:///guarded.py"
INDENTED = "def f(x):\n    "
"""The cursor on a new line indented by four spaces (an editor's auto-indent)."""


def experimental(healing: bool, guards: bool) -> dict[str, Any]:
    return {"experimental": {"tokenHealing": healing, "suggestionGuards": guards}}


@pytest.mark.parametrize(
    ("settings", "shown", "guarded"),
    [
        (experimental(healing=True, guards=True), "return x", 0),
        # Healing alone: the prompt ends at the line break, and the first tokens must spell
        # the indentation again; " return x" then starts after it.
        (experimental(healing=True, guards=False), "return x", 0),
        # The guard alone: the model sees the four spaces and adds a fifth; it is cut.
        (experimental(healing=False, guards=True), "return x", 1),
        # Neither: the extra space the two of them keep out.
        (experimental(healing=False, guards=False), " return x", 0),
    ],
    ids=["healing-and-guard", "healing", "guard", "neither"],
)
async def test_a_suggestion_never_starts_one_column_too_deep(
    client: LanguageClient, settings: dict[str, Any], shown: str, guarded: int
) -> None:
    # A model whose answer after the function's first line is " return x" (its tokens carry
    # their leading space), whether or not the prompt ends in the indentation.
    await script(client, rule(" return x", prefixContains="def f(x):\n"))
    open_document(client, URI, INDENTED + "\n\nprint(f(1))\n")
    assert await suggestion_at(client, URI, end_of(INDENTED)) == shown
    info = await stats(client)
    assert info["guard_indentation"] == guarded
    assert info["suggestions"] == 1


class TestShortLimits:
    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {"completion": {"maxTokens": 20, "maxMilliseconds": None}}

    async def test_a_block_cut_by_max_tokens_keeps_its_complete_lines(
        self, client: LanguageClient
    ) -> None:
        # 20 tokens: four of indentation (healed), "total = 0\n", then "    fo" of the next.
        body = "    total = 0\n    for item in items:\n        total += item\n    return total\n"
        await script(client, rule(body, prefixEndsWith="items):\n"))
        text = "def f(items):\n    "
        open_document(client, URI, text)
        assert await suggestion_at(client, URI, end_of(text)) == "total = 0"
        info = await stats(client)
        assert info["guard_complete_lines"] == 1 and info["generated_tokens"] == 20

    async def test_a_single_line_cut_by_max_tokens_is_not_shown(
        self, client: LanguageClient
    ) -> None:
        await script(client, rule(" compute_the_total(items, tax_rate, discount)"))
        text = "value ="
        open_document(client, URI, text)
        assert await suggestion_at(client, URI, end_of(text)) is None
        info = await stats(client)
        assert info["guard_complete_lines"] == 1 and info["suggestions"] == 0
        assert info["generations_completed"] == 1


class TestTimeBudget:
    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {"completion": {"maxMilliseconds": 50}}

    async def test_past_the_time_budget_the_complete_lines_are_shown(
        self, client: LanguageClient
    ) -> None:
        # 30 ms a token: the first line ends past the 50 ms budget, so decoding stops there.
        body = "    total = 0\n    for item in items:\n        total += item\n"
        await script(client, rule(body, prefixEndsWith="items):\n", tokenSeconds=0.03))
        text = "def f(items):\n    "
        open_document(client, URI, text)
        assert await suggestion_at(client, URI, end_of(text)) == "total = 0"
        info = await stats(client)
        assert info["generations_time_limited"] == 1
        assert info["generated_tokens"] == len("    total = 0\n")


async def test_a_block_that_breaks_the_syntax_is_cut_back(client: LanguageClient) -> None:
    body = "    if x:\n        return 1\n    else\n        return 2\n"  # no colon after else
    await script(client, rule(body, prefixEndsWith="(x):\n"))
    open_document(client, URI, INDENTED)
    shown = await suggestion_at(client, URI, end_of(INDENTED))
    assert shown == "if x:\n        return 1"
    assert (await stats(client))["guard_syntax"] == 1
