"""Warmed KV states survive a daemon restart (and never change the suggestion)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wattcode_bench.lsp_client import LspClient

pytestmark = pytest.mark.model

TEXT = "".join(f"def helper_{i}(value):\n    return value + {i}\n\n\n" for i in range(30)) + (
    "def total(values):\n    return "
)


async def first_suggestion(cache_dir: Path) -> tuple[str, dict[str, Any], dict[str, Any]]:
    client = LspClient({}, cache_dir=str(cache_dir))
    await client.start()
    try:
        await client.initialize()
        await client.wait_for_model()
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": "file:///persist.py",
                    "languageId": "python",
                    "version": 1,
                    "text": TEXT,
                }
            },
        )
        before = await client.call("wattcode/stats", {})
        lines = TEXT.split("\n")
        answer = await client.call(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": "file:///persist.py"},
                "position": {"line": len(lines) - 1, "character": len(lines[-1])},
                "context": {"triggerKind": 1},
            },
        )
        after = await client.call("wattcode/stats", {})
        text = answer["items"][0]["insertText"] if answer and answer["items"] else ""
        return text, before, after
    finally:
        await client.stop()


async def test_a_restarted_daemon_resumes_from_the_saved_state(tmp_path: Path) -> None:
    text_1, _, after_1 = await first_suggestion(tmp_path)
    assert after_1["prompt_tokens_reused"] == 0  # a cold start: nothing to reuse
    files = list(tmp_path.rglob("*.kvstate"))
    assert files, "shutdown saved no state"

    text_2, before_2, after_2 = await first_suggestion(tmp_path)
    assert after_2["caches"]["kv_states_loaded_from_disk"] == 1
    assert after_2["prompt_tokens_reused"] - before_2["prompt_tokens_reused"] > 300
    assert after_2["prompt_tokens_evaluated"] < after_1["prompt_tokens_evaluated"] / 5
    assert text_2 == text_1 and text_1


async def test_corrupt_state_files_are_ignored(tmp_path: Path) -> None:
    text_1, _, _ = await first_suggestion(tmp_path)
    for path in tmp_path.rglob("*.kvstate"):
        path.write_bytes(path.read_bytes()[:100])
    text_2, _, after_2 = await first_suggestion(tmp_path)
    assert after_2["caches"]["kv_states_loaded_from_disk"] == 0
    assert after_2["prompt_tokens_reused"] == 0
    assert text_2 == text_1
