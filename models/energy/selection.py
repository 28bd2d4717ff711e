"""Pick the meters, best first: RAPL or else the CPU-time model for the CPU side; NVML for the
GPU when the model runs on one; Apple Silicon is looked for and reported as not implemented."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.energy.apple_silicon import probe_apple_silicon
from models.energy.cpu_time import CpuClock, main_thread_ids, probe_cpu_time
from models.energy.meters import EnergyMeter, MeterProbe
from models.energy.nvml import probe_nvml
from models.energy.rapl import POWERCAP_ROOT, probe_rapl
from models.energy.window import EnergyMonitor


@dataclass(frozen=True)
class MeterChoice:
    meters: tuple[EnergyMeter, ...]
    probes: tuple[MeterProbe, ...]
    """Every source looked for, used or not, with the reason when not."""
    clock: CpuClock


def choose_meters(
    *,
    gpu_in_use: bool,
    powercap_root: Path = POWERCAP_ROOT,
    nvml: Any = None,
    clock: CpuClock | None = None,
    cpu_model_name: str | None = None,
) -> MeterChoice:
    """`powercap_root` and `nvml` are injectable so that tests use a fake tree and fake NVML."""
    clock = clock or CpuClock(main_thread_ids())
    rapl = probe_rapl(powercap_root)
    apple = probe_apple_silicon()
    cpu_model = probe_cpu_time(clock, cpu_model_name)
    if gpu_in_use:
        gpu = probe_nvml(nvml)
    else:
        gpu = MeterProbe("NVML", reason="the model does not run on a GPU (CPU-only build)")
    cpu_side = rapl if rapl.meter is not None else cpu_model
    meters = [m for m in (cpu_side.meter, gpu.meter) if m is not None]
    return MeterChoice(tuple(meters), (rapl, gpu, apple, cpu_model), clock)


def make_monitor(choice: MeterChoice) -> EnergyMonitor:
    return EnergyMonitor(choice.meters, clock=choice.clock)
