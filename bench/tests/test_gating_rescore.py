"""Re-scoring an ungated run under one gating rule: what it refuses and what that costs."""

from __future__ import annotations

from typing import Any

from models.request_gate import SkipReason
from wattcode_bench.gating_rescore import gated, reason, rescore


def _row(typed: str, before: str, suggestion: str, next_text: str, **extra: Any) -> dict[str, Any]:
    return {
        "typed": typed,
        "before": before,
        "right": "",
        "status": "suggestion" if suggestion else "empty",
        "from_cache": False,
        "suggestion": suggestion,
        "next": next_text,
        **extra,
    }


def test_the_rules_read_the_recorded_line() -> None:
    assert reason(_row(" ", "x = ", "", "")) is SkipReason.AFTER_SPACE
    assert reason(_row("e", "    re", "", "")) is SkipReason.WORD_START
    assert reason(_row("t", "    ret", "", "")) is None


def test_a_refused_request_blanks_the_rest_its_generation_served() -> None:
    rows = [
        _row("e", "    re", "turn x", "turn x\n"),
        _row("t", "    ret", "urn x", "urn x\n", from_cache=True),
        _row("u", "    retu", "rn x", "rn x\n", from_cache=True),
        _row("\n", "", "pass", "pass\n"),
    ]
    out, refused = gated(rows, SkipReason.WORD_START)
    assert refused == 1
    assert [r["status"] for r in out] == ["empty", "empty", "empty", "suggestion"]
    untouched, none = gated(rows, SkipReason.AFTER_SPACE)
    assert none == 0 and untouched == rows


def test_rescore_compares_each_rule_with_none() -> None:
    rows = [
        _row("e", "    re", "turn x", "turn x\n", file="a.py", span=0),
        _row("t", "    ret", "urn x", "urn x\n", file="a.py", span=0, from_cache=True),
    ]
    summary = {"key_records": rows, "energy_joules": 10.0, "prompt_tokens_evaluated": 20}
    by_rule = {name: (refused, runs, q) for name, refused, runs, q in rescore(summary)}
    assert by_rule["none"][2]["taken_whole"] == 1
    assert by_rule["word-start"][0] == 1 and by_rule["word-start"][2]["taken_whole"] == 0
    assert by_rule["after-space"][2]["taken_whole"] == 1
