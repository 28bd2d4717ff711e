"""The benchmark's report: `results.json`, `REPORT.md` and PNG plots, readable by a stranger."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from wattcode_bench.energy_report import energy_section
from wattcode_bench.enter_replay import enter_section, guard_table
from wattcode_bench.power_report import power_section
from wattcode_bench.quality import quality_table

PER_SUGGESTION = "prompt_tokens_evaluated_per_suggestion"
NAN = math.nan


def _ratio(value: float, base: float) -> str:
    if not base or math.isnan(base) or math.isnan(value):
        return "–"
    ratio = value / base
    if 0 < ratio < 0.1:
        return f"1/{1 / ratio:,.0f}"
    return f"{ratio:.2f}×"


def _fmt(value: float, digits: int = 1) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def write_json(data: dict[str, Any], out: Path) -> Path:
    path = out / "results.json"
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return path


def plot(data: dict[str, Any], out: Path) -> list[str]:
    """Draw the figures; returns their file names (none when matplotlib is missing)."""
    try:
        import matplotlib as mpl  # noqa: PLC0415 - optional, only for the report

        mpl.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        return []
    names = []
    typing = data.get("typing", {}).get("configs", {})
    if typing:
        configs = list(typing)
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
        latencies = [[x * 1000 for x in typing[c]["latencies"]] or [float("nan")] for c in configs]
        axes[0].boxplot(latencies, tick_labels=configs, showfliers=True)
        axes[0].set_title("Keystroke → suggestion latency (ms)")
        axes[0].set_yscale("log")
        per_key = [typing[c]["evaluated_per_key"] or [0] for c in configs]
        axes[1].boxplot(per_key, tick_labels=configs, showfliers=True)
        axes[1].set_title("Prompt tokens evaluated per keystroke")
        axes[1].set_yscale("symlog")
        cpu = [typing[c]["server_cpu_seconds_per_suggestion"] for c in configs]
        axes[2].bar(configs, cpu, color="#6a9f58")
        axes[2].set_title("Server CPU seconds per suggestion")
        for ax in axes:
            ax.tick_params(axis="x", rotation=30)
        fig.tight_layout()
        fig.savefig(out / "typing.png", dpi=110)
        plt.close(fig)
        names.append("typing.png")
    accuracy = data.get("accuracy", {})
    if accuracy:
        fig, ax = plt.subplots(figsize=(9, 4.2))
        offsets = {"plain": -0.18, "padded": 0.18}
        for variant, offset in offsets.items():
            configs = accuracy.get(variant, {}).get("configs", {})
            xs, ys, lows, highs = [], [], [], []
            for index, (_name, summary) in enumerate(configs.items()):
                p = summary["pass_at_1"]
                xs.append(index + offset)
                ys.append(p["rate"] * 100)
                lows.append((p["rate"] - p["low"]) * 100)
                highs.append((p["high"] - p["rate"]) * 100)
            if xs:
                ax.errorbar(xs, ys, yerr=[lows, highs], fmt="o", capsize=4, label=variant)
                ax.set_xticks(range(len(configs)), list(configs))
        ax.set_ylabel("pass@1 (%), 95% CI")
        ax.set_title("HumanEval single-line infilling")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "accuracy.png", dpi=110)
        plt.close(fig)
        names.append("accuracy.png")
    return names


def _accuracy_section(accuracy: dict[str, Any]) -> list[str]:
    lines = []
    for variant in ("plain", "padded"):
        block = accuracy.get(variant)
        if not block:
            continue
        configs = block["configs"]
        base = configs.get("naive", {})
        title = (
            "HumanEval single-line infilling"
            if variant == "plain"
            else "Distractor-padded HumanEval (the project's own construction: other "
            "problems' code in front of each task)"
        )
        lines += [
            f"### {title}",
            "",
            f"{block['tasks']} tasks. {block.get('note', '')}",
            "",
            "| config | pass@1 (95% CI) | exact | edit sim. | prompt tokens | "
            "evaluated | generated | s/task | prompt vs naive | time vs naive |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, s in configs.items():
            p = s["pass_at_1"]
            lines.append(
                f"| {name} | {p['rate'] * 100:.1f}% ({p['low'] * 100:.1f}–{p['high'] * 100:.1f})"
                f" | {s['exact_match'] * 100:.1f}% | {s['edit_similarity']:.3f} "
                f"| {_fmt(s['prompt_tokens_mean'])} | {_fmt(s['prompt_tokens_evaluated_mean'])} "
                f"| {_fmt(s['generated_tokens_mean'])} | {_fmt(s['seconds_mean'], 2)} "
                f"| {_ratio(s['prompt_tokens_mean'], base.get('prompt_tokens_mean', 0))} "
                f"| {_ratio(s['seconds_mean'], base.get('seconds_mean', 0))} |"
            )
        comparisons = block.get("comparisons", [])
        if comparisons:
            lines += [
                "",
                "Paired comparisons (same tasks; McNemar exact test on "
                "discordant tasks; 95% bootstrap CI of the pass@1 difference, resampling "
                "problems):",
                "",
                "| config | against | Δ pass@1 (points) | 95% CI | only the baseline passed | "
                "only config passed | McNemar p |",
                "| --- | --- | --- | --- | --- | --- | --- |",
            ]
            for c in comparisons:
                lines.append(
                    f"| {c['config']} | {c.get('baseline', 'naive')} | "
                    f"{c['difference'] * 100:+.1f} | "
                    f"{c['ci_low'] * 100:+.1f} … {c['ci_high'] * 100:+.1f} | {c['a_only']} | "
                    f"{c['b_only']} | {c['mcnemar_p']:.3f} |"
                )
        lines.append("")
    return lines


def _typing_section(typing: dict[str, Any]) -> list[str]:
    configs = typing.get("configs", {})
    if not configs:
        return []
    base = configs.get("naive", {})
    lines = [
        "### Typing replay",
        "",
        f"Files: {', '.join(typing['files'])}. {typing['note']}",
        "",
        *quality_table(configs),
        "| config | first suggestion after opening (ms) | keys | suggestions (from cache) | "
        "accepted keys (taken) | accepted chars | latency p50 / p95 (ms) | latency p50 without "
        "cache hits (ms) | prompt tokens evaluated / "
        "suggestion | CPU s / suggestion | CPU s / accepted char | peak RSS (MB) | latency p50 "
        "vs naive | evaluated / suggestion vs naive |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in configs.items():
        lines.append(
            f"| {name} | {_fmt(s['open_latency_mean'] * 1000, 0)} | {s['keys']} | "
            f"{s['suggestions']} ({s['suggestion_cache_hits']}) | "
            f"{s['accepted']} ({s.get('taken', '–')}) | {s['accepted_chars']} | "
            f"{_fmt(s['latency_p50'] * 1000, 0)} / "
            f"{_fmt(s['latency_p95'] * 1000, 0)} | "
            f"{_fmt(s['inferred_latency_p50'] * 1000, 0)} | "
            f"{_fmt(s['prompt_tokens_evaluated_per_suggestion'])} | "
            f"{_fmt(s['server_cpu_seconds_per_suggestion'], 2)} | "
            f"{_fmt(s['server_cpu_seconds_per_accepted_char'], 3)} | "
            f"{s['peak_rss_bytes'] / 1e6:.0f} | "
            f"{_ratio(s['latency_p50'], base.get('latency_p50', 0))} | "
            f"{_ratio(s[PER_SUGGESTION], base.get(PER_SUGGESTION, 0))} |"
        )
    lines += [
        "",
        "Where a finished generation's time goes (server side, mean seconds), and the "
        "latency of suggestions that needed the model against their decode floor (the time "
        "to generate the suggestion's own tokens; median over keys where exactly one "
        "generation finished):",
        "",
        "| config | trimming | prompt | decoding | latency p50 without cache hits (ms) | "
        "decode floor p50 (ms) | latency ÷ decode floor p50 (keys) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in configs.items():
        lines.append(
            f"| {name} | {_fmt(s.get('context_seconds_per_generation', NAN), 4)} | "
            f"{_fmt(s.get('prompt_seconds_per_generation', NAN), 3)} | "
            f"{_fmt(s.get('decode_seconds_per_generation', NAN), 3)} | "
            f"{_fmt(s['inferred_latency_p50'] * 1000, 0)} | "
            f"{_fmt(s.get('decode_floor_p50', NAN) * 1000, 0)} | "
            f"{_fmt(s.get('latency_over_decode_floor_p50', NAN), 2)} "
            f"({s.get('latency_over_decode_floor_count', 0)}) |"
        )
    lines += ["", *guard_table(configs)]
    lines += [
        "",
        "Per language:",
        "",
        "| language | config | keys | suggestions | accepted | latency p50 (ms) | latency p50 "
        "without cache hits (ms) | prompt tokens evaluated / suggestion | first suggestion "
        "after opening (ms) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    by_language = typing.get("by_language", {})
    languages = sorted({language for per in by_language.values() for language in per})
    for language in languages:
        for name, per in by_language.items():
            if (s := per.get(language)) is None:
                continue
            lines.append(
                f"| {language} | {name} | {s['keys']} | {s['suggestions']} | {s['accepted']} | "
                f"{_fmt(s['latency_p50'] * 1000, 0)} | "
                f"{_fmt(s['inferred_latency_p50'] * 1000, 0)} | "
                f"{_fmt(s['prompt_tokens_evaluated_per_suggestion'])} | "
                f"{_fmt(s['open_latency_mean'] * 1000, 0)} |"
            )
    lines.append("")
    return lines


def _trimming_section(trimming: dict[str, Any]) -> list[str]:
    if not trimming:
        return []
    if "skipped" in trimming:
        return ["### Trimming cost", "", f"Skipped: {trimming['skipped']}.", ""]
    return [
        "### Trimming cost per keystroke",
        "",
        f"{trimming['keystrokes']} keystrokes retyping {trimming['places']} lines inside "
        f"methods of {trimming['file']}, budget {trimming['budget']} tokens, the model's own "
        "tokenizer; each keystroke's time covers the incremental reparse, the outline, the "
        "token counts and the choice of rows.",
        "",
        "| p50 (ms) | p95 (ms) | max (ms) | first context after opening (ms) | prompt tokens "
        "(mean) | full parses | incremental parses | keystrokes whose parse waited (open "
        "bracket or quote) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {_fmt(trimming['p50_ms'], 2)} | {_fmt(trimming['p95_ms'], 2)} | "
        f"{_fmt(trimming['max_ms'], 2)} | {_fmt(trimming['open_ms'], 1)} | "
        f"{_fmt(trimming['prompt_tokens_mean'], 0)} | {trimming['full_parses']} | "
        f"{trimming['incremental_parses']} | {trimming.get('deferred_updates', '–')} |",
        "",
    ]


def write_markdown(data: dict[str, Any], figures: list[str], out: Path) -> Path:
    machine = data["machine"]
    lines = [
        "# wattcode bench report",
        "",
        f"Produced by `{data['command']}` on {data['date']} "
        f"({'quick' if data['quick'] else 'full'} mode, seed {data['seed']}, "
        f"{data['elapsed_seconds'] / 60:.1f} min).",
        "",
        f"Machine: {machine['cpu']}, {machine['physical_cores']} physical cores, "
        f"{machine['memory_gib']} GiB; {machine['os']}; Python {machine['python']}; "
        f"llama-cpp-python {machine['llama_cpp_python']}; model {machine['model']} "
        f"({machine['model_file']}), {machine['inference_threads']} inference threads.",
        "",
        "Configurations:",
        "",
    ]
    lines += [f"- `{name}`: {text}" for name, text in data["configs"].items()]
    lines += [
        "",
        "Energy per suggestion comes from the server's own meters (see the typing replay's "
        "energy table for each configuration's method: measured or estimated).",
        "",
    ]
    if data.get("headline"):
        lines += ["## Headline", ""] + [f"- {h}" for h in data["headline"]] + [""]
    lines += ["## Results", ""]
    lines += _accuracy_section(data.get("accuracy", {}))
    lines += _trimming_section(data.get("trimming", {}))
    lines += _typing_section(data.get("typing", {}))
    lines += enter_section(data.get("enter", {}))
    lines += energy_section(data.get("typing", {}))
    lines += power_section(data.get("typing", {}))
    resources = data.get("resources")
    if resources:
        lines += [
            "### Resources",
            "",
            f"- time from process start to the first suggestion (cold start, model "
            f"already assembled): {resources['seconds_to_first_suggestion']:.2f} s",
            f"- model load: {resources['model_load_seconds']:.2f} s",
            f"- daemon peak RSS at first suggestion: {resources['peak_rss_bytes'] / 1e6:.0f} MB",
            "",
        ]
    for figure in figures:
        lines += [f"![{figure}]({figure})", ""]
    path = out / "REPORT.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
