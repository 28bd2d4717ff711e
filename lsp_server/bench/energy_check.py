"""Validation of per-suggestion energy against a whole-run counter (issue 6).

Runs a typing replay through `wattcode serve` while this process reads the NVML energy counter
over the whole run, then compares the sum of the server's per-suggestion GPU energies with the
counter's total, both after the idle baseline (measured here, before the replay, with the
model loaded and nothing to do). Without an NVIDIA GPU it says so and checks only what it can:
how much of the server's CPU time fell inside its measurement windows (the CPU-time estimate's
self-consistency). Writes energy-check.json and ENERGY-CHECK.md into --out.

    python -m lsp_server.bench.energy_check --out bench/results/energy-check
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from lsp_server.bench.configs import WATTCODE
from lsp_server.bench.corpus import CORPUS
from lsp_server.bench.lsp_client import LspClient
from lsp_server.bench.typing_replay import find_spans, replay_span
from models.energy.nvml import NvmlMeter, probe_nvml


def percent_difference(value: float, reference: float) -> float | None:
    return None if reference == 0 else (value - reference) / reference * 100


def compare(
    windows_joules: float,
    window_seconds: float,
    counter_joules: float,
    run_seconds: float,
    idle_watts: float,
) -> dict[str, float | None]:
    """Both sides above the idle baseline: what the windows add over idle against what the
    whole run added over idle (the GPU is assumed idle outside the windows)."""
    windows_above = windows_joules - idle_watts * window_seconds
    run_above = counter_joules - idle_watts * run_seconds
    return {
        "windows_joules": windows_joules,
        "windows_above_idle_joules": windows_above,
        "run_counter_joules": counter_joules,
        "run_above_idle_joules": run_above,
        "difference_percent": percent_difference(windows_above, run_above),
        "windows_incl_idle_vs_run_above_idle_percent": percent_difference(
            windows_joules, run_above
        ),
    }


def _delta(after: dict[str, Any], before: dict[str, Any], *keys: str) -> float:
    a: Any = after
    b: Any = before
    for key in keys:
        a, b = a.get(key, {}), b.get(key, {})
    return float(a or 0) - float(b or 0)


async def _measure_idle(meter: NvmlMeter, seconds: float) -> float:
    start, t0 = meter.read_joules(), time.perf_counter()
    await asyncio.sleep(seconds)
    return (meter.read_joules() - start) / (time.perf_counter() - t0)


async def run_check(args: argparse.Namespace) -> dict[str, Any]:
    probe = probe_nvml()
    meter = probe.meter if isinstance(probe.meter, NvmlMeter) else None
    if meter is None:
        sys.stderr.write(
            f"energy-check: NVML not available ({probe.reason}); no whole-run hardware counter "
            "here, so only the CPU-time estimate's self-consistency is checked. Run this on an "
            "NVIDIA GPU machine for the validation.\n"
        )
    files = [f for f in CORPUS if f.load() is not None]
    files = files[: args.files]
    client = LspClient(WATTCODE.settings(max_tokens=64))
    await client.start()
    try:
        await client.initialize()
        await client.wait_for_model()
        idle_watts = await _measure_idle(meter, args.idle_seconds) if meter else None
        server = psutil.Process(client.pid)
        before = await client.call("wattcode/stats", {})
        counter_start = meter.read_joules() if meter else 0.0
        cpu_start = sum(server.cpu_times()[:2])
        started = time.perf_counter()
        rng = random.Random(args.seed)
        keys = 0
        for number, corpus_file in enumerate(files):
            source = corpus_file.load()
            assert source is not None
            for span in find_spans(source, args.spans, args.chars, args.seed + number):
                result = await replay_span(
                    client,
                    f"file:///energy-check/{number}/{corpus_file.path.name}",
                    corpus_file.language_id,
                    source,
                    span,
                    WATTCODE.name,
                    corpus_file.path.name,
                    corpus_file.language,
                    rng,
                )
                keys += len(result.keys)
        run_seconds = time.perf_counter() - started
        counter_joules = meter.read_joules() - counter_start if meter else 0.0
        server_cpu = sum(server.cpu_times()[:2]) - cpu_start
        after = await client.call("wattcode/stats", {})
    finally:
        await client.stop()

    suggestions = _delta(after, before, "suggestions")
    energy = _delta(after, before, "energy_joules")
    out: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", __spec__.name, *sys.argv[1:]])
        if __spec__
        else " ".join(sys.argv),
        "files": [f.path.name for f in files],
        "keys": keys,
        "suggestions": suggestions,
        "run_seconds": run_seconds,
        "window_seconds": _delta(after, before, "energy", "window_seconds"),
        "server_method": after.get("energy_method", ""),
        "per_suggestion_energy_sum_joules": energy,
        "joules_per_suggestion": energy / suggestions if suggestions else None,
        "server_idle_watts": after.get("energy", {}).get("idle_watts"),
        "nvml": None if meter is None else meter.label,
        "nvml_reason": probe.reason,
    }
    if meter is not None and idle_watts is not None:
        gpu_windows = _delta(after, before, "energy", "counter_joules", meter.label)
        out["idle_watts_measured_before_run"] = idle_watts
        out["gpu"] = compare(
            gpu_windows, out["window_seconds"], counter_joules, run_seconds, idle_watts
        )
        out["gpu"]["server_used_nvml"] = meter.label in after.get("energy", {}).get(
            "counter_joules", {}
        )
    cpu_labels = [
        k for k in after.get("energy", {}).get("by_meter", {}) if k.startswith("CPU time")
    ]
    if cpu_labels:
        label = cpu_labels[0]
        watts = float(label.split("×")[1].split("W")[0])
        windows = _delta(after, before, "energy", "by_meter", label)
        whole = server_cpu * watts
        out["cpu_estimate"] = {
            "label": label,
            "windows_joules": windows,
            "server_process_cpu_seconds": server_cpu,
            "server_process_cpu_joules": whole,
            "share_inside_windows_percent": windows / whole * 100 if whole else None,
        }
    return out


def _fmt(value: Any, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(data: dict[str, Any]) -> str:
    lines = [
        "# Energy check: per-suggestion energy against a whole-run counter",
        "",
        f"Produced by `{data['command']}` on {data['date']}. Files: {', '.join(data['files'])}; "
        f"{data['keys']} keys, {data['suggestions']:.0f} suggestions, "
        f"{data['run_seconds']:.1f} s of replay, {data['window_seconds']:.1f} s inside "
        "generation windows.",
        "",
        f"- server's method: {data['server_method']}",
        f"- sum of per-suggestion energies: {_fmt(data['per_suggestion_energy_sum_joules'])} J "
        f"({_fmt(data['joules_per_suggestion'], 3)} J per suggestion)",
    ]
    gpu = data.get("gpu")
    if gpu is None:
        lines += [
            "",
            f"No NVML counter on this machine ({data['nvml_reason']}): the GPU comparison "
            "was not run.",
        ]
    else:
        lines += [
            "",
            f"GPU ({data['nvml']}): idle baseline {_fmt(data['idle_watts_measured_before_run'])} W"
            " (measured before the replay, model loaded).",
            "",
            "| | joules |",
            "| --- | --- |",
            f"| NVML over the whole run | {_fmt(gpu['run_counter_joules'])} |",
            f"| … minus idle × run time | {_fmt(gpu['run_above_idle_joules'])} |",
            f"| per-suggestion GPU energies, summed | {_fmt(gpu['windows_joules'])} |",
            f"| … minus idle × window time | {_fmt(gpu['windows_above_idle_joules'])} |",
            "",
            f"Difference above idle: **{_fmt(gpu['difference_percent'], 1)} %** (target: within "
            f"5 %). Summed windows including their idle share against the run above idle: "
            f"{_fmt(gpu['windows_incl_idle_vs_run_above_idle_percent'], 1)} %. "
            f"Server used NVML for its windows: {gpu['server_used_nvml']}.",
        ]
    cpu = data.get("cpu_estimate")
    if cpu is not None:
        lines += [
            "",
            f"CPU-time estimate ({cpu['label']}): the windows hold "
            f"{_fmt(cpu['share_inside_windows_percent'], 1)} % of the server process's CPU "
            f"energy over the replay ({_fmt(cpu['windows_joules'])} of "
            f"{_fmt(cpu['server_process_cpu_joules'])} J; the rest is LSP traffic, caches and "
            "the event loop). A self-consistency check, not a validation against hardware.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lsp_server.bench.energy_check")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--files", type=int, default=3, help="corpus files to type in")
    parser.add_argument("--spans", type=int, default=2, help="spans per file")
    parser.add_argument("--chars", type=int, default=300, help="characters per span at most")
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    data = asyncio.run(run_check(args))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "energy-check.json").write_text(json.dumps(data, indent=2) + "\n")
    (args.out / "ENERGY-CHECK.md").write_text(markdown(data), encoding="utf-8")
    sys.stdout.write(markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
