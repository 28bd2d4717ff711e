"""Re-score a typing run's suggestions under confidence rules, without re-running the model.

    python -m wattcode_bench.confidence_sweep RUN/results.json --config show-all-tokens \
        --out bench/results/confidence/sweep [--mark 0.2 | --mark running:0.1]

The run's key records keep each suggestion, what was typed after it and its tokens'
probabilities (`quality.py`); each rule cuts the suggestions where it would have stopped the
generation. The energy is the run's own (a cut generation would have decoded fewer tokens, so
joules per kept character are an upper bound). Writes sweep.md and sweep.png: precision against
kept characters per 100 keys as the threshold moves, the operating point marked; and
configs.md: each configuration of the run as it ran.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from models.confidence import ConfidenceRule
from wattcode_bench.quality import quality

THRESHOLDS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
RUNNING = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6)


def spans_of(records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    grouped: defaultdict[Any, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[(record["file"], record.get("span"))].append(record)
    return list(grouped.values())


def sweep(summary: dict[str, Any]) -> list[tuple[str, float, dict[str, float]]]:
    """(rule family, threshold, quality figures) for each rule tried."""
    spans = spans_of(summary["key_records"])
    joules, tokens = summary["energy_joules"], summary["prompt_tokens_evaluated"]
    rows = [
        ("token", t, quality(spans, joules, tokens, ConfidenceRule(min_token=t)))
        for t in THRESHOLDS
    ]
    rows += [
        ("running", t, quality(spans, joules, tokens, ConfidenceRule(min_running=t)))
        for t in RUNNING[1:]
    ]
    return rows


def write(
    rows: list[tuple[str, float, dict[str, float]]], out: Path, mark: tuple[str, float] | None
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        "| rule | threshold | shown | taken | precision | kept chars / 100 keys | word-by-word "
        "/ 100 keys | right to line end | J / kept char (upper bound) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {family} | {t:g} | {q['shown']} | {q['taken_whole']} | {q['precision'] * 100:.1f} % "
        f"| {q['kept_chars_per_100_keys']:.2f} | {q['word_kept_chars_per_100_keys']:.2f} | "
        f"{q['right_to_line_end']} | {q['joules_per_kept_char']:.3f} |"
        for family, t, q in rows
    ]
    (out / "sweep.md").write_text("\n".join(lines) + "\n")
    import matplotlib  # noqa: PLC0415 - only the plot needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(figsize=(6.5, 4.5))
    for family, style in (("token", "o-"), ("running", "s--")):
        points = [
            (q["kept_chars_per_100_keys"], q["precision"] * 100, t)
            for f, t, q in rows
            if f == family
        ]
        axes.plot([p[0] for p in points], [p[1] for p in points], style, label=f"{family} rule")
        for x, y, t in points:
            axes.annotate(f"{t:g}", (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    if mark is not None:
        chosen = next(q for f, t, q in rows if (f, t) == mark)
        axes.plot(
            chosen["kept_chars_per_100_keys"],
            chosen["precision"] * 100,
            "r*",
            markersize=14,
            label=f"operating point ({mark[0]} p ≥ {mark[1]:g})",
        )
    axes.set_xlabel("kept characters per 100 keys")
    axes.set_ylabel("precision: taken / shown (%)")
    axes.set_title("Confidence cut: precision against kept characters")
    axes.legend()
    figure.tight_layout()
    figure.savefig(out / "sweep.png", dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--config", default="show-all-tokens")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mark", default=None, help="the rule chosen: 0.2 or running:0.1")
    args = parser.parse_args()
    data = json.loads(args.results.read_text())
    rows = sweep(data["typing"]["configs"][args.config])
    mark = None
    if args.mark is not None:
        family, _, threshold = args.mark.rpartition(":")
        mark = (family or "token", float(threshold))
    write(rows, args.out, mark)
    (args.out / "configs.md").write_text(configs_table(data["typing"]["configs"]))
    sys.stdout.write((args.out / "configs.md").read_text() + "\n")
    sys.stdout.write((args.out / "sweep.md").read_text())


def configs_table(configs: dict[str, Any]) -> str:
    """Each configuration of the run scored as it ran, with this revision's `quality.py` (a run
    made before a change of definition reads the same as a new one)."""
    lines = [
        "| config | shown | taken | precision | kept chars / 100 keys | word-by-word / 100 keys "
        "| right to line end | J / kept char | prompt tokens / kept char |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, summary in configs.items():
        if "key_records" not in summary:
            continue
        spans = spans_of(summary["key_records"])
        q = quality(spans, summary["energy_joules"], summary["prompt_tokens_evaluated"])
        lines.append(
            f"| {name} | {q['shown']} | {q['taken_whole']} | {q['precision'] * 100:.1f} % | "
            f"{q['kept_chars_per_100_keys']:.2f} | {q['word_kept_chars_per_100_keys']:.2f} | "
            f"{q['right_to_line_end']} | {q['joules_per_kept_char']:.3f} | "
            f"{q['prompt_tokens_per_kept_char']:.2f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
