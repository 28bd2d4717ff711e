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
import itertools
import json
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import psutil

from models.energy.nvml import NvmlMeter, probe_nvml
from wattcode_bench.configs import NO_GATE, WATTCODE
from wattcode_bench.corpus import CORPUS, CorpusFile
from wattcode_bench.lsp_client import LspClient, ServerError
from wattcode_bench.typing_replay import FINAL_WAIT, Span, find_spans, replay_span

TARGET_PERCENT = 5.0
STEP_POLL_SECONDS = 0.001
STEP_TIMEOUT_SECONDS = 1.0


class Counter(Protocol):
    def read_joules(self) -> float: ...


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


def target_met(difference: float | None) -> bool:
    return difference is not None and abs(difference) <= TARGET_PERCENT


def _delta(after: dict[str, Any], before: dict[str, Any], *keys: str) -> float:
    a: Any = after
    b: Any = before
    for key in keys:
        a, b = a.get(key, {}), b.get(key, {})
    return float(a or 0) - float(b or 0)


async def counter_step(meter: Counter) -> tuple[float, float]:
    """The counter's value just after it next moves, and when. NVML's counter moves in steps
    tens of milliseconds apart: a read at a step's edge is exact to the polling interval, a
    read anywhere else lags by up to one step."""
    first = meter.read_joules()
    deadline = time.perf_counter() + STEP_TIMEOUT_SECONDS
    while True:
        await asyncio.sleep(STEP_POLL_SECONDS)
        value, now = meter.read_joules(), time.perf_counter()
        if value != first or now >= deadline:
            return value, now


async def measure_idle(meter: Counter, seconds: float) -> float:
    """Mean watts over `seconds` of quiet, read between two counter steps."""
    start, t0 = await counter_step(meter)
    await asyncio.sleep(seconds)
    end, t1 = await counter_step(meter)
    return (end - start) / (t1 - t0)


class CounterTrace:
    """The counter's steps over the run, polled from a thread (the event loop is busy typing):
    when it moves and by how much, to see how it behaves at the windows' edges."""

    def __init__(self, meter: Counter, poll_seconds: float = 0.002) -> None:
        self._meter = meter
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="counter-trace", daemon=True)
        self.steps: list[tuple[float, float]] = []

    def _run(self) -> None:
        last = None
        while not self._stop.is_set():
            value = self._meter.read_joules()
            if value != last:
                self.steps.append((time.perf_counter(), value))
                last = value
            self._stop.wait(self._poll)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def step_intervals(steps: list[tuple[float, float]]) -> dict[str, float] | None:
    """How often the counter moved: the median and longest time between two moves."""
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(steps)]
    if not gaps:
        return None
    return {"median_seconds": statistics.median(gaps), "max_seconds": max(gaps)}


async def checkpoints(
    client: Any, meter: Counter, label: str, every: float, until: float
) -> list[dict[str, float]]:
    """The server's summed window deltas and the counter, side by side every `every` seconds
    while the load runs: how the difference between them grows (a bias) or stays put (an
    offset at the edges)."""
    points = []
    while time.perf_counter() < until:
        stats = await client.call("wattcode/stats", {})
        energy = stats.get("energy", {})
        points.append(
            {
                "at": time.perf_counter(),
                "windows_joules": float(energy.get("by_meter", {}).get(label, 0.0)),
                "window_seconds": float(energy.get("window_seconds", 0.0)),
                "counter_joules": meter.read_joules(),
            }
        )
        await asyncio.sleep(every)
    return points


def interior(
    points: list[dict[str, float]], idle_watts: float, start: float, end: float
) -> dict[str, Any] | None:
    """The comparison between the first checkpoint at or after `start` and the last at or
    before `end`: the load's steady middle, without the run's two edges."""
    inside = [p for p in points if start <= p["at"] <= end]
    if len(inside) < 2:
        return None
    first, last = inside[0], inside[-1]
    result: dict[str, Any] = compare(
        last["windows_joules"] - first["windows_joules"],
        last["window_seconds"] - first["window_seconds"],
        last["counter_joules"] - first["counter_joules"],
        last["at"] - first["at"],
        idle_watts,
    )
    result["seconds"] = last["at"] - first["at"]
    result["target_met"] = target_met(result["difference_percent"])
    return result


def _position(line: int, column: int) -> dict[str, int]:
    return {"line": line, "character": column}


