"""`auto`'s measurement on the real default model: it runs on `LlamaBackend` as it is, and
leaves the model's cache empty for the suggestions after it."""

from __future__ import annotations

import pytest

from models.calibration import measure_speed
from models.cancellation import CancelToken
from models.generation import WorkMeter
from models.llama_backend import LlamaBackend
from models.model_files import resolve_model_path

pytestmark = pytest.mark.model


def test_measures_the_default_model_and_leaves_its_cache_empty() -> None:
    model = LlamaBackend(resolve_model_path(None))
    try:
        speed = measure_speed(model, seconds=0.5)
        assert speed.decode_tokens_per_second > 1.0
        assert speed.prompt_tokens_per_second > 1.0
        assert model.cached_tokens == []
        meter = WorkMeter()
        model.evaluate_prompt(model.tokenize("x = 1\n"), CancelToken(), meter)
        assert meter.prompt_tokens_reused == 0
    finally:
        model.close()
