"""What every energy source offers, and the outcome of looking for one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class EnergyMeter(Protocol):
    label: str
    """What is read, e.g. "RAPL package+dram", "NVML GPU 0", "CPU time × 7.5 W/core"."""
    measured: bool
    """True for a hardware counter, False for a model (an estimate)."""
    machine_wide: bool
    """The counter covers the whole machine, not this process: share it out by CPU time."""
    update_seconds: float
    """How often the counter moves; windows shorter than this may read zero."""

    def read_joules(self) -> float:
        """Cumulative joules since the meter was made (wraparound already handled)."""
        ...


def method_label(meter: EnergyMeter) -> str:
    return f"{'measured' if meter.measured else 'estimated'}: {meter.label}"


@dataclass(frozen=True)
class MeterProbe:
    """One source looked for: the meter when usable, otherwise why not."""

    source: str
    meter: EnergyMeter | None = None
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.meter is not None
