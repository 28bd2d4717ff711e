"""`wattcode bench`: run the workloads for every configuration and write the report.

Quick mode (`--quick`, for CI) runs every configuration on small, fixed subsets in under ten
minutes on 2 cores; the full mode's sizes and running time are in bench/README.md.
"""

from __future__ import annotations

import asyncio
import random
import shlex
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from models.llama_backend import LlamaBackend, LoadOptions
from models.model_files import resolve_model_path
from wattcode_bench import accuracy, enter_replay, llamavim_peer, report, trim_cost
from wattcode_bench.accuracy_models import AccuracyModels
from wattcode_bench.cold_start import cold_start
from wattcode_bench.configs import (
    ALL_CONFIGS,
    BY_NAME,
    NO_TRIM,
    WATTCODE,
    BenchConfig,
    config_named,
)
from wattcode_bench.corpus import CORPORA
from wattcode_bench.humaneval import (
    InfillTask,
    load_problems,
    padded_task,
    verified_single_line_tasks,
)
from wattcode_bench.machine import describe
from wattcode_bench.power_report import gating_headline, power_summary
from wattcode_bench.quality import quality_headline
from wattcode_bench.typing_replay import SpanChoice, replay_config
from wattcode_bench.typing_summary import typing_summary

WORKLOADS = ("accuracy", "trimming", "typing", "enter", "resources")
PADDING_TOKENS = (1000, 3000)
COLD_START_SOURCE = "def add(a, b):\n    return "
UNPADDED_ORIGINALS = "wattcode, unpadded originals"
"""The padded tasks' originals, run by wattcode: what trimming the padding should recover."""


@dataclass(frozen=True)
class BenchRequest:
    """What `wattcode bench` was asked for, its options as given: `BenchPlan.make` fills in
    what was left to the mode (quick or full)."""

    quick: bool
    seed: int
    configs: tuple[str, ...] | None = None
    """Configuration names; None: all of them."""
    workloads: tuple[str, ...] | None = None
    """Workload names; None: all of them."""
    tasks: int | None = None
    padded_tasks: int | None = None
    spans: int | None = None
    """Typed spans per file."""
    gpu_layers: int | None = None
    typing_pace: str = "rhythm"
    corpus: str = "default"
    llama_server: str | None = None


@dataclass(frozen=True)
class BenchPlan:
    quick: bool
    configs: tuple[BenchConfig, ...]
    workloads: tuple[str, ...]
    seed: int
    tasks: int
    padded_tasks: int
    spans_per_file: int
    span_chars: int
    gpu_layers: int | None = None
    """Layers on the GPU for every configuration; None: all with a GPU build, else none."""
    typing_pace: str = "rhythm"
    """`rhythm`: keys at a human pace, open requests cancelled; `lockstep`: each key waits."""
    corpus: str = "default"
    """The typed files: a key of `corpus.CORPORA`."""
    llama_server: str | None = None
    """The llama.vim peer's llama-server binary (`--llama-server`; else found as it says)."""

    def settings(self, config: BenchConfig) -> dict[str, Any]:
        """`config` as server settings, with this plan's GPU choice."""
        settings = config.settings(max_tokens=64)
        if self.typing_pace == "lockstep":
            # Each key waits for its answer: every skipped request would look like a pause.
            settings["completion"]["pauseMilliseconds"] = None
        if self.gpu_layers is not None:
            settings["model"]["gpuLayers"] = self.gpu_layers
        return settings

    @classmethod
    def make(cls, request: BenchRequest) -> BenchPlan:
        """The plan for `request`, with the defaults of its mode (quick or full) filled in."""
        quick, configs, workloads = request.quick, request.configs, request.workloads
        tasks, padded_tasks, spans = request.tasks, request.padded_tasks, request.spans
        chosen = tuple(config_named(name) for name in configs) if configs else ALL_CONFIGS
        chosen_workloads = tuple(workloads or WORKLOADS)
        # The typing replay's ratios are against naive; an accuracy-only run (e.g. trimmed
        # against untrimmed on many padded tasks) may leave it out, as naive is its costliest,
        # and so may a lockstep replay (naive's seconds per key would make it take hours).
        wants_naive = "typing" in chosen_workloads and request.typing_pace == "rhythm"
        if wants_naive and "naive" not in [c.name for c in chosen]:
            chosen = (BY_NAME["naive"], *chosen)
        return cls(
            quick=quick,
            configs=chosen,
            workloads=chosen_workloads,
            seed=request.seed,
            tasks=tasks if tasks is not None else (10 if quick else 150),
            padded_tasks=padded_tasks if padded_tasks is not None else (1 if quick else 16),
            spans_per_file=spans if spans is not None else (1 if quick else 2),
            span_chars=40 if quick else 80,
            gpu_layers=request.gpu_layers,
            typing_pace=request.typing_pace,
            corpus=request.corpus,
            llama_server=request.llama_server,
        )


