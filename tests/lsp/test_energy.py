"""Energy per suggestion, end to end: hover, `wattcode/status` and `wattcode/stats` on the real
server and model. Figures are checked for presence, label and direction, never for size."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import inline, make_client_fixture, plain, stats, suggest_at_end

pytestmark = pytest.mark.model

french_client = make_client_fixture("visual_studio_code", {"carbon": {"country": "FR"}})

STATUS_KEYS = {
    "energyJoules",
    "energyWattHours",
    "gramsCo2e",
    "savedJoulesEstimate",
    "method",
    "suggestions",
    "accepted",
    "joulesPerAcceptedChar",
    "idleWatts",
    "power",
}


def collect_status(client: LanguageClient) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []

    @client.feature("wattcode/status")
    def on_status(params: Any) -> None:
        received.append(plain(params))

    return received


async def wait_until(received: list[dict[str, Any]], check: Any, timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (received and check(received[-1])):
        if loop.time() > deadline:
            raise TimeoutError(f"no matching wattcode/status; last: {received[-1:]}")
        await asyncio.sleep(0.05)


async def test_hover_after_a_suggestion_says_energy_tokens_time_and_method(
    french_client: LanguageClient,
) -> None:
    client = french_client
    uri = "file:///energy_hover.py"
    position, shown = await suggest_at_end(client, uri, "def add(a, b):\n    return ")
    assert shown is not None and shown.items
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    summary = hover.contents.value.splitlines()[2]
    assert summary.startswith("≈")
    assert " J (" in summary and "Wh, " in summary and "gCO2e)" in summary
    assert "new /" in summary and "reused prompt tokens" in summary and "generated" in summary
    assert " ms · " in summary
    assert summary.rsplit(" · ", 1)[1].startswith(("measured: ", "estimated: "))
    assert "OWID 2023 (FR)" in hover.contents.value  # the country setting reached the hover


async def test_status_arrives_with_growing_totals_and_counts_an_acceptance(
    client: LanguageClient,
) -> None:
    received = collect_status(client)
    uri = "file:///energy_status.py"
    text = "def add(a, b):\n    return "
    position, shown = await suggest_at_end(client, uri, text)
    assert shown is not None and shown.items
    await wait_until(received, lambda s: s["suggestions"] >= 1 and s["energyJoules"] > 0)
    first = received[-1]
    assert set(first) == STATUS_KEYS
    assert first["method"].startswith(("measured: ", "estimated: "))
    assert first["accepted"] == 0 and first["joulesPerAcceptedChar"] is None

    # Another suggestion elsewhere: the totals grow.
    other = "file:///energy_status_2.py"
    await suggest_at_end(client, other, "def mul(a, b):\n    return ")
    await wait_until(
        received,
        lambda s: s["suggestions"] >= 2 and s["energyJoules"] > first["energyJoules"],
    )
    grown = received[-1]
    assert grown["energyWattHours"] > first["energyWattHours"]
    assert grown["gramsCo2e"] > first["gramsCo2e"]

    # The editor inserts the first suggestion: it counts as accepted.
    inserted = shown.items[0].insert_text
    assert isinstance(inserted, str)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=position, end=position), text=inserted
                )
            ],
        )
    )
    await wait_until(received, lambda s: s["accepted"] == 1)
    assert received[-1]["joulesPerAcceptedChar"] > 0


async def test_stats_report_energy_keys(client: LanguageClient) -> None:
    uri = "file:///energy_stats.py"
    text = "def square(x):\n    return "
    position, shown = await suggest_at_end(client, uri, text)
    assert shown is not None and shown.items
    # Asking again at the same place is served from the suggestion cache: no new energy.
    before = await stats(client)
    again = await inline(client, uri, position.line, position.character)
    assert again is not None and again.items
    after = await stats(client)
    assert after["suggestion_cache_hits"] == before["suggestion_cache_hits"] + 1
    assert after["energy_joules"] == before["energy_joules"] > 0
    assert after["saved_joules_estimate"] > before["saved_joules_estimate"]
    assert after["energy_method"].startswith(("measured: ", "estimated: "))
    assert after["background_joules"] > 0  # the model load
    assert after["grams_co2e"] > 0
    assert after["energy"]["window_seconds"] > 0
