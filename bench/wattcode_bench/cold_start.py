"""Workload C, cold start: what a user waits for when the editor starts `wattcode serve`."""

from __future__ import annotations

import time
from typing import Any

from wattcode_bench.lsp_client import LspClient
from wattcode_bench.typing_replay import peak_rss_bytes, utf16_len


async def cold_start(settings: dict[str, Any], source: str, language_id: str) -> dict[str, float]:
    """From process start to the first suggestion, and the model's load time."""
    started = time.perf_counter()
    client = LspClient(settings)
    await client.start()
    try:
        await client.initialize()
        uri = "file:///bench/cold-start"
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": source}},
        )
        lines = source.split("\n")
        answer = await client.call(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": len(lines) - 1, "character": utf16_len(lines[-1])},
                "context": {"triggerKind": 1},
            },
        )
        first_suggestion = time.perf_counter() - started
        stats = await client.call("wattcode/stats", {})
        return {
            "seconds_to_first_suggestion": first_suggestion,
            "model_load_seconds": float(stats["model"]["load_seconds"]),
            "first_suggestion_nonempty": float(bool((answer or {}).get("items"))),
            "peak_rss_bytes": float(peak_rss_bytes(client.pid)),
        }
    finally:
        await client.stop()
