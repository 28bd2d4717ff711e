"""Which model file to load for `wattcode.model.path` and `wattcode.model.preset`, and why.

- `wattcode.model.path` wins: a user's own GGUF file.
- `0.5b` (the default) and `1.5b` name an embedded model (`models/model_table.py`). A 1.5B
  that is not installed costs one message and the 0.5B serves meanwhile.
- `auto` picks by the machine. On battery: the 0.5B (about a third of the work per token).
  On mains: the 1.5B only where it decodes within `AUTO_MAX_SLOWDOWN` of the 0.5B's time per
  token, as measured on this machine (`models/calibration.py`, cached): a laptop CPU keeps
  the 0.5B, a GPU, where both take milliseconds, may take the 1.5B. Why that ratio:
  docs/models.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models import default_model, paths
from models.calibration import CalibrationCache, Speed
from models.default_model import ProgressCallback
from models.errors import ModelAssemblyError, ModelError
from models.gguf_file import check_gguf
from models.model_table import (
    PRESETS,
    QWEN25_CODER_05B,
    QWEN25_CODER_15B,
    ModelSpec,
    known_model,
)
from models.power.battery import BatteryReader, read_battery

log = logging.getLogger(__name__)

AUTO_PRESET = "auto"
PRESET_CHOICES = (AUTO_PRESET, "0.5b", "1.5b")
DEFAULT_PRESET = "0.5b"
AUTO_MAX_SLOWDOWN = 1.5
"""The 1.5B's decode time per token may be at most this many times the 0.5B's."""
SMALL, LARGE = QWEN25_CODER_05B, QWEN25_CODER_15B

Prepare = Callable[[ModelSpec, ProgressCallback | None], Path]
"""Return an embedded model's verified file, assembling it first if its wheels are installed;
raise ModelAssemblyError when it cannot."""
Measure = Callable[[ModelSpec, Path], Speed]


@dataclass(frozen=True)
class ModelChoice:
    path: Path
    spec: ModelSpec | None
    """The table's entry for the file; None for a user's own file."""
    why: str
    """One line: the setting that chose it, and for `auto` the measurements."""
    warning: str | None = None
    """Shown to the user once: the chosen model could not be used, another serves."""


@dataclass(frozen=True)
class AutoDecision:
    spec: ModelSpec
    why: str


def auto_decision(small: Speed, large: Speed) -> AutoDecision:
    """The rule on mains, from both models' measured decode speeds."""
    slowdown = small.decode_tokens_per_second / max(large.decode_tokens_per_second, 1e-9)
    measured = (
        f"the 1.5B decodes {large.decode_tokens_per_second:.1f} tok/s, {slowdown:.1f}x the "
        f"0.5B's time per token ({small.decode_tokens_per_second:.1f} tok/s)"
    )
    if slowdown <= AUTO_MAX_SLOWDOWN:
        return AutoDecision(LARGE, f"auto: {measured}, within {AUTO_MAX_SLOWDOWN}x")
    return AutoDecision(SMALL, f"auto: {measured}, over {AUTO_MAX_SLOWDOWN}x")


def is_available(spec: ModelSpec, models_dir: Path) -> bool:
    """Assembled and verified, or its wheels installed (assembling it takes seconds)."""
    if default_model.is_verified(models_dir / spec.file_name, spec):
        return True
    try:
        spec.part_paths()
    except ModelAssemblyError:
        return False
    return True


def not_installed(spec: ModelSpec) -> str:
    return (
        f"the {spec.preset.upper()} model is not installed; to use it run "
        f"`{spec.fetch_command}` (downloads {spec.size / 1e9:.1f} GB once), then reload"
    )


@dataclass(frozen=True)
class Calibrator:
    """Times a model file on this machine once: later loads read the cache (`machine`, the
    machine's key, keeps one machine's speeds from another's)."""

    measure: Measure
    cache: CalibrationCache
    machine: str

    def cached(self, spec: ModelSpec) -> Speed | None:
        return self.cache.get(self.machine, spec.sha256)

    def keep(self, spec: ModelSpec, speed: Speed) -> None:
        self.cache.put(self.machine, spec.sha256, speed)

    def measured(self, spec: ModelSpec, path: Path) -> Speed:
        """Time `spec`'s file now and keep the result."""
        speed = self.measure(spec, path)
        log.info("calibration: %s: %s", spec.label, speed.describe())
        self.keep(spec, speed)
        return speed


