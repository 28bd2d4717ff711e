"""Which model file the settings choose: path over preset, a missing 1.5B, and `auto`'s rule
from measured speeds and the power source (models/model_choice.py, models/calibration.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.calibration import CalibrationCache, Speed
from models.default_model import ProgressCallback
from models.errors import ModelAssemblyError
from models.model_choice import AUTO_MAX_SLOWDOWN, Calibrator, ModelChooser, auto_decision
from models.model_table import QWEN25_CODER_05B, QWEN25_CODER_15B, ModelSpec
from models.power.battery import NO_BATTERY, BatteryState

SMALL, LARGE = QWEN25_CODER_05B, QWEN25_CODER_15B


def speed(decode: float) -> Speed:
    return Speed(decode_tokens_per_second=decode, prompt_tokens_per_second=10 * decode)


class Machine:
    """Placeholder model files, a battery and a stopwatch of known speeds."""

    def __init__(self, tmp_path: Path, large_installed: bool, speeds: dict[str, float]) -> None:
        self.models = tmp_path / "models"
        self.models.mkdir()
        self.large_installed = large_installed
        self.speeds = speeds
        self.battery = NO_BATTERY
        self.measured: list[str] = []
        self.cache = CalibrationCache(tmp_path / "cache" / "calibration.json")

    def prepare(self, spec: ModelSpec, _progress: ProgressCallback | None) -> Path:
        if spec is LARGE and not self.large_installed:
            raise ModelAssemblyError("not installed")
        path = self.models / spec.file_name
        path.write_bytes(b"GGUF\x03\x00\x00\x00")
        return path

    def measure(self, spec: ModelSpec, _path: Path) -> Speed:
        self.measured.append(spec.preset)
        return speed(self.speeds[spec.preset])

    def chooser(self) -> ModelChooser:
        return ModelChooser(
            self.models,
            self.prepare,
            Calibrator(self.measure, self.cache, "machine-1"),
            battery=lambda: self.battery,
            available=lambda spec: spec is SMALL or self.large_installed,
        )


@pytest.fixture
def cpu(tmp_path: Path) -> Machine:
    """A 2-core laptop: the 1.5B decodes 2.6x slower (measured here: 17.5 vs 6.7 tok/s)."""
    return Machine(tmp_path, large_installed=True, speeds={"0.5b": 17.5, "1.5b": 6.7})


def test_the_path_wins_over_any_preset(cpu: Machine, tmp_path: Path) -> None:
    own = tmp_path / "mine.gguf"
    own.write_bytes(b"GGUF\x03\x00\x00\x00")
    choice = cpu.chooser().choose(str(own), "1.5b")
    assert choice.path == own and choice.spec is None and choice.why == "wattcode.model.path"


@pytest.mark.parametrize(("preset", "spec"), [("0.5b", SMALL), ("1.5b", LARGE)])
def test_a_size_preset_names_its_model(cpu: Machine, preset: str, spec: ModelSpec) -> None:
    choice = cpu.chooser().choose(None, preset)
    assert choice.spec is spec and choice.path.name == spec.file_name
    assert choice.warning is None and cpu.measured == []


def test_a_missing_large_model_says_how_to_fetch_it_and_the_small_one_serves(
    tmp_path: Path,
) -> None:
    machine = Machine(tmp_path, large_installed=False, speeds={})
    choice = machine.chooser().choose(None, "1.5b")
    assert choice.spec is SMALL
    assert choice.warning is not None
    assert "`wattcode model fetch 1.5b`" in choice.warning
    assert "0.5B model serves meanwhile" in choice.warning


class BrokenLarge(Machine):
    def prepare(self, spec: ModelSpec, progress: ProgressCallback | None) -> Path:
        if spec is LARGE:
            raise ModelAssemblyError("its parts do not add up")
        return super().prepare(spec, progress)


def test_a_large_model_that_fails_to_assemble_falls_back_with_the_reason(tmp_path: Path) -> None:
    machine = BrokenLarge(tmp_path, large_installed=True, speeds={})
    choice = machine.chooser().choose(None, "1.5b")
    assert choice.spec is SMALL and choice.warning and "do not add up" in choice.warning


def test_auto_on_a_slow_cpu_keeps_the_small_model_and_caches_the_measurements(
    cpu: Machine,
) -> None:
    choice = cpu.chooser().choose(None, "auto")
    assert choice.spec is SMALL and choice.warning is None
    assert "2.6x" in choice.why and f"over {AUTO_MAX_SLOWDOWN}x" in choice.why
    assert sorted(cpu.measured) == ["0.5b", "1.5b"]
    again = cpu.chooser().choose(None, "auto")
    assert again.spec is SMALL and sorted(cpu.measured) == ["0.5b", "1.5b"]  # from the cache


def test_auto_takes_the_large_model_where_it_is_nearly_as_fast(tmp_path: Path) -> None:
    gpu = Machine(tmp_path, large_installed=True, speeds={"0.5b": 300.0, "1.5b": 230.0})
    choice = gpu.chooser().choose(None, "auto")
    assert choice.spec is LARGE and "within 1.5x" in choice.why


def test_auto_on_battery_takes_the_small_model_without_measuring(tmp_path: Path) -> None:
    gpu = Machine(tmp_path, large_installed=True, speeds={"0.5b": 300.0, "1.5b": 230.0})
    gpu.battery = BatteryState(percent=80.0, plugged=False)
    choice = gpu.chooser().choose(None, "auto")
    assert choice.spec is SMALL and "on battery" in choice.why and gpu.measured == []


def test_auto_without_the_large_model_takes_the_small_one(tmp_path: Path) -> None:
    machine = Machine(tmp_path, large_installed=False, speeds={"0.5b": 17.5})
    choice = machine.chooser().choose(None, "auto")
    assert choice.spec is SMALL and choice.warning is None
    assert "wattcode model fetch 1.5b" in choice.why and machine.measured == []


def test_doctor_explains_auto_from_the_cache_only(cpu: Machine) -> None:
    before = cpu.chooser().explain_auto()
    assert before.spec is SMALL and "not measured on this machine yet" in before.why
    assert cpu.measured == []
    cpu.chooser().choose(None, "auto")
    assert "2.6x" in cpu.chooser().explain_auto().why


def test_the_cache_is_per_machine(cpu: Machine) -> None:
    cpu.chooser().choose(None, "auto")
    assert cpu.cache.get("machine-1", SMALL.sha256) == speed(17.5)
    assert cpu.cache.get("another machine", SMALL.sha256) is None


@pytest.mark.parametrize(
    ("small", "large", "expected"),
    [(47.0, 18.0, SMALL), (100.0, 66.7, LARGE), (100.0, 66.0, SMALL)],
)
def test_the_auto_rule_is_the_ratio_of_time_per_token(
    small: float, large: float, expected: ModelSpec
) -> None:
    assert auto_decision(speed(small), speed(large)).spec is expected
