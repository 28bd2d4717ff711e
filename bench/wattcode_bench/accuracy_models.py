"""The model each configuration's accuracy run asks, each loaded once per bench run.

A configuration without `model_preset` (or naming the default model) runs on the bench's own
backend; `auto` on what `wattcode.model.preset: auto` picks on this machine; `large` on the
1.5B (`wattcode model fetch 1.5b` first); a configuration that drafts (`large-spec`) on the 1.5B
wrapped for speculative decoding as the server wraps it (`models.speculative.speculating`),
with the bench's backend as the draft model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models import paths
from models.calibration import Speed, machine_key, measure_speed
from models.default_model import default_model_path
from models.errors import ModelError
from models.llama_backend import LlamaBackend, supports_gpu_offload
from models.load_options import LoadOptions
from models.local_runner import CompletionModel
from models.model_choice import AUTO_PRESET, product_chooser
from models.model_table import PRESETS, ModelSpec
from models.speculative import speculating
from wattcode_bench.configs import BenchConfig


@dataclass(frozen=True)
class AccuracyModel:
    """What a configuration's tasks run on, and the backends whose caches a fresh run clears."""

    model: CompletionModel
    backends: tuple[LlamaBackend, ...]

    def reset(self) -> None:
        for backend in self.backends:
            backend.reset()


class AccuracyModels:
    def __init__(self, default: LlamaBackend, default_path: Path, gpu_layers: int | None) -> None:
        self.default = default
        self.default_path = default_path
        self.gpu_layers = gpu_layers
        self._backends: dict[Path, LlamaBackend] = {default_path: default}
        self._models: dict[tuple[str | None, str], AccuracyModel] = {}

    def for_config(self, config: BenchConfig) -> AccuracyModel:
        key = (config.model_preset, config.draft)
        if key not in self._models:
            self._models[key] = self._make(config)
        return self._models[key]

    def _make(self, config: BenchConfig) -> AccuracyModel:
        path = self._path(config.model_preset)
        backend = self._load(path)
        model, _ = speculating(backend, config.draft, path, lambda: self.default_path, self._load)
        drafting = model is not backend and backend is not self.default
        return AccuracyModel(model, (backend, self.default) if drafting else (backend,))

    def _path(self, preset: str | None) -> Path:
        if preset is None:
            return self.default_path
        if preset == AUTO_PRESET:
            return self._auto_path()
        spec = PRESETS[preset]
        path = default_model_path(paths.models_dir(), spec)
        if path == self.default_path or path.exists():
            return path
        raise ModelError(f"the {preset} model is not installed: wattcode model fetch {preset}")

    def _auto_path(self) -> Path:
        """What `auto` picks here, as the server picks it (measured once per machine, cached)."""

        def measure(_spec: ModelSpec, path: Path) -> Speed:
            return measure_speed(self._load(path))

        machine = machine_key(None, self.gpu_layers, supports_gpu_offload())
        return product_chooser(measure, machine).choose(None, AUTO_PRESET).path

    def _load(self, path: Path) -> LlamaBackend:
        if path not in self._backends:
            self._backends[path] = LlamaBackend(path, LoadOptions(gpu_layers=self.gpu_layers))
        return self._backends[path]

    def close(self) -> None:
        """Close what was loaded here (the bench's own backend stays with its owner)."""
        for path, backend in self._backends.items():
            if path != self.default_path:
                backend.close()
