"""Speculative decoding against the large model alone: decode speed and identical text.

`python -m wattcode_bench.speculative_speed --large PATH --draft PATH --out DIR` places cursors
in the pinned corpus files (seeded), asks each configuration for a suggestion at each cursor on
the same loaded models (64 tokens at most, multi-line, no early stop, every token shown, so that
decoding runs long enough to time), and writes `speculative.json` and `SPECULATIVE.md`: decode
tokens per second (generated tokens over the time after the prompt), drafted, accepted and
rejected tokens, and each prompt where a configuration's text differs from the large model's
own, with the probability each run gave its own token where they part (a near-tie: both about
one half).
Each cursor is asked once to warm both models' caches (the prompt evaluated, as a keystroke
before it would have), and then once per configuration.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.cancellation import CancelToken
from models.completion_engine import CompletionEngine, CompletionOptions
from models.confidence import SHOW_ALL
from models.cursor_text import CursorText
from models.llama_backend import LlamaBackend, LoadOptions
from models.local_runner import LocalRunner
from models.speculative import DraftMode, SpeculationOptions, SpeculativeModel
from wattcode_bench.corpus import CORPORA

OPTIONS = CompletionOptions(max_tokens=64, multiline=True, early_stop=False, confidence=SHOW_ALL)


@dataclass(frozen=True)
class Cursor:
    file: str
    language: str
    prefix: str
    suffix: str


def cursors(per_file: int, seed: int) -> list[Cursor]:
    """`per_file` cursors at line starts (after the indentation) in each pinned file."""
    rng = random.Random(seed)
    found = []
    for corpus_file in CORPORA["default"]:
        text = corpus_file.load()
        if text is None:
            continue
        starts = [i + 1 for i, c in enumerate(text) if c == "\n" and text[i + 1 : i + 2] == " "]
        for start in sorted(rng.sample(starts, min(per_file, len(starts)))):
            at = start + len(text[start:]) - len(text[start:].lstrip(" "))
            found.append(Cursor(corpus_file.path.name, corpus_file.language, text[:at], text[at:]))
    return found


def first_difference(a: str, b: str) -> int | None:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return None if len(a) == len(b) else min(len(a), len(b))


def pieces(result: dict[str, Any]) -> list[str]:
    text, ends = result["text"], result["ends"]
    return [text[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def split(large: dict[str, Any], other: dict[str, Any]) -> list[float | None]:
    """The probability each run gave its own token at the first token where they differ: two
    runs that part at a near-tie each gave theirs about one half or less."""
    mine, theirs = pieces(large), pieces(other)
    for index, (a, b) in enumerate(zip(mine, theirs, strict=False)):
        if a != b:
            return [large["probabilities"][index], other["probabilities"][index]]
    index = min(len(mine), len(theirs))  # one stopped where the other went on
    return [
        large["probabilities"][index] if index < len(mine) else None,
        other["probabilities"][index] if index < len(theirs) else None,
    ]


def run_config(engine: CompletionEngine, cursor: Cursor) -> dict[str, Any]:
    suggestion = engine.complete(CursorText(cursor.prefix, cursor.suffix), OPTIONS, CancelToken())
    stats = suggestion.stats
    decode = stats.total_seconds - stats.prompt_seconds
    return {
        "text": suggestion.raw_text,
        "generated": stats.generated_tokens,
        "decode_seconds": decode,
        "prompt_seconds": stats.prompt_seconds,
        "drafted": stats.drafted_tokens,
        "accepted": stats.accepted_drafts,
        "stop": stats.stop_reason,
        "probabilities": [round(p, 4) for p in suggestion.probabilities],
        "ends": list(suggestion.ends),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", required=True, type=Path)
    parser.add_argument("--draft", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--per-file", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", default="model,ngram,auto")
    parser.add_argument("--max-drafts", type=int, default=6)
    parser.add_argument("--min-draft-probability", type=float, default=0.5)
    parser.add_argument("--resummarize", action="store_true", help="from --out's json only")
    args = parser.parse_args(argv)
    if args.resummarize:
        return resummarize(args.out)
    large = LlamaBackend(args.large, LoadOptions())
    draft = LlamaBackend(args.draft, LoadOptions())
    baseline = CompletionEngine(LocalRunner(large))
    engines = {"large": baseline}
    for name in args.modes.split(","):
        options = SpeculationOptions(DraftMode(name), args.max_drafts, args.min_draft_probability)
        model = SpeculativeModel(large, draft, options)
        engines[f"large-spec-{name}"] = CompletionEngine(LocalRunner(model))
    rows = []
    for index, cursor in enumerate(cursors(args.per_file, args.seed)):
        warm = engines.get("large-spec-model", engines[next(reversed(engines))])
        warm.complete(
            CursorText(cursor.prefix, cursor.suffix), OPTIONS
        )  # warm both caches on this prompt
        row: dict[str, Any] = {"file": cursor.file, "language": cursor.language}
        for name, engine in engines.items():
            row[name] = run_config(engine, cursor)
        base_text = row["large"]["text"]
        for name in engines:
            where = first_difference(base_text, row[name]["text"])
            if where is not None:
                row[name]["differs_at"] = where
                row[name]["split"] = split(row["large"], row[name])
        rows.append(row)
        speeds = {n: row[n]["generated"] / max(row[n]["decode_seconds"], 1e-9) for n in engines}
        sys.stderr.write(f"{index} {cursor.file} " + json.dumps(speeds) + "\n")
    summary = summarize(rows, list(engines))
    summary["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary["args"] = {k: str(v) for k, v in vars(args).items()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speculative.json").write_text(
        json.dumps({"summary": summary, "rows": rows}, indent=1), encoding="utf-8"
    )
    (args.out / "SPECULATIVE.md").write_text(markdown(summary), encoding="utf-8")
    sys.stderr.write(markdown(summary))
    return 0


def resummarize(out: Path) -> int:
    """Recompute where texts part and the summary from a run's rows (no model loaded)."""
    data = json.loads((out / "speculative.json").read_text(encoding="utf-8"))
    rows, summary = data["rows"], data["summary"]
    names = list(summary["configs"])
    for row in rows:
        for name in names:
            row[name].pop("split", None)
            if "differs_at" in row[name]:
                row[name]["split"] = split(row["large"], row[name])
    fresh = summarize(rows, names)
    fresh["peak_rss_mb"], fresh["args"] = summary.get("peak_rss_mb"), summary.get("args")
    (out / "speculative.json").write_text(
        json.dumps({"summary": fresh, "rows": rows}, indent=1), encoding="utf-8"
    )
    (out / "SPECULATIVE.md").write_text(markdown(fresh), encoding="utf-8")
    return 0


