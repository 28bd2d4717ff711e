"""The fallback: this process's CPU time × watts per busy core. An estimate, labelled so.

codecarbon's own comparison puts such load-based estimates 38 % off RAPL on average, so the
figure is for orders of magnitude and comparisons between configurations, not for billing.
Watts per busy core come from a small table of CPU families (the family's typical TDP divided
by its cores), else a conservative 7.5 W.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from pathlib import Path

import psutil

from models.energy.meters import MeterProbe

log = logging.getLogger(__name__)

SOURCE = "CPU time"
DEFAULT_WATTS_PER_CORE = 7.5
CPUINFO = Path("/proc/cpuinfo")

# (pattern on the CPU model name, watts per busy core, the example it was derived from)
WATTS_PER_CORE: tuple[tuple[str, float, str], ...] = (
    (r"EPYC", 4.5, "EPYC 7763: 280 W TDP / 64 cores"),
    (r"Xeon", 7.0, "Xeon Gold 6248: 150 W / 20 cores; Platinum 8380: 270 W / 40"),
    (r"Core.*i[3579]-\d{4,5}U\b", 3.75, "Core i5-8250U: 15 W / 4 cores"),
    (r"Core.*i[3579]-\d{4,5}H", 5.6, "Core i7-11800H: 45 W / 8 cores"),
    (r"Ryzen.*\d{4}U\b", 3.0, "Ryzen 7 7730U: 15–28 W / 8 cores"),
    (r"Ryzen.*\d{4}H", 5.6, "Ryzen 9 7940HS: 45 W / 8 cores"),
    (r"Ryzen.*\d{4}(X|X3D)?\b", 13.0, "Ryzen 7 5800X: 105 W / 8 cores"),
)


def cpu_model_name(cpuinfo: Path = CPUINFO) -> str:
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def watts_per_core(model_name: str) -> tuple[float, str]:
    """The table's figure for this CPU and why; the default when nothing matches."""
    for pattern, watts, example in WATTS_PER_CORE:
        if re.search(pattern, model_name):
            return watts, example
    return DEFAULT_WATTS_PER_CORE, "default for an unknown CPU"


class CpuClock:
    """CPU seconds this process spent, less the threads that are not model work.

    llama.cpp computes on a pool of its own threads, so the model's CPU time is not one
    thread's: it is the process's, minus the event-loop thread (LSP traffic, caches).
    """

    def __init__(self, exclude_thread_ids: frozenset[int] = frozenset()) -> None:
        self._process = psutil.Process()
        self._exclude = exclude_thread_ids

    def seconds(self) -> float:
        times = self._process.cpu_times()
        total = times.user + times.system
        if self._exclude:
            # Per-thread times need privileges on some systems: then the process is counted.
            with contextlib.suppress(psutil.Error):
                total -= sum(
                    t.user_time + t.system_time
                    for t in self._process.threads()
                    if t.id in self._exclude
                )
        return total


def main_thread_ids() -> frozenset[int]:
    native = threading.main_thread().native_id
    return frozenset() if native is None else frozenset({native})


class CpuTimeMeter:
    measured = False
    machine_wide = False
    update_seconds = 0.0

    def __init__(self, clock: CpuClock, watts: float, basis: str = "") -> None:
        self._clock = clock
        self._start = clock.seconds()
        self.watts = watts
        self.basis = basis
        self.label = f"{SOURCE} × {watts:g} W/core"

    def read_joules(self) -> float:
        return (self._clock.seconds() - self._start) * self.watts


def probe_cpu_time(clock: CpuClock | None = None, model_name: str | None = None) -> MeterProbe:
    name = cpu_model_name() if model_name is None else model_name
    watts, basis = watts_per_core(name)
    return MeterProbe(
        SOURCE, meter=CpuTimeMeter(clock or CpuClock(main_thread_ids()), watts, basis)
    )
