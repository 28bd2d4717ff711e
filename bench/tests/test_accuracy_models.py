"""Which model each configuration's accuracy run asks (wattcode_bench/accuracy_models.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from models import paths
from models.default_model import default_model_path
from models.errors import ModelError
from models.llama_backend import LlamaBackend
from models.model_files import resolve_model_path
from models.model_table import QWEN25_CODER_15B
from models.speculative import SpeculativeModel
from wattcode_bench import accuracy
from wattcode_bench.accuracy_models import AccuracyModels
from wattcode_bench.configs import AUTO, LARGE, LARGE_SPEC, WATTCODE
from wattcode_bench.humaneval import verified_single_line_tasks

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def default() -> Iterator[tuple[LlamaBackend, Path]]:
    path = resolve_model_path(None)
    backend = LlamaBackend(path)
    yield backend, path
    backend.close()


def test_the_default_configuration_runs_on_the_bench_backend(
    default: tuple[LlamaBackend, Path],
) -> None:
    backend, path = default
    models = AccuracyModels(backend, path, gpu_layers=None)
    model = models.for_config(WATTCODE)
    assert model.model is backend
    assert model.backends == (backend,)
    assert models.for_config(WATTCODE) is model


def test_a_drafting_configuration_speculates_and_still_answers_tasks(
    default: tuple[LlamaBackend, Path],
) -> None:
    backend, path = default
    models = AccuracyModels(backend, path, gpu_layers=None)
    # The default model drafting for itself from the prompt: no second model is loaded.
    config = replace(LARGE_SPEC, name="spec-on-default", model_preset="0.5b", draft="ngram")
    model = models.for_config(config)
    assert isinstance(model.model, SpeculativeModel)
    assert model.backends == (backend,)
    tasks = verified_single_line_tasks()[:3]
    plain = accuracy.run_config(models.for_config(WATTCODE), WATTCODE, tasks)
    drafted = accuracy.run_config(model, config, tasks)
    assert [r.task_id for r in drafted.results] == [r.task_id for r in plain.results]
    assert all(r.generated_tokens > 0 for r in drafted.results)
    models.close()


def test_a_missing_large_model_is_a_clear_error(
    default: tuple[LlamaBackend, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, path = default
    monkeypatch.setenv("WATTCODE_DATA_DIR", str(tmp_path))
    models = AccuracyModels(backend, path, gpu_layers=None)
    for config in (LARGE, LARGE_SPEC):
        with pytest.raises(ModelError, match=r"wattcode model fetch 1\.5b"):
            models.for_config(config)


def test_auto_runs_on_the_model_auto_picks_here(
    default: tuple[LlamaBackend, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, path = default
    monkeypatch.setenv("WATTCODE_CACHE_DIR", str(tmp_path))  # measured afresh, not cached
    models = AccuracyModels(backend, path, gpu_layers=None)
    model = models.for_config(AUTO)
    large = default_model_path(paths.models_dir(), QWEN25_CODER_15B)
    if large.exists():  # on mains, by the measured speeds: either model
        assert isinstance(model.model, LlamaBackend)
        assert model.model.path in (path, large)
    else:  # without the 1.5B, auto keeps the default model
        assert model.model is backend
    models.close()
