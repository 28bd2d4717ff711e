"""Confidence-cut suggestions through the server: a suggestion is shown only as far as the
model is confident (`wattcode.completion.minConfidence`), and hover says how confident."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_lsp import LanguageClient

from tests.fast.conftest import (
    end_of,
    hover_text,
    open_document,
    rule,
    script,
    stats,
    suggestion_at,
)
from tests.scripted_model import SURE

URI = "file:///confidence.py"
ADD = "def add(a, b):\n    return "
CUT = [{"completion": {"minConfidence": 0.5}, "experimental": {"healWords": False}}]


@pytest.mark.parametrize("settings", CUT)
async def test_the_suggestion_stops_where_the_model_stops_being_sure(
    client: LanguageClient, settings: dict[str, Any]
) -> None:
    # " a + b" is sure; from token 6 on ("  # made up") each token has p = 0.05.
    await script(client, rule(" a + b  # made up", prefixEndsWith="return", unsureFrom=6))
    open_document(client, URI, ADD)
    assert await suggestion_at(client, URI, end_of(ADD)) == "a + b"
    info = await stats(client)
    # The healed space, then five sure tokens; decoding stopped at the first unsure one.
    assert info["generated_tokens"] == 6
    last = info["last_suggestion"]
    assert last["text"] == "a + b" and last["probabilities"] == [SURE] * 5
    hover = await hover_text(client, URI, 1)
    assert hover is not None and f"confidence: {SURE**5:.0%} that all 5 tokens are right" in hover


@pytest.mark.parametrize("settings", CUT)
async def test_nothing_is_shown_when_the_first_token_is_unlikely(
    client: LanguageClient, settings: dict[str, Any]
) -> None:
    await script(client, rule(" a + b", prefixEndsWith="return", unsureFrom=0))
    open_document(client, URI, ADD)
    assert await suggestion_at(client, URI, end_of(ADD)) is None
    assert (await stats(client))["generated_tokens"] == 1  # the healed space only


@pytest.mark.parametrize(
    "settings", [{"completion": {"minConfidence": 0}, "experimental": {"healWords": False}}]
)
async def test_threshold_zero_shows_every_token(
    client: LanguageClient, settings: dict[str, Any]
) -> None:
    await script(client, rule(" a + b  # made up", prefixEndsWith="return", unsureFrom=6))
    open_document(client, URI, ADD)
    assert await suggestion_at(client, URI, end_of(ADD)) == "a + b  # made up"