def summarize(rows: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"prompts": len(rows), "configs": {}}
    base_speed = 0.0
    for name in names:
        generated = sum(r[name]["generated"] for r in rows)
        seconds = sum(r[name]["decode_seconds"] for r in rows)
        drafted = sum(r[name]["drafted"] for r in rows)
        accepted = sum(r[name]["accepted"] for r in rows)
        speed = generated / seconds if seconds else 0.0
        base_speed = base_speed or speed
        differing = [r for r in rows if "differs_at" in r[name]]
        out["configs"][name] = {
            "generated": generated,
            "decode_seconds": round(seconds, 3),
            "decode_tokens_per_second": round(speed, 2),
            "speed_up": round(speed / base_speed, 3) if base_speed else None,
            "drafted": drafted,
            "accepted": accepted,
            "rejected": drafted - accepted,
            "acceptance": round(accepted / drafted, 3) if drafted else None,
            "texts_differing": len(differing),
            "splits": [r[name]["split"] for r in differing],
        }
    return out


def markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"{summary['prompts']} prompts; decode tokens per second over all of them.",
        "",
        "| config | tokens | decode s | tok/s | speed-up | drafted | accepted | rejected "
        "| texts differing (p large / p spec where they part) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, c in summary["configs"].items():
        margins = ", ".join(
            "/".join("?" if p is None else f"{p:.2f}" for p in split) for split in c["splits"]
        )
        lines.append(
            f"| {name} | {c['generated']} | {c['decode_seconds']} | "
            f"{c['decode_tokens_per_second']} | {c['speed_up']}× | {c['drafted']} | "
            f"{c['accepted']} | {c['rejected']} | {c['texts_differing']} ({margins}) |"
        )
    lines.append(f"\nPeak RSS: {summary.get('peak_rss_mb', 0):.0f} MB.\n")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