def _subset(tasks: list[InfillTask], count: int, seed: int) -> list[InfillTask]:
    """A seeded sample kept in file order (so tasks of one problem stay adjacent)."""
    if count >= len(tasks):
        return tasks
    keep = set(random.Random(seed).sample(range(len(tasks)), count))
    return [t for i, t in enumerate(tasks) if i in keep]


def run_accuracy(models: AccuracyModels, plan: BenchPlan) -> dict[str, Any]:
    backend = models.default
    all_tasks = verified_single_line_tasks()
    tasks = _subset(all_tasks, plan.tasks, plan.seed)
    rng = random.Random(plan.seed)
    problems = load_problems()
    originals = _subset(all_tasks, plan.padded_tasks, plan.seed + 1)
    padded = [
        padded_task(task, problems, rng.randint(*PADDING_TOKENS), backend.count_tokens, plan.seed)
        for task in originals
    ]
    out: dict[str, Any] = {}
    for variant, variant_tasks in (("plain", tasks), ("padded", padded)):
        if not variant_tasks:
            continue  # e.g. --padded-tasks 0: nothing to run or compare
        runs = {}
        configs = [c for c in plan.configs if variant in c.workloads]
        total = len(variant_tasks) * len(configs)
        with tqdm(total=total, desc=f"accuracy ({variant})", file=sys.stderr) as bar:
            for config in configs:
                runs[config.name] = accuracy.run_config(
                    models.for_config(config), config, variant_tasks, on_task=bar.update
                )
        # Paired against naive, or against the first configuration when naive did not run.
        baseline = runs.get("naive") or next(iter(runs.values()), None)
        comparisons = [
            accuracy.compare(baseline, run, plan.seed)
            for run in runs.values()
            if baseline is not None and run is not baseline
        ]
        if variant == "padded" and WATTCODE.name in runs:
            comparisons += _trim_comparisons(models, runs, padded, originals, plan.seed)
        out[variant] = {
            "tasks": len(variant_tasks),
            "configs": {name: run.summary() for name, run in runs.items()},
            "comparisons": comparisons,
            "per_task": {name: [r.__dict__ for r in run.results] for name, run in runs.items()},
        }
    notes = {
        "plain": "A seeded sample of the 1,033 rebuilt tasks."
        if len(tasks) < len(all_tasks)
        else "All 1,033 rebuilt tasks.",
        "padded": f"Padding of {PADDING_TOKENS[0]}–{PADDING_TOKENS[1]} tokens (seeded) in front "
        "of each task.",
    }
    for variant, block in out.items():
        block["note"] = notes[variant]
    return out


def _trim_comparisons(
    models: AccuracyModels,
    runs: dict[str, accuracy.ConfigAccuracy],
    padded: list[InfillTask],
    originals: list[InfillTask],
    seed: int,
) -> list[dict[str, Any]]:
    """Trimmed against untrimmed on the padded tasks, and against the same tasks unpadded
    (run here under the padded tasks' ids, so that the comparison pairs them; the run joins
    `runs`, so the report's table shows it)."""
    trimmed = runs[WATTCODE.name]
    found = []
    if NO_TRIM.name in runs:
        found.append(accuracy.compare(runs[NO_TRIM.name], trimmed, seed))
    unpadded = [
        replace(original, task_id=task.task_id)
        for original, task in zip(originals, padded, strict=True)
    ]
    baseline = accuracy.run_config(models.for_config(WATTCODE), WATTCODE, unpadded)
    baseline.config = UNPADDED_ORIGINALS
    runs[baseline.config] = baseline
    found.append(accuracy.compare(baseline, trimmed, seed))
    return found


