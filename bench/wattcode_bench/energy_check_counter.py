"""Reading the whole-run energy counter for the energy check: `Counter` is what the check
needs of NVML's meter (a test passes a fake); as NVML's counter moves in steps tens of
milliseconds apart, the run's edges are read just after a step (`counter_step`) and the idle
floor between two steps (`measure_idle`); while a load runs, `CounterTrace` records every step
from a thread (the event loop is busy typing), `step_intervals` says how often it moved, and
`checkpoints` reads the server's summed window energies beside the counter every few seconds."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import threading
import time
from typing import Any, Protocol

STEP_POLL_SECONDS = 0.001
STEP_TIMEOUT_SECONDS = 1.0


class Counter(Protocol):
    def read_joules(self) -> float: ...


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
