"""The power governor's `smaller-model` rung on the model thread: a request marked for it is
answered by the embedded 0.5B while the 1.5B stays loaded (lsp_server/smaller_model.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lsp_server.model_work import CompletionRequest, ModelSpecKey, OutcomeStatus
from lsp_server.model_worker import ModelWorker
from models.completion_engine import CompletionOptions
from models.default_model import ProgressCallback
from models.errors import ModelError
from models.model_choice import ModelChoice
from models.model_table import PRESETS, QWEN25_CODER_05B, QWEN25_CODER_15B
from tests.scripted_model import Journal, scripted_factory

pytestmark = pytest.mark.fast

PREFIX = "def add(a, b):\n    return "


def worker_for(models: Path, journal: Journal, *, small_installed: bool = True) -> ModelWorker:
    for spec in (QWEN25_CODER_05B, QWEN25_CODER_15B):
        if spec is QWEN25_CODER_15B or small_installed:
            (models / spec.file_name).write_bytes(b"scripted\n")

    def choose(key: ModelSpecKey, _progress: ProgressCallback | None) -> ModelChoice:
        spec = PRESETS[key.preset]
        path = models / spec.file_name
        if not path.exists():
            raise ModelError(f"{spec.label} is not installed")
        return ModelChoice(path, spec, f"wattcode.model.preset: {key.preset}")

    return ModelWorker(
        scripted_factory(lambda _prompt: " a + b", journal),
        choose_model=choose,
        gpu_offload=lambda: False,
    )


def answered_by(journal: Journal) -> str:
    return Path(journal.events("prompt")[-1]["path"]).name


def test_the_0_5b_answers_on_the_rung_and_the_1_5b_stays_loaded(tmp_path: Path) -> None:
    journal = Journal()
    worker = worker_for(tmp_path, journal)
    try:
        loaded = worker.load(ModelSpecKey(None, 2, 2048, preset="1.5b")).result(timeout=10)
        assert loaded.ok and loaded.path == tmp_path / QWEN25_CODER_15B.file_name
        request = CompletionRequest("file:///a.py", 1, PREFIX, "", CompletionOptions(max_tokens=8))

        first = worker.complete(request).result(timeout=10)
        assert first.status is OutcomeStatus.DONE and first.model == ""  # the loaded model's
        assert answered_by(journal) == QWEN25_CODER_15B.file_name
        assert len(journal.events("load")) == 1  # nothing loaded before the rung asks

        smaller = replace(request, version=2, smaller_model=True)
        outcome = worker.complete(smaller).result(timeout=10)
        assert outcome.status is OutcomeStatus.DONE and outcome.suggestion is not None
        assert outcome.suggestion.text == "a + b"
        assert answered_by(journal) == QWEN25_CODER_05B.file_name
        assert outcome.model == QWEN25_CODER_05B.display_name  # hover names it
        assert [Path(e["path"]).name for e in journal.events("load")] == [
            QWEN25_CODER_15B.file_name,
            QWEN25_CODER_05B.file_name,
        ]

        worker.complete(replace(request, version=3)).result(timeout=10)
        assert answered_by(journal) == QWEN25_CODER_15B.file_name
        worker.complete(replace(smaller, version=4)).result(timeout=10)
        assert answered_by(journal) == QWEN25_CODER_05B.file_name
        assert len(journal.events("load")) == 2  # loaded once, kept beside the 1.5B
    finally:
        worker.shutdown()
    assert len(journal.events("close")) == 2


def test_the_rung_changes_nothing_where_the_0_5b_is_loaded(tmp_path: Path) -> None:
    journal = Journal()
    worker = worker_for(tmp_path, journal)
    try:
        assert worker.load(ModelSpecKey(None, 2, 2048, preset="0.5b")).result(timeout=10).ok
        request = CompletionRequest(
            "file:///a.py", 1, PREFIX, "", CompletionOptions(max_tokens=8), smaller_model=True
        )
        assert worker.complete(request).result(timeout=10).status is OutcomeStatus.DONE
        assert answered_by(journal) == QWEN25_CODER_05B.file_name
        assert len(journal.events("load")) == 1
    finally:
        worker.shutdown()


def test_without_the_0_5b_the_1_5b_answers(tmp_path: Path) -> None:
    journal = Journal()
    worker = worker_for(tmp_path, journal, small_installed=False)
    try:
        assert worker.load(ModelSpecKey(None, 2, 2048, preset="1.5b")).result(timeout=10).ok
        request = CompletionRequest(
            "file:///a.py", 1, PREFIX, "", CompletionOptions(max_tokens=8), smaller_model=True
        )
        outcome = worker.complete(request).result(timeout=10)
        assert outcome.status is OutcomeStatus.DONE and outcome.model == ""
        assert answered_by(journal) == QWEN25_CODER_15B.file_name
    finally:
        worker.shutdown()