async def run_typing(plan: BenchPlan) -> dict[str, Any]:
    corpus = CORPORA[plan.corpus]
    present = [f.load() is not None for f in corpus]  # each file read and hashed once
    files = [f for f, ok in zip(corpus, present, strict=True) if ok]
    missing = [f.path.name for f, ok in zip(corpus, present, strict=True) if not ok]
    if plan.quick:
        files = [
            next(f for f in files if f.language == lang)
            for lang in ("Python", "JavaScript")
            if any(f.language == lang for f in files)
        ]
    spans = SpanChoice(tuple(files), plan.spans_per_file, plan.span_chars, plan.seed)
    configs: dict[str, Any] = {}
    by_language: dict[str, Any] = {}
    skipped_peer = ""
    with tqdm(desc="typing replay (keys)", file=sys.stderr) as bar:
        for config in plan.configs:
            if config.name == llamavim_peer.NAME:
                peer = await llamavim_peer.run_peer(plan, spans, bar.update)
                if isinstance(peer, str):
                    skipped_peer = peer
                    continue
                replay = peer
            else:
                replay = await replay_config(
                    config.name,
                    plan.settings(config),
                    spans,
                    on_key=bar.update,
                    pace=plan.typing_pace,
                )
            results, peak_rss = replay.results, replay.peak_rss
            configs[config.name] = {
                **typing_summary(results, peak_rss),
                **power_summary(replay, config.budget_watts),
                "key_records": [
                    {"file": r.file, "language": r.language, "span": number, **k.row()}
                    for number, r in enumerate(results)
                    for k in r.keys
                ],
            }
            by_language[config.name] = {
                language: typing_summary([r for r in results if r.language == language], peak_rss)
                for language in sorted({r.language for r in results})
            }
    note = f"{plan.spans_per_file} span(s) of up to {plan.span_chars} characters per file, " + (
        "typed in lockstep: each key waits for its answer, nothing is cancelled (latencies and "
        "energy per hour are not a typist's)."
        if plan.typing_pace == "lockstep"
        else "typed at ~110 ms a key with a 600 ms pause at line ends."
    )
    note += (
        " A key's suggestion is accepted when its first line is what is typed next on the line; "
        "taken counts each run of accepted keys once (where a user would press Tab)."
    )
    if missing:
        note += f" Skipped (missing or changed): {', '.join(missing)}."
    if skipped_peer:
        note += f" {skipped_peer}"
    return {
        "files": [f"{f.path.name} ({f.language})" for f in files],
        "note": note,
        "configs": configs,
        "by_language": by_language,
    }


async def run_enter(plan: BenchPlan) -> dict[str, Any]:
    """Workload D (`enter_replay.py`) for the configurations the typing replay runs."""
    files = [f for f in CORPORA[plan.corpus] if f.load() is not None]
    if plan.quick:
        files = files[:1]
    configs = {}
    for config in plan.configs:
        if "typing" not in config.workloads or config.name == "naive":
            continue
        configs[config.name] = await enter_replay.replay_config(
            config.name, plan.settings(config), files, plan.spans_per_file, plan.seed
        )
    note = (
        f"{plan.spans_per_file} function(s) per file, {len(files)} file(s): Enter at the end of "
        "the function's first line with the body's indentation, each answer awaited; cold: the "
        "file just opened; warm: a request at the end of that line first (the user typed it), "
        "whose suggestion may continue after the Enter. Taken: the "
        "suggestion's first line is the file's next line; parses: the file with the whole "
        "suggestion accepted parses (CPython for Python, tree-sitter elsewhere), counted where "
        "the file as the Enter left it (without the span) parses."
    )
    return {"note": note, "configs": configs}


