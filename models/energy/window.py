"""Measurement windows around model work (begin/end counter reads, as Zeus does).

`EnergyMonitor.begin()` and `.end()` run on the model thread, at the two edges of one
generation (or of background work). The result says what the window cost this process, per
meter and in total, with the idle baseline beside it. Gaps between windows, when the model
thread was idle, give that baseline for free: no extra sampling, no thread. A short gap's draw
above that floor on a device meter (the GPU) is the tail of the work around it: the next window
carries it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from models.energy.attribution import (
    MIN_IDLE_GAP_SECONDS,
    attributed_joules,
    cpu_share,
    idle_joules,
    idle_watts_from_gaps,
    machine_busy_seconds,
    tail_joules,
)
from models.energy.cpu_time import CpuClock, main_thread_ids
from models.energy.meters import EnergyMeter, method_label

MAX_GAPS = 64


@dataclass(frozen=True)
class WindowStart:
    wall: float
    cpu_seconds: float
    machine_busy: float
    readings: tuple[float, ...]


@dataclass(frozen=True)
class WindowEnergy:
    """What one window cost this process."""

    joules: float
    """Attributed to this process, all meters together."""
    by_meter: dict[str, float]
    """Attributed joules per meter label."""
    counter_joules: dict[str, float]
    """The counters' raw deltas (the whole machine or device) per meter label."""
    seconds: float
    cpu_seconds: float
    share: float
    """This process's share of the machine's busy CPU time in the window."""
    idle_joules: float | None
    """Idle baseline × duration for the measured meters: reported beside, not included."""
    method: str
    tail_joules: float = 0.0
    """Included above: a device's draw above idle in the short gap before this window."""

    def plus_remote(self, joules: float, label: str) -> WindowEnergy:
        """This window with a remote server's share of the work added (an estimate, or 0 with
        a label saying it was not measured)."""
        return dataclasses.replace(
            self,
            joules=self.joules + joules,
            by_meter={**self.by_meter, "remote": joules},
            method=f"{self.method} + {label}",
        )


@dataclass
class EnergyMonitor:
    meters: Sequence[EnergyMeter]
    clock: CpuClock = field(default_factory=lambda: CpuClock(main_thread_ids()))
    busy_clock: Callable[[], float] = machine_busy_seconds
    now: Callable[[], float] = time.perf_counter
    _last_end: tuple[float, tuple[float, ...]] | None = None
    _idle_gaps: list[tuple[tuple[float, ...], float]] = field(default_factory=list)
    """Per-meter counter deltas and seconds of the latest gaps long enough to show idle
    (kept apart: under sustained load thousands of short gaps would push them out)."""
    _device_idle: dict[int, float | None] = field(default_factory=dict)
    """Each device meter's idle floor (by meter index), recomputed only when a long gap comes."""
    _tails: dict[str, float] = field(default_factory=dict)
    """Per device meter: short gaps' draw above idle not yet charged to a window. It goes
    below zero when the counter stepped inside windows instead; it is charged when positive,
    so no window reads negative and the sum stays right."""
    idle_watts: float | None = None
    """The idle floor of the measured meters, once a long enough gap was seen."""

    @property
    def method(self) -> str:
        return " + ".join(method_label(m) for m in self.meters)

    def _needs_share(self) -> bool:
        return any(m.machine_wide for m in self.meters)

    def _read_counters(self) -> tuple[float, tuple[float, ...]]:
        """The counters, stamped with the middle of the time their reads took: an NVML read
        took ~3 ms on an H200, so a stamp before or after it would put the idle share (idle
        watts times window time) on a different interval than the counter's."""
        before = self.now()
        readings = tuple(m.read_joules() for m in self.meters)
        return (before + self.now()) / 2, readings

    def begin(self) -> WindowStart:
        # The hardware counters are read first here and last in end(): the CPU-time reads scan
        # /proc per thread (about a millisecond), and a counter interval narrower than the
        # window would leave that time in no window at all (back-to-back windows must tile).
        wall, readings = self._read_counters()
        start = WindowStart(
            wall=wall,
            cpu_seconds=self.clock.seconds(),
            machine_busy=self.busy_clock() if self._needs_share() else 0.0,
            readings=readings,
        )
        self._note_gap(start)
        return start

    def _note_gap(self, start: WindowStart) -> None:
        if self._last_end is None:
            return
        ended, readings = self._last_end
        seconds = start.wall - ended
        deltas = tuple(now - before for before, now in zip(readings, start.readings, strict=True))
        if seconds >= MIN_IDLE_GAP_SECONDS:
            self._idle_gaps.append((deltas, seconds))
            del self._idle_gaps[:-MAX_GAPS]
            measured = [i for i, m in enumerate(self.meters) if m.measured]
            if measured:
                self.idle_watts = idle_watts_from_gaps(
                    (sum(d[i] for i in measured), s) for d, s in self._idle_gaps
                )
            # Only a device's counter has tails: a machine-wide one's short gaps hold other
            # programs' work, which this process's CPU-time share cannot split.
            self._device_idle = {
                i: idle_watts_from_gaps((d[i], s) for d, s in self._idle_gaps)
                for i, m in enumerate(self.meters)
                if m.measured and not m.machine_wide
            }
            return
        for i, idle in self._device_idle.items():  # per keystroke: no median recomputed here
            label = self.meters[i].label
            self._tails[label] = self._tails.get(label, 0.0) + tail_joules(deltas[i], seconds, idle)

    def _charge_tails(self) -> dict[str, float]:
        charged = {label: max(0.0, joules) for label, joules in self._tails.items()}
        for label, joules in charged.items():
            self._tails[label] -= joules
        return charged

    def end(self, start: WindowStart) -> WindowEnergy:
        cpu = self.clock.seconds() - start.cpu_seconds
        busy = self.busy_clock() - start.machine_busy if self._needs_share() else 0.0
        wall, readings = self._read_counters()
        share = cpu_share(cpu, busy)
        counters: dict[str, float] = {}
        by_meter: dict[str, float] = {}
        tail = self._charge_tails()
        for meter, before, after in zip(self.meters, start.readings, readings, strict=True):
            counters[meter.label] = after - before
            by_meter[meter.label] = attributed_joules(
                after - before, meter.machine_wide, share
            ) + tail.get(meter.label, 0.0)
        self._last_end = (wall, readings)
        seconds = wall - start.wall
        return WindowEnergy(
            joules=sum(by_meter.values()),
            by_meter=by_meter,
            counter_joules=counters,
            seconds=seconds,
            cpu_seconds=cpu,
            share=share,
            idle_joules=idle_joules(self.idle_watts, seconds),
            method=self.method,
            tail_joules=sum(tail.values()),
        )
