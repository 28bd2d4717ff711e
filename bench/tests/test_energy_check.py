"""The energy check's comparison, idle reads, back-to-back typing and report (the GPU run
itself needs NVML hardware)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from wattcode_bench.corpus import CorpusFile
from wattcode_bench.energy_check_comparison import (
    IdleFloors,
    Readings,
    compare,
    gpu_verdict,
    interior,
    percent_difference,
    target_met,
)
from wattcode_bench.energy_check_counter import measure_idle, step_intervals
from wattcode_bench.energy_check_loads import run_back_to_back, type_back_to_back
from wattcode_bench.energy_check_markdown import markdown
from wattcode_bench.typing_replay import Span, SpanInFile


def test_compare_takes_the_idle_baseline_off_both_sides() -> None:
    # 60 s run at 70 W idle; 10 s of windows that drew 1,000 J in all.
    readings = Readings(
        windows_joules=1000.0, window_seconds=10.0, counter_joules=4500.0, run_seconds=60.0
    )
    result = compare(readings, idle_watts=70.0)
    assert result["windows_above_idle_joules"] == pytest.approx(300.0)
    assert result["run_above_idle_joules"] == pytest.approx(300.0)
    assert result["difference_percent"] == pytest.approx(0.0)
    assert percent_difference(1.0, 0.0) is None


def test_verdict_uses_the_mean_idle_floor_and_shows_each_floor_alone() -> None:
    # 100 s run, 90 s of windows; floors of 99 W before and 101 W after (mean 100 W).
    result = gpu_verdict(Readings(9600.0, 90.0, 10650.0, 100.0), IdleFloors(99.0, 101.0))
    assert result["idle_watts"] == pytest.approx(100.0)
    assert result["windows_above_idle_joules"] == pytest.approx(600.0)
    assert result["run_above_idle_joules"] == pytest.approx(650.0)
    assert result["difference_percent"] == pytest.approx((600 - 650) / 650 * 100)
    assert result["target_met"] is False  # -7.7 %
    assert result["difference_percent_idle_before"] == pytest.approx((690 - 750) / 750 * 100)
    assert result["difference_percent_idle_after"] == pytest.approx((510 - 550) / 550 * 100)
    assert target_met(-5.0) and target_met(4.9) and not target_met(None)


def _report_data() -> dict[str, Any]:
    return {
        "command": "python -m wattcode_bench.energy_check --out x",
        "date": "2026-01-01",
        "mode": "sparse",
        "config": "wattcode",
        "files": ["textwrap.py"],
        "spans": 1,
        "keys": 10,
        "suggestions": 8.0,
        "replay_seconds": 4.0,
        "settle_seconds": 1.0,
        "run_seconds": 5.0,
        "window_seconds": 2.0,
        "window_coverage_percent": 50.0,
        "server_method": "measured: NVML GPU 0",
        "per_suggestion_energy_sum_joules": 4.0,
        "joules_per_suggestion": 0.5,
        "nvml": "NVML GPU 0",
        "nvml_reason": "",
        "idle_seconds": 30.0,
        "idle_watts_before": 69.0,
        "idle_watts_after": 71.0,
    }


def test_report_names_the_gpu_result_or_why_it_is_missing() -> None:
    base = _report_data()
    verdict = gpu_verdict(Readings(250.0, 2.0, 480.0, 5.0), IdleFloors(69.0, 71.0))
    gpu = {**verdict, "server_used_nvml": True}
    text = markdown({**base, "gpu": gpu})
    assert "Difference above idle: **-15.4 %** (target: within 5 %: **not met**)" in text
    assert "69.00 W before the replay and 71.00 W after it (+2.00 W of drift)" in text
    assert "(50.0 % of the replay)" in text
    missing = markdown({**base, "nvml_reason": "nvidia-ml-py is not installed"})
    assert "No NVML counter on this machine (nvidia-ml-py is not installed)" in missing


class SteppedCounter:
    """A counter that moves only every `step` seconds, like NVML's, at a constant power."""

    def __init__(self, watts: float, step: float) -> None:
        self.watts, self.step = watts, step
        self.origin = time.perf_counter()

    def read_joules(self) -> float:
        elapsed = time.perf_counter() - self.origin
        return (elapsed // self.step) * self.step * self.watts


def test_idle_is_read_between_counter_steps() -> None:
    # Reads anywhere but at a step's edge would lag by up to a step (a 25 % error here).
    watts = asyncio.run(measure_idle(SteppedCounter(100.0, 0.05), 0.2))
    assert watts == pytest.approx(100.0, rel=0.1)


class FakeClient:
    """Answers every request at once and records what the check sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    def notify(self, method: str, params: Any) -> None:
        self.sent.append((method, params))

    async def call(self, method: str, params: Any, timeout: float = 600) -> Any:
        assert timeout > 0
        self.sent.append((method, params))
        await asyncio.sleep(0)
        return {"items": []}


def test_back_to_back_types_each_key_once_answered_across_documents() -> None:
    source = "def f():\n    return 1\n"
    span = Span(start=9, end=21, line=1)  # "    return 1", from the line's start
    corpus_file = CorpusFile("Python", "python", Path("/x/f.py"), "", "")
    target = SpanInFile(corpus_file, source, span)
    client = FakeClient()
    deadline = time.perf_counter() + 60
    keys, errors = asyncio.run(type_back_to_back(client, "file:///a", target, deadline))
    assert (keys, errors) == (len("    return 1"), 0)
    methods = [method for method, _ in client.sent]
    assert methods[0] == "textDocument/didOpen" and methods[-1] == "textDocument/didClose"
    assert client.sent[0][1]["textDocument"]["text"] == "def f():\n\n"
    requests = [params for method, params in client.sent if method.endswith("inlineCompletion")]
    assert requests[-1]["position"] == {"line": 1, "character": 12}
    assert keys == len(requests)

    # Streams cycle through the spans, each pass in a new document, until the time is up.
    client = FakeClient()
    keys, errors = asyncio.run(run_back_to_back(client, [target], 2, 0.05))
    opened = [p["textDocument"]["uri"] for m, p in client.sent if m == "textDocument/didOpen"]
    assert len(opened) == len(set(opened)) >= 2
    assert keys == sum(1 for m, _ in client.sent if m.endswith("inlineCompletion"))
    assert errors == 0


def test_typing_energy_sums_the_servers_deltas_per_span() -> None:
    from types import SimpleNamespace  # noqa: PLC0415

    from wattcode_bench.energy_report import energy_section, typing_energy  # noqa: PLC0415

    spans = [
        SimpleNamespace(
            stats_before={"energy_joules": 1.0, "saved_joules_estimate": 0.0},
            stats_after={
                "energy_joules": 2.0,
                "saved_joules_estimate": 0.5,
                "energy_method": "m",
                "energy": {"idle_joules": 0.25},
            },
        ),
        SimpleNamespace(
            stats_before={
                "energy_joules": 2.5,
                "saved_joules_estimate": 0.5,
                "energy": {"idle_joules": 0.25},
            },
            stats_after={
                "energy_joules": 4.5,
                "saved_joules_estimate": 1.5,
                "energy_method": "m",
                "energy": {"idle_joules": 1.0},
            },
        ),
    ]
    energy = typing_energy(spans, suggestions=6)
    assert energy["energy_joules"] == pytest.approx(3.0)
    assert energy["energy_joules_per_suggestion"] == pytest.approx(0.5)
    assert energy["saved_joules_estimate"] == pytest.approx(1.5)
    assert energy["idle_joules"] == pytest.approx(1.0)
    assert "| wattcode | 0.500 | 3.0 | 1.0 | 1.5 | m |" in energy_section(
        {"configs": {"wattcode": energy}}
    )


def test_the_steady_middle_leaves_the_edges_out() -> None:
    points = [
        {"at": t, "windows_joules": 150.0 * t, "window_seconds": t, "counter_joules": 150.0 * t}
        for t in (0.0, 5.0, 10.0, 15.0, 20.0)
    ]
    points[0]["counter_joules"] = -400.0  # a stale read at the start: outside the middle
    middle = interior(points, idle_watts=100.0, start=5.0, end=20.0)
    assert middle is not None
    assert middle["seconds"] == pytest.approx(15.0)
    assert middle["difference_percent"] == pytest.approx(0.0)
    assert middle["target_met"] is True
    assert interior(points, 100.0, start=19.0, end=20.0) is None
    assert step_intervals([(0.0, 0.0), (0.02, 1.0), (0.1, 2.0)]) == {
        "median_seconds": pytest.approx(0.05),
        "max_seconds": pytest.approx(0.08),
    }
