"""Energy meters with fakes: a fake powercap tree and a fake NVML module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from models.energy.apple_silicon import probe_apple_silicon
from models.energy.cpu_time import (
    DEFAULT_WATTS_PER_CORE,
    CpuTimeMeter,
    probe_cpu_time,
    watts_per_core,
)
from models.energy.nvml import probe_nvml, visible_device_index
from models.energy.rapl import counter_delta, probe_rapl
from models.energy.selection import choose_meters


def zone(root: Path, name: str, kind: str, energy: int, max_range: int | None = 1000) -> Path:
    path = root / name
    path.mkdir(parents=True)
    (path / "name").write_text(kind + "\n")
    (path / "energy_uj").write_text(f"{energy}\n")
    if max_range is not None:
        (path / "max_energy_range_uj").write_text(f"{max_range}\n")
    return path


def set_energy(path: Path, energy: int) -> None:
    (path / "energy_uj").write_text(f"{energy}\n")


def test_counter_delta_handles_wraparound() -> None:
    assert counter_delta(100, 250, 1000) == 150
    assert counter_delta(900, 50, 1000) == 150
    assert counter_delta(900, 50, None) == 0  # unknown range: no guess


def test_rapl_sums_package_and_dram_only(tmp_path: Path) -> None:
    package = zone(tmp_path, "intel-rapl:0", "package-0", 1_000_000, 10**9)
    dram = zone(tmp_path, "intel-rapl:0:2", "dram", 500_000, 10**9)
    core = zone(tmp_path, "intel-rapl:0:0", "core", 0, 10**9)
    psys = zone(tmp_path, "intel-rapl:1", "psys", 0, 10**9)
    probe = probe_rapl(tmp_path)
    assert probe.meter is not None
    assert probe.meter.label == "RAPL package+dram"
    assert probe.meter.read_joules() == 0
    set_energy(package, 3_000_000)
    set_energy(dram, 1_000_000)
    set_energy(core, 9_000_000)  # part of the package: must not be added
    set_energy(psys, 9_000_000)  # the whole platform: must not be added
    assert probe.meter.read_joules() == pytest.approx(2.5)


def test_rapl_wraparound_between_reads(tmp_path: Path) -> None:
    package = zone(tmp_path, "intel-rapl:0", "package-0", 900, 1000)
    meter = probe_rapl(tmp_path).meter
    assert meter is not None
    set_energy(package, 100)
    assert meter.read_joules() == pytest.approx(200e-6)
    set_energy(package, 400)
    assert meter.read_joules() == pytest.approx(500e-6)


def test_rapl_without_dram_says_package_only(tmp_path: Path) -> None:
    zone(tmp_path, "intel-rapl:0", "package-0", 5)
    zone(tmp_path, "intel-rapl:1", "package-1", 5)
    meter = probe_rapl(tmp_path).meter
    assert meter is not None and meter.label == "RAPL package"


def test_rapl_permission_denied_is_not_available(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone(tmp_path, "intel-rapl:0", "package-0", 5)
    original = Path.read_text

    def deny(self: Path, *args: Any, **kwargs: Any) -> str:
        if self.name == "energy_uj":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", deny)
    probe = probe_rapl(tmp_path)
    assert probe.meter is None
    assert "not readable" in probe.reason and "intel-rapl:0" in probe.reason


def test_rapl_missing_tree_or_domains(tmp_path: Path) -> None:
    assert "no powercap directory" in probe_rapl(tmp_path / "absent").reason
    zone(tmp_path, "intel-rapl:0:0", "core", 5)
    assert "no RAPL package zone" in probe_rapl(tmp_path).reason


def test_rapl_zone_without_max_range_still_counts_forward(tmp_path: Path) -> None:
    package = zone(tmp_path, "intel-rapl:0", "package-0", 100, max_range=None)
    meter = probe_rapl(tmp_path).meter
    assert meter is not None
    set_energy(package, 1_100_100)
    assert meter.read_joules() == pytest.approx(1.1)


class FakeNvml:
    """The subset of pynvml that wattcode calls; energy in millijoules."""

    class NVMLError(Exception):
        pass

    def __init__(self, count: int = 1, fail_init: bool = False) -> None:
        self.count = count
        self.fail_init = fail_init
        self.energy_mj = dict.fromkeys(range(count), 1_000_000)

    def nvmlInit(self) -> None:  # noqa: N802 - pynvml's names
        if self.fail_init:
            raise self.NVMLError("Driver Not Loaded")

    def nvmlDeviceGetCount(self) -> int:  # noqa: N802
        return self.count

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:  # noqa: N802
        return index

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: int) -> int:  # noqa: N802
        return self.energy_mj[handle]

    def nvmlDeviceGetPowerUsage(self, handle: int) -> int:  # noqa: N802
        return 72_500 + handle


def test_nvml_reads_the_device_counter_in_joules() -> None:
    nvml = FakeNvml(count=2)
    probe = probe_nvml(nvml, index=1)
    assert probe.meter is not None and probe.meter.label == "NVML GPU 1"
    nvml.energy_mj[1] += 2_500
    nvml.energy_mj[0] += 99_000  # another GPU's work is not ours
    assert probe.meter.read_joules() == pytest.approx(2.5)


def test_nvml_missing_driver_or_device() -> None:
    assert "Driver Not Loaded" in probe_nvml(FakeNvml(fail_init=True)).reason
    assert "GPU 3 not found" in probe_nvml(FakeNvml(count=1), index=3).reason


def test_nvml_follows_cuda_visible_devices() -> None:
    assert visible_device_index({"CUDA_VISIBLE_DEVICES": "2,3"}) == 2
    assert visible_device_index({}) == 0
    assert visible_device_index({"CUDA_VISIBLE_DEVICES": "GPU-abc"}) == 0


class FakeClock:
    def __init__(self) -> None:
        self.value = 10.0

    def seconds(self) -> float:
        return self.value


def test_cpu_time_model_is_labelled_an_estimate() -> None:
    clock = FakeClock()
    probe = probe_cpu_time(clock, "AMD EPYC 7763 64-Core Processor")  # type: ignore[arg-type]
    meter = probe.meter
    assert isinstance(meter, CpuTimeMeter)
    assert not meter.measured
    assert meter.label == "CPU time × 4.5 W/core"
    clock.value += 2.0
    assert meter.read_joules() == pytest.approx(9.0)


def test_watts_per_core_table_and_default() -> None:
    assert watts_per_core("Intel(R) Core(TM) i7-1165G7 @ 2.80GHz")[0] == 7.5  # G7: no U suffix
    assert watts_per_core("Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz")[0] == 3.75
    assert watts_per_core("Intel(R) Xeon(R) Gold 6248 CPU")[0] == 7.0
    assert watts_per_core("some new chip") == (DEFAULT_WATTS_PER_CORE, "default for an unknown CPU")


def test_selection_prefers_rapl_then_adds_nvml_for_gpu_work(tmp_path: Path) -> None:
    zone(tmp_path, "intel-rapl:0", "package-0", 5)
    clock: Any = FakeClock()
    choice = choose_meters(gpu_in_use=True, powercap_root=tmp_path, nvml=FakeNvml(), clock=clock)
    assert [m.label for m in choice.meters] == ["RAPL package", "NVML GPU 0"]
    cpu_only = choose_meters(
        gpu_in_use=False, powercap_root=tmp_path / "none", nvml=FakeNvml(), clock=clock
    )
    assert [m.measured for m in cpu_only.meters] == [False]
    reasons = {p.source: p.reason for p in cpu_only.probes}
    assert "CPU-only build" in reasons["NVML"]
    assert "no powercap directory" in reasons["RAPL"]
    assert reasons["Apple Silicon"]  # never silently "available"


def test_apple_silicon_says_it_is_untested() -> None:
    probe = probe_apple_silicon()
    assert probe.meter is None and probe.reason
