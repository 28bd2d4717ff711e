"""Validation of per-suggestion energy against a whole-run counter (issue 6).

Runs a typing replay through `wattcode serve` while this process reads the NVML energy counter
over the whole run, then compares the sum of the server's per-suggestion GPU energies with the
counter's total, both after the idle baseline (measured here with the model loaded and nothing
to do, over a long quiet interval before the replay and again after it). Without an NVIDIA GPU
it says so and checks only what it can: how much of the server's CPU time fell inside its
measurement windows (the CPU-time estimate's self-consistency). Writes energy-check.json and
ENERGY-CHECK.md into --out.

Two loads. The default is the sparse typing replay (keys at a human rhythm): the GPU idles
between ~10 ms windows, and the work's after-effects (the GPU staying above its idle floor
for a while) fall outside every window. `--back-to-back` keeps the model thread busy: several
documents are typed at once, each key sent as soon as that document's previous answer came, so
the windows are nearly contiguous and their counter deltas telescope into the run's total (the
counter's coarse steps cancel out except in the short gaps).

    python -m wattcode_bench.energy_check --out bench/results/energy-check [--back-to-back]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from models.energy.nvml import NvmlMeter, probe_nvml
from wattcode_bench.configs import NO_GATE, WATTCODE
from wattcode_bench.corpus import CORPUS
from wattcode_bench.energy_check_comparison import (
    IdleFloors,
    Readings,
    cpu_estimate,
    gpu_verdict,
    interior,
    stats_delta,
)
from wattcode_bench.energy_check_counter import (
    Counter,
    CounterTrace,
    checkpoints,
    counter_step,
    measure_idle,
    step_intervals,
)
from wattcode_bench.energy_check_loads import run_back_to_back, run_sparse
from wattcode_bench.energy_check_markdown import markdown
from wattcode_bench.lsp_client import LspClient
from wattcode_bench.typing_replay import SpanInFile, find_spans


def _work(args: argparse.Namespace) -> list[SpanInFile]:
    work = []
    loaded = [(f, text) for f in CORPUS if (text := f.load()) is not None][: args.files]
    for number, (corpus_file, source) in enumerate(loaded):
        for span in find_spans(source, args.spans, args.chars, args.seed + number):
            work.append(SpanInFile(corpus_file, source, span))
    return work


@dataclass
class RunReads:
    """The counter and the clock at the run's edges, and what was read during it."""

    started: float
    counter_start: float
    replay_end: float
    counter_at_replay_end: float
    ended: float
    counter_end: float
    keys: int
    errors: int
    points: list[dict[str, float]] = field(default_factory=list)
    steps: list[tuple[float, float]] = field(default_factory=list)


async def _read_edge(meter: Counter | None) -> tuple[float, float]:
    return await counter_step(meter) if meter else (0.0, time.perf_counter())


async def measured_run(
    client: LspClient,
    meter: NvmlMeter | None,
    work: list[SpanInFile],
    args: argparse.Namespace,
) -> RunReads:
    """The load and its settling time, between two counter steps, traced."""
    trace = CounterTrace(meter) if meter else None
    if trace:
        trace.start()
    try:
        counter_start, started = await _read_edge(meter)
        points: list[dict[str, float]] = []
        if args.back_to_back:
            load = run_back_to_back(client, work, args.streams, args.seconds)
            if meter:
                until = started + args.seconds
                task = asyncio.create_task(
                    checkpoints(client, meter, meter.label, args.checkpoint_seconds, until)
                )
            keys, errors = await load
            points = await task if meter else []
        else:
            keys, errors = await run_sparse(client, work, args.seed), 0
        replay_end = time.perf_counter()
        counter_at_replay_end = meter.read_joules() if meter else 0.0
        # The work's after-effects (the GPU staying above idle for a moment) belong to the
        # run: the windows must account for them too.
        await asyncio.sleep(args.settle_seconds)
        counter_end, ended = await _read_edge(meter)
    finally:
        if trace:
            trace.stop()
    return RunReads(
        started,
        counter_start,
        replay_end,
        counter_at_replay_end,
        ended,
        counter_end,
        keys,
        errors,
        points,
        trace.steps if trace else [],
    )