def headline(data: dict[str, Any]) -> list[str]:
    typing = data.get("typing", {}).get("configs", {})
    lines = quality_headline(typing)
    if "naive" in typing and "wattcode" in typing:
        n, w = typing["naive"], typing["wattcode"]
        per = "prompt_tokens_evaluated_per_suggestion"
        if w[per] and n[per]:
            lines.append(
                f"Typing replay: wattcode evaluates {w[per]:.0f} prompt tokens per suggestion, "
                f"{w[per] / n[per] * 100:.1f}% of naive's {n[per]:.0f}; median keystroke-to-"
                f"suggestion latency {w['latency_p50'] * 1000:.0f} ms vs "
                f"{n['latency_p50'] * 1000:.0f} ms "
                f"({n['latency_p50'] / w['latency_p50']:.1f}× lower; "
                f"{w['inferred_latency_p50'] * 1000:.0f} ms for suggestions that needed the "
                f"model); {w['suggestions']} vs {n['suggestions']} suggestions shown while "
                "typing."
            )
    typing_all = data.get("typing", {}).get("configs", {})
    if "wattcode" in typing_all:
        w = typing_all["wattcode"]
        lines.append(
            f"Suggestion cache: {w['suggestion_cache_hits']} of {w['suggestions']} suggestions "
            f"served with no inference while typing; saved KV states capped at "
            f"{w['kv_state_limit_mb']:.0f} MB."
        )
    lines += gating_headline(typing_all)
    for variant in ("plain", "padded"):
        configs = data.get("accuracy", {}).get(variant, {}).get("configs", {})
        if "naive" in configs and "wattcode" in configs:
            n, w = configs["naive"], configs["wattcode"]
            lines.append(
                f"HumanEval ({variant}): pass@1 {w['pass_at_1']['rate'] * 100:.1f}% (wattcode) "
                f"vs {n['pass_at_1']['rate'] * 100:.1f}% (naive); prompt tokens "
                f"{n['prompt_tokens_mean'] / max(w['prompt_tokens_mean'], 1):.1f}× fewer; "
                f"time per task {n['seconds_mean'] / max(w['seconds_mean'], 1e-9):.1f}× lower."
            )
    return lines


def run(plan: BenchPlan, out: Path, command: str) -> Path:
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    model_path = resolve_model_path(None)
    backend = LlamaBackend(model_path, LoadOptions(gpu_layers=plan.gpu_layers))
    data: dict[str, Any] = {
        "command": command,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": plan.quick,
        "seed": plan.seed,
        "configs": {c.name: c.description for c in plan.configs},
        "machine": {
            **describe(backend.name, str(model_path), backend.threads),
            "gpu_layers": backend.gpu_layers,
        },
    }
    models = AccuracyModels(backend, model_path, plan.gpu_layers)
    try:
        if "accuracy" in plan.workloads:
            data["accuracy"] = run_accuracy(models, plan)
        if "trimming" in plan.workloads:
            data["trimming"] = trim_cost.measure(
                backend.count_tokens, places=3 if plan.quick else 12, seed=plan.seed
            )
    finally:
        models.close()
        backend.close()  # the typing replay runs its own server processes
    if "typing" in plan.workloads:
        data["typing"] = asyncio.run(run_typing(plan))
    if "enter" in plan.workloads:
        data["enter"] = asyncio.run(run_enter(plan))
    if "resources" in plan.workloads:
        data["resources"] = asyncio.run(
            cold_start(plan.settings(WATTCODE), COLD_START_SOURCE, "python")
        )
    data["elapsed_seconds"] = time.perf_counter() - started
    data["headline"] = headline(data)
    report.write_json(data, out)
    figures = report.plot(data, out)
    (out / "COMMAND.txt").write_text(command + "\n", encoding="utf-8")
    return report.write_markdown(data, figures, out)


def command_line(argv: list[str]) -> str:
    return "wattcode " + shlex.join(argv)