async def type_back_to_back(
    client: Any, uri: str, language_id: str, source: str, span: Span, deadline: float
) -> tuple[int, int]:
    """Type `span` into a fresh document, each key's request sent as soon as the previous
    one is answered (no typing rhythm); stop at `deadline`. Returns the keys typed and how
    many of their requests the server answered with an error."""
    typed = span.text(source)
    document = source[: span.start] + source[span.end :]
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": document}},
    )
    line, column, keys, errors = span.line, 0, 0, 0
    for char in typed:
        if time.perf_counter() >= deadline:
            break
        keys += 1
        position = _position(line, column)
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": keys + 1},
                "contentChanges": [{"range": {"start": position, "end": position}, "text": char}],
            },
        )
        if char == "\n":
            line, column = line + 1, 0
        else:
            column += len(char.encode("utf-16-le")) // 2
        try:
            await client.call(
                "textDocument/inlineCompletion",
                {
                    "textDocument": {"uri": uri},
                    "position": _position(line, column),
                    "context": {"triggerKind": 2},
                },
                timeout=FINAL_WAIT,
            )
        except ServerError:
            errors += 1  # counted and reported: one failed key must not end the run
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return keys, errors


async def run_back_to_back(
    client: Any, work: list[tuple[CorpusFile, str, Span]], streams: int, seconds: float
) -> tuple[int, int]:
    """`streams` documents typed at once for `seconds`, cycling through `work`: while one
    document's answer travels back and its next key travels in, another's request is queued,
    so the single model thread never waits. Each pass types a span into a new document.
    Returns the keys typed and the requests that failed."""
    deadline = time.perf_counter() + seconds
    jobs = itertools.cycle(work)
    serial = itertools.count()

    async def stream() -> tuple[int, int]:
        keys = errors = 0
        while time.perf_counter() < deadline:
            corpus_file, source, span = next(jobs)
            uri = f"file:///energy-check/{next(serial)}/{corpus_file.path.name}"
            typed, failed = await type_back_to_back(
                client, uri, corpus_file.language_id, source, span, deadline
            )
            keys, errors = keys + typed, errors + failed
        return keys, errors

    done = await asyncio.gather(*(stream() for _ in range(streams)))
    return sum(keys for keys, _ in done), sum(errors for _, errors in done)


async def run_sparse(client: LspClient, work: list[tuple[CorpusFile, str, Span]], seed: int) -> int:
    """The typing replay at a human rhythm, each span once (as `wattcode bench` types)."""
    rng = random.Random(seed)
    keys = 0
    for number, (corpus_file, source, span) in enumerate(work):
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
    return keys