class ModelChooser:
    def __init__(
        self,
        models_dir: Path,
        prepare: Prepare,
        calibrator: Calibrator,
        battery: BatteryReader = read_battery,
        available: Callable[[ModelSpec], bool] | None = None,
    ) -> None:
        """`prepare` makes an embedded model's file ready, `calibrator` knows how fast each
        model runs here, `battery` says where the power comes from and `available` whether a
        model can be prepared without a download."""
        self.models_dir = models_dir
        self._prepare = prepare
        self.calibrator = calibrator
        self._battery = battery
        self._available = available or (lambda spec: is_available(spec, models_dir))

    def choose(
        self, configured: str | None, preset: str, on_progress: ProgressCallback | None = None
    ) -> ModelChoice:
        """The file to load. Raises ModelError when even the default cannot be used."""
        if configured:
            path = Path(configured).expanduser()
            check_gguf(path)
            return ModelChoice(path, known_model(path), "wattcode.model.path")
        if preset == AUTO_PRESET:
            return self._choose_auto(on_progress)
        spec = PRESETS.get(preset, SMALL)
        why = f"wattcode.model.preset: {spec.preset}"
        if spec is SMALL:
            return ModelChoice(self._prepare(SMALL, on_progress), SMALL, why)
        if not self._available(spec):
            return self._fallback(f"wattcode.model.preset is {preset}, but {not_installed(spec)}")
        try:
            return ModelChoice(self._prepare(spec, on_progress), spec, why)
        except ModelAssemblyError as exc:
            return self._fallback(f"wattcode.model.preset is {preset}, but {exc}")

    def _fallback(self, problem: str) -> ModelChoice:
        warning = f"{problem}. The 0.5B model serves meanwhile."
        return ModelChoice(self._prepare(SMALL, None), SMALL, f"0.5b: {problem}", warning)

    def _choose_auto(self, on_progress: ProgressCallback | None) -> ModelChoice:
        small_path = self._prepare(SMALL, on_progress)
        try:
            decision = self.explain_auto(measure=True, small_path=small_path)
            if decision.spec is SMALL:
                return ModelChoice(small_path, SMALL, decision.why)
            return ModelChoice(self._prepare(LARGE, on_progress), LARGE, decision.why)
        except ModelError as exc:
            return self._fallback(f"auto could not use the 1.5B: {exc}")

    def explain_auto(self, measure: bool = False, small_path: Path | None = None) -> AutoDecision:
        """What `auto` picks now and why; without `measure`, from cached measurements only
        (`wattcode doctor`), saying so when there are none yet."""
        battery = self._battery()
        if not (battery.plugged or battery.percent is None):
            return AutoDecision(SMALL, f"auto: on battery ({battery.describe()}), the 0.5B")
        if not self._available(LARGE):
            return AutoDecision(SMALL, f"auto: {not_installed(LARGE)}")
        speeds = {spec: self.calibrator.cached(spec) for spec in (SMALL, LARGE)}
        if not measure and None in speeds.values():
            return AutoDecision(
                SMALL,
                "auto: not measured on this machine yet (the first load with preset auto "
                "times each model for a few seconds); the 0.5B until then",
            )
        for spec, cached in speeds.items():
            if cached is None:
                path = small_path if spec is SMALL and small_path else self._prepare(spec, None)
                speeds[spec] = self.calibrator.measured(spec, path)
        small, large = speeds[SMALL], speeds[LARGE]
        assert small is not None and large is not None
        return auto_decision(small, large)


def calibration_cache() -> CalibrationCache:
    return CalibrationCache(paths.cache_dir() / "calibration.json")


def product_chooser(measure: Measure, machine: str) -> ModelChooser:
    """The chooser over the user's data dir: embedded models assembled there on first use."""
    models_dir = paths.models_dir()

    def prepare(spec: ModelSpec, on_progress: ProgressCallback | None) -> Path:
        return default_model.assemble(models_dir, spec, on_progress=on_progress)

    return ModelChooser(models_dir, prepare, Calibrator(measure, calibration_cache(), machine))
