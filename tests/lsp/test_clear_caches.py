"""`wattcode/clearCaches` through the real server: suggestions and parked KV states are gone,
and the next request at the same place runs the model again."""

from __future__ import annotations

import pytest
from pytest_lsp import LanguageClient

from tests.lsp.conftest import inline, plain, stats, suggest_at_end

pytestmark = pytest.mark.model

# Long enough (>= 32 tokens) that switching documents parks its KV state.
FIRST = "".join(f"def scale_{i}(value):\n    return value * {i}\n\n\n" for i in range(6))
FIRST += "def scale_total(values):\n    return "
SECOND = "class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = "


async def test_clear_caches_drops_suggestions_and_saved_states(client: LanguageClient) -> None:
    first_uri, second_uri = "file:///clear_first.py", "file:///clear_second.py"
    position, first = await suggest_at_end(client, first_uri, FIRST)
    assert first is not None and first.items
    _, second = await suggest_at_end(client, second_uri, SECOND)  # parks the first's state
    assert second is not None and second.items
    before = await stats(client)
    assert before["caches"]["suggestion_entries"] >= 2
    assert before["caches"]["kv_states"] >= 1

    cleared = plain(await client.protocol.send_request_async("wattcode/clearCaches", {}))
    assert cleared == {
        "suggestions": before["caches"]["suggestion_entries"],
        "kvStates": before["caches"]["kv_states"],
    }
    after = await stats(client)
    assert after["caches"]["suggestion_entries"] == 0
    assert after["caches"]["kv_states"] == 0
    assert after["suggestions"] == before["suggestions"]  # counters are not caches

    # The same place again: no cache hit, the model runs, and the text is the same.
    again = await inline(client, first_uri, position.line, position.character)
    assert again is not None and again.items
    assert again.items[0].insert_text == first.items[0].insert_text
    final = await stats(client)
    assert final["suggestion_cache_hits"] == after["suggestion_cache_hits"]
    assert final["generations_started"] == after["generations_started"] + 1
    assert (await client.protocol.send_request_async("wattcode/clearCaches", None)) is not None
