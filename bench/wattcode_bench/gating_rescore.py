"""Re-score an ungated typing run as if one request-gating rule had skipped its requests.

    python -m wattcode_bench.gating_rescore RUN/results.json --config no-gate

Token healing changed what the model sees after a space and on a word's second character, the
two places where gating rules exist because of token boundaries. This asks, per rule, what the
rule would cost in kept characters and what it would save in model runs, from one run with no
gating (`no-gate`), so each rule is judged on the same suggestions.

A key whose request ran the model and that the rule would refuse shows nothing; the keys after
it that the suggestion cache answered (the rest of that generation) show nothing either, until
the next key that ran the model. That is the rule's worst case: in a gated run some of those
keys would have run the model themselves.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from models.request_gate import SkipReason, text_skip_reason
from wattcode_bench.confidence_sweep import spans_of
from wattcode_bench.quality import Row, quality

RULES = (SkipReason.AFTER_SPACE, SkipReason.WORD_START, SkipReason.MID_WORD)


def ran_model(row: Row) -> bool:
    return row.get("status") in ("suggestion", "empty") and not row.get("from_cache")


def reason(row: Row) -> SkipReason | None:
    """The text rule that would refuse this key's request (its line left of the cursor and
    right of it, as the record keeps them)."""
    typed = row.get("typed", "")
    blank_typed = bool(typed) and not typed.strip(" \t")
    return text_skip_reason(row.get("before", ""), row.get("right", ""), blank_typed=blank_typed)


def gated(rows: Sequence[Row], rule: SkipReason) -> tuple[list[Row], int]:
    """The span's rows with `rule` applied, and how many model runs it refuses."""
    out: list[Row] = []
    refused, blanking = 0, False
    for row in rows:
        if ran_model(row):
            blanking = reason(row) is rule
            refused += blanking
        out.append({**row, "status": "empty"} if blanking else row)
    return out, refused


def rescore(summary: dict[str, Any]) -> list[tuple[str, int, int, dict[str, float]]]:
    """(rule, model runs refused, model runs in all, quality figures) for no rule and each."""
    spans = spans_of(summary["key_records"])
    joules, tokens = summary["energy_joules"], summary["prompt_tokens_evaluated"]
    runs = sum(ran_model(row) for rows in spans for row in rows)
    rows = [("none", 0, runs, quality(spans, joules, tokens))]
    for rule in RULES:
        pairs = [gated(span, rule) for span in spans]
        refused = sum(n for _, n in pairs)
        rows.append((rule.value, refused, runs, quality([s for s, _ in pairs], joules, tokens)))
    return rows


def table(rows: list[tuple[str, int, int, dict[str, float]]]) -> str:
    lines = [
        "| rule | model runs refused | shown | taken | precision | kept chars / 100 keys | "
        "right to line end |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {name} | {refused} of {runs} | {q['shown']} | {q['taken_whole']} | "
        f"{q['precision'] * 100:.1f} % | {q['kept_chars_per_100_keys']:.2f} | "
        f"{q['right_to_line_end']} |"
        for name, refused, runs, q in rows
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--config", default="no-gate")
    args = parser.parse_args()
    for path in args.results:
        summary = json.loads(path.read_text())["typing"]["configs"][args.config]
        sys.stdout.write(f"{path} ({args.config})\n\n{table(rescore(summary))}\n")


if __name__ == "__main__":
    main()
