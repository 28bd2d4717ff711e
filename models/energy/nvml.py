"""NVIDIA GPUs through NVML (nvidia-ml-py): the board's cumulative energy counter, in mJ.

`nvmlDeviceGetTotalEnergyConsumption` exists on Volta and newer, needs no root, and counts the
whole device (every process on it). It moves every ~20–100 ms, so a shorter window can read
zero; summed over many windows the rounding evens out. The library is imported lazily and can
be injected, so that machines without it (and tests) never need it.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

from models.energy.meters import MeterProbe

log = logging.getLogger(__name__)

SOURCE = "NVML"
UPDATE_SECONDS = 0.1


def _load_nvml() -> Any:
    return importlib.import_module("pynvml")


def visible_device_index(environ: dict[str, str] | None = None) -> int:
    """NVML numbers every GPU; CUDA (and so llama.cpp) uses the first of CUDA_VISIBLE_DEVICES."""
    env = os.environ if environ is None else environ
    first = env.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip()
    return int(first) if first.isdigit() else 0


class NvmlMeter:
    measured = True
    machine_wide = False
    """The GPU is counted whole while it works for us (as codecarbon does): GPU time cannot be
    split by this process's CPU time."""
    update_seconds = UPDATE_SECONDS

    def __init__(self, nvml: Any, handle: Any, index: int) -> None:
        self._nvml = nvml
        self._handle = handle
        self._start_mj = int(nvml.nvmlDeviceGetTotalEnergyConsumption(handle))
        self.index = index
        self.label = f"{SOURCE} GPU {index}"

    def read_joules(self) -> float:
        now = int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(self._handle))
        return (now - self._start_mj) / 1000


def probe_nvml(nvml: Any = None, index: int | None = None) -> MeterProbe:
    """Open the GPU that CUDA uses first; `nvml` replaces the pynvml module in tests."""
    try:
        module = nvml if nvml is not None else _load_nvml()
    except ImportError:
        return MeterProbe(SOURCE, reason="nvidia-ml-py is not installed")
    index = visible_device_index() if index is None else index
    try:
        module.nvmlInit()
        count = int(module.nvmlDeviceGetCount())
        if index >= count:
            return MeterProbe(SOURCE, reason=f"GPU {index} not found ({count} NVIDIA GPUs)")
        handle = module.nvmlDeviceGetHandleByIndex(index)
        return MeterProbe(SOURCE, meter=NvmlMeter(module, handle, index))
    except Exception as exc:  # noqa: BLE001 - NVMLError subclasses per failure, all mean "no"
        return MeterProbe(SOURCE, reason=f"NVML unavailable: {exc or type(exc).__name__}")
