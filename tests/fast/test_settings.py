"""Invalid settings: one message naming every problem, each bad field at its default, the
rest applied; and a settings change that reaches the request path."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.fast.conftest import (
    TIMEOUT,
    end_of,
    events,
    open_document,
    rule,
    script,
    stats,
    suggestion_at,
)

pytestmark = pytest.mark.fast

URI = "file:///long.py"
LINE = " compute_the_total_of(items, with_tax=True, rounding=None)"
"""59 bytes: shown whole under the default maxTokens (64), cut (so not shown) under 48."""
BODY = "".join(f"value_{i} = {i} * {i}\n" for i in range(30)) + "result ="
HEALED = " ="
"""Token healing ends the prompt before the operator at the cursor; the model spells it again."""
"""About 500 bytes: all of it fits the default prompt budget (1024 tokens), not 5 (or 64)."""


async def messages(client: LanguageClient, needle: str, count: int = 1) -> list[str]:
    """Wait until `count` showMessage texts contain `needle`; all of those."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while len(found := [m.message for m in client.messages if needle in m.message]) < count:
        if loop.time() > deadline:
            raise TimeoutError(f"{len(found)} of {count} messages with {needle!r}")
        await asyncio.sleep(0.02)
    return found


async def change_settings(client: LanguageClient, settings: dict[str, Any]) -> None:
    client.set_configuration(settings, section="wattcode")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))


class TestInvalidAtStart:
    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {
            "completion": {"maxTokens": "lots", "maxMilliseconds": None},
            "context": {"maxPromptTokens": 5, "suffixShare": 0.5},
            "noSuchSetting": 1,
        }

    async def test_one_message_names_both_problems_and_defaults_are_kept(
        self, client: LanguageClient
    ) -> None:
        [message] = await messages(client, "invalid settings")
        assert "wattcode.completion.maxTokens must be a whole number" in message
        assert "wattcode.context.maxPromptTokens must be between 64 and 16384" in message
        assert "noSuchSetting" not in message  # unknown keys are only logged
        warnings = [m for m in client.messages if m.type == types.MessageType.Warning]
        assert len(warnings) == 1

        await script(client, rule(HEALED + LINE, prefixEndsWith="result"))
        open_document(client, URI, BODY)
        # maxTokens kept its default (64): the 59-byte line is whole, so it is shown.
        assert await suggestion_at(client, URI, end_of(BODY)) == LINE
        # maxPromptTokens kept its default (1024): the whole file is in the prompt.
        [prompt] = await events(client, "prompt")
        assert prompt["prefix"] + HEALED == BODY
        assert (await stats(client))["model"]["state"] == "ready"


async def test_a_change_applies_its_good_values_and_reports_its_bad_one(
    client: LanguageClient,
) -> None:
    await script(client, rule(HEALED + LINE, prefixEndsWith="result"))
    open_document(client, URI, BODY)
    assert await suggestion_at(client, URI, end_of(BODY)) == LINE
    assert not client.messages

    await change_settings(
        client, {"completion": {"maxTokens": 48}, "context": {"suffixShare": "half"}}
    )
    [message] = await messages(client, "invalid settings")  # sent once the change applied
    assert "wattcode.context.suffixShare must be a number" in message
    assert "maxTokens" not in message
    # 48 tokens cut the line: a half line is never shown. (Another document: this one's
    # suggestion would come from the suggestion cache.)
    open_document(client, "file:///other.py", BODY)
    assert await suggestion_at(client, "file:///other.py", end_of(BODY)) is None
    info = await stats(client)
    assert info["guard_complete_lines"] == 1 and info["suggestions"] == 1