async def run_check(args: argparse.Namespace) -> dict[str, Any]:
    probe = probe_nvml()
    meter = probe.meter if isinstance(probe.meter, NvmlMeter) else None
    if meter is None:
        sys.stderr.write(
            f"energy-check: NVML not available ({probe.reason}); no whole-run hardware counter "
            "here, so only the CPU-time estimate's self-consistency is checked. Run this on an "
            "NVIDIA GPU machine for the validation.\n"
        )
    work = _work(args)
    # Back to back, every key that misses the suggestion cache should reach the model: the
    # load under test, not gating's choices.
    config = NO_GATE if args.back_to_back else WATTCODE
    client = LspClient(config.settings(max_tokens=64))
    await client.start()
    try:
        await client.initialize()
        await client.wait_for_model()
        idle_before = await measure_idle(meter, args.idle_seconds) if meter else None
        server = psutil.Process(client.pid)
        before = await client.call("wattcode/stats", {})
        cpu_start = sum(server.cpu_times()[:2])
        reads = await measured_run(client, meter, work, args)
        server_cpu = sum(server.cpu_times()[:2]) - cpu_start
        after = await client.call("wattcode/stats", {})
        idle_after = await measure_idle(meter, args.idle_seconds) if meter else None
    finally:
        await client.stop()

    suggestions = stats_delta(after, before, "suggestions")
    energy = stats_delta(after, before, "energy_joules")
    window_seconds = stats_delta(after, before, "energy", "window_seconds")
    replay_seconds = reads.replay_end - reads.started
    out: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", __spec__.name, *sys.argv[1:]])
        if __spec__
        else " ".join(sys.argv),
        "mode": f"back-to-back, {args.streams} documents at once"
        if args.back_to_back
        else "sparse",
        "config": config.name,
        "files": sorted({target.corpus_file.path.name for target in work}),
        "spans": len(work),
        "keys": reads.keys,
        "failed_requests": reads.errors,
        "suggestions": suggestions,
        "replay_seconds": replay_seconds,
        "settle_seconds": args.settle_seconds,
        "run_seconds": reads.ended - reads.started,
        "window_seconds": window_seconds,
        "window_coverage_percent": window_seconds / replay_seconds * 100,
        "server_method": after.get("energy_method", ""),
        "per_suggestion_energy_sum_joules": energy,
        "joules_per_suggestion": energy / suggestions if suggestions else None,
        "server_idle_watts": after.get("energy", {}).get("idle_watts"),
        "nvml": None if meter is None else meter.label,
        "nvml_reason": probe.reason,
    }
    if meter is not None and idle_before is not None and idle_after is not None:
        # The per-suggestion figures (by meter), short gaps' tails included; the raw window
        # deltas beside them show what the tails added.
        windows = stats_delta(after, before, "energy", "by_meter", meter.label)
        floors = IdleFloors(idle_before, idle_after)
        out.update(gpu_results(reads, windows, window_seconds, floors, args))
        out["gpu"]["raw_windows_joules"] = stats_delta(
            after, before, "energy", "counter_joules", meter.label
        )
        out["gpu"]["tail_joules"] = stats_delta(after, before, "energy", "tail_joules")
        out["gpu"]["server_used_nvml"] = meter.label in after.get("energy", {}).get(
            "counter_joules", {}
        )
    if (cpu := cpu_estimate(after, before, server_cpu)) is not None:
        out["cpu_estimate"] = cpu
    return out


def gpu_results(
    reads: RunReads,
    windows_joules: float,
    window_seconds: float,
    floors: IdleFloors,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The verdict over the whole run, the steady middle (back to back), what the counter
    gained while settling, and how it moved."""
    readings = Readings(
        windows_joules,
        window_seconds,
        reads.counter_end - reads.counter_start,
        reads.ended - reads.started,
    )
    gpu = gpu_verdict(readings, floors)
    idle = gpu["idle_watts"]
    start = reads.started
    return {
        "idle_seconds": args.idle_seconds,
        "edge_seconds": args.edge_seconds,
        "idle_watts_before": floors.before,
        "idle_watts_after": floors.after,
        "gpu": gpu,
        "settle_above_idle_joules": reads.counter_end
        - reads.counter_at_replay_end
        - idle * (reads.ended - reads.replay_end),
        "interior": interior(reads.points, idle, start + args.edge_seconds, start + args.seconds),
        "checkpoints": [{**p, "at": p["at"] - start} for p in reads.points],
        "counter_steps": step_intervals(reads.steps),
        "_trace": [
            [round(t - start, 4), round(j - reads.counter_start, 3)] for t, j in reads.steps
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wattcode_bench.energy_check")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--files", type=int, default=3, help="corpus files to type in")
    parser.add_argument("--spans", type=int, default=2, help="spans per file")
    parser.add_argument("--chars", type=int, default=300, help="characters per span at most")
    parser.add_argument(
        "--idle-seconds", type=float, default=30.0, help="quiet time before and after the run"
    )
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=2.0,
        help="quiet time after the last answer that still counts in the run",
    )
    parser.add_argument(
        "--back-to-back",
        action="store_true",
        help="sustained load: each key as soon as the previous answer came, several documents "
        "at once, the spans cycled for --seconds",
    )
    parser.add_argument("--streams", type=int, default=3, help="documents typed at once")
    parser.add_argument("--seconds", type=float, default=60.0, help="back-to-back duration")
    parser.add_argument(
        "--checkpoint-seconds",
        type=float,
        default=5.0,
        help="back to back: how often the server's sums and the counter are read side by side",
    )
    parser.add_argument(
        "--edge-seconds",
        type=float,
        default=10.0,
        help="back to back: the load's first seconds, left out of the steady-middle comparison",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    data = asyncio.run(run_check(args))
    args.out.mkdir(parents=True, exist_ok=True)
    trace = data.pop("_trace", [])
    if trace:
        # Times and joules from the run's first counter step: [seconds, joules] per move.
        (args.out / "counter-trace.json").write_text(json.dumps(trace, separators=(",", ":")))
    (args.out / "energy-check.json").write_text(json.dumps(data, indent=2) + "\n")
    (args.out / "ENERGY-CHECK.md").write_text(markdown(data), encoding="utf-8")
    sys.stdout.write(markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