def _work(args: argparse.Namespace) -> list[tuple[CorpusFile, str, Span]]:
    work = []
    loaded = [(f, text) for f in CORPUS if (text := f.load()) is not None][: args.files]
    for number, (corpus_file, source) in enumerate(loaded):
        for span in find_spans(source, args.spans, args.chars, args.seed + number):
            work.append((corpus_file, source, span))
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
    work: list[tuple[CorpusFile, str, Span]],
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

    suggestions = _delta(after, before, "suggestions")
    energy = _delta(after, before, "energy_joules")
    window_seconds = _delta(after, before, "energy", "window_seconds")
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
        "files": sorted({f.path.name for f, _, _ in work}),
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
        windows = _delta(after, before, "energy", "by_meter", meter.label)
        out.update(gpu_results(reads, windows, window_seconds, idle_before, idle_after, args))
        out["gpu"]["raw_windows_joules"] = _delta(
            after, before, "energy", "counter_joules", meter.label
        )
        out["gpu"]["tail_joules"] = _delta(after, before, "energy", "tail_joules")
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
    idle_before: float,
    idle_after: float,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The verdict over the whole run, the steady middle (back to back), what the counter
    gained while settling, and how it moved."""
    gpu = gpu_verdict(
        windows_joules,
        window_seconds,
        reads.counter_end - reads.counter_start,
        reads.ended - reads.started,
        idle_before,
        idle_after,
    )
    idle = gpu["idle_watts"]
    start = reads.started
    return {
        "idle_seconds": args.idle_seconds,
        "edge_seconds": args.edge_seconds,
        "idle_watts_before": idle_before,
        "idle_watts_after": idle_after,
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


def cpu_estimate(
    after: dict[str, Any], before: dict[str, Any], server_cpu: float
) -> dict[str, Any] | None:
    labels = [k for k in after.get("energy", {}).get("by_meter", {}) if k.startswith("CPU time")]
    if not labels:
        return None
    label = labels[0]
    watts = float(label.split("×")[1].split("W")[0])
    windows = _delta(after, before, "energy", "by_meter", label)
    whole = server_cpu * watts
    return {
        "label": label,
        "windows_joules": windows,
        "server_process_cpu_seconds": server_cpu,
        "server_process_cpu_joules": whole,
        "share_inside_windows_percent": windows / whole * 100 if whole else None,
    }


def gpu_verdict(
    windows_joules: float,
    window_seconds: float,
    counter_joules: float,
    run_seconds: float,
    idle_before: float,
    idle_after: float,
) -> dict[str, Any]:
    """The comparison against the mean of the idle floors measured before and after the run,
    with the difference that each floor alone gives beside it: how much the verdict hangs on
    the floor (a GPU warmed by the run idles a little higher)."""
    idle = (idle_before + idle_after) / 2
    result: dict[str, Any] = compare(
        windows_joules, window_seconds, counter_joules, run_seconds, idle
    )
    alone = [
        compare(windows_joules, window_seconds, counter_joules, run_seconds, watts)[
            "difference_percent"
        ]
        for watts in (idle_before, idle_after)
    ]
    result.update(
        idle_watts=idle,
        difference_percent_idle_before=alone[0],
        difference_percent_idle_after=alone[1],
        target_met=target_met(result["difference_percent"]),
        target_met_with_either_idle=all(
            target_met(d) for d in (result["difference_percent"], *alone)
        ),
    )
    return result


def _fmt(value: Any, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _gpu_lines(data: dict[str, Any], gpu: dict[str, Any]) -> list[str]:
    before, after = data["idle_watts_before"], data["idle_watts_after"]
    verdict = "met" if gpu["target_met"] else "not met"
    lines = [
        "",
        f"GPU ({data['nvml']}): idle floor {_fmt(before)} W before the replay and "
        f"{_fmt(after)} W after it ({after - before:+.2f} W of drift), each the counter's "
        f"delta over {data['idle_seconds']:g} s with the model loaded and nothing to do; the "
        f"comparison uses their mean, {_fmt(gpu['idle_watts'])} W. Over the run the GPU drew "
        f"{_fmt(gpu['run_above_idle_joules'] / data['run_seconds'])} W above it on average.",
        "",
        "| | joules |",
        "| --- | --- |",
        f"| NVML over the whole run ({data['run_seconds']:.1f} s) | "
        f"{_fmt(gpu['run_counter_joules'])} |",
        f"| … minus idle × run time | {_fmt(gpu['run_above_idle_joules'])} |",
        f"| per-suggestion GPU energies, summed | {_fmt(gpu['windows_joules'])} |",
        f"| … minus idle × window time | {_fmt(gpu['windows_above_idle_joules'])} |",
        f"| … of which short gaps' draw above idle (tails) | {_fmt(gpu.get('tail_joules'))} |",
        "",
        f"Difference above idle: **{_fmt(gpu['difference_percent'], 1)} %** (target: within "
        f"{TARGET_PERCENT:g} %: **{verdict}**). With the floor measured before the replay "
        f"alone: {_fmt(gpu['difference_percent_idle_before'], 1)} %; after it alone: "
        f"{_fmt(gpu['difference_percent_idle_after'], 1)} %. Summed windows including their "
        "idle share against the run above idle: "
        f"{_fmt(gpu['windows_incl_idle_vs_run_above_idle_percent'], 1)} %. "
        f"Server used NVML for its windows: {gpu['server_used_nvml']}.",
    ]
    middle = data.get("interior")
    if middle is not None:
        lines += [
            "",
            f"Steady middle of the load ({middle['seconds']:.1f} s between the first and last "
            "of the check's side-by-side reads of the server's sums and the counter, the first "
            f"{data.get('edge_seconds', 10):g} s left out): windows "
            f"{_fmt(middle['windows_above_idle_joules'])} J above idle against the counter's "
            f"{_fmt(middle['run_above_idle_joules'])} J: "
            f"**{_fmt(middle['difference_percent'], 1)} %**.",
        ]
    steps = data.get("counter_steps")
    lines += [
        "",
        f"In the {data['settle_seconds']:g} s after the last answer the counter gained "
        f"{_fmt(data.get('settle_above_idle_joules'))} J above idle."
        + (
            f" The counter moved every {steps['median_seconds'] * 1000:.0f} ms (median; "
            f"longest wait {steps['max_seconds'] * 1000:.0f} ms)."
            if steps
            else ""
        ),
    ]
    return lines


def markdown(data: dict[str, Any]) -> str:
    lines = [
        "# Energy check: per-suggestion energy against a whole-run counter",
        "",
        f"Produced by `{data['command']}` on {data['date']}. Load: {data['mode']}. Files: "
        f"{', '.join(data['files'])}; {data['spans']} spans, {data['keys']} keys "
        f"({data.get('failed_requests', 0)} requests failed), "
        f"{data['suggestions']:.0f} suggestions, {data['replay_seconds']:.1f} s of replay "
        f"(then {data['settle_seconds']:g} s of settling, counted in the run), "
        f"{data['window_seconds']:.1f} s inside generation windows "
        f"({data['window_coverage_percent']:.1f} % of the replay).",
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
        lines += _gpu_lines(data, gpu)
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
