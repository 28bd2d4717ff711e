"""A full disk while assembling the model or saving KV states (a fake ENOSPC; unit level):
nothing half-written stays behind, and the model thread turns it into a clear load failure
instead of an exception that would leave requests waiting for the load."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from cache.kv_state_store import KvStateStore
from lsp_server.model_work import ModelSpecKey
from lsp_server.model_worker import ModelWorker
from models import default_model, model_files
from tests.unit.test_default_model import make_parts


def no_space(*_args: Any, **_kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_assembly_on_a_full_disk_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts, spec = make_parts(tmp_path / "parts")
    monkeypatch.setattr(default_model.os, "fsync", no_space)
    with pytest.raises(OSError, match="No space left"):
        default_model.assemble(tmp_path / "models", spec, parts)
    assert list((tmp_path / "models").iterdir()) == []  # no partial file, no model


def test_a_full_disk_while_loading_is_a_clear_load_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts, spec = make_parts(tmp_path / "parts")
    monkeypatch.setattr(default_model.os, "fsync", no_space)

    real_assemble = default_model.assemble

    def assemble_small(target_dir: Path, *_args: Any, on_progress: Any = None) -> Path:
        return real_assemble(target_dir, spec, parts, on_progress)

    monkeypatch.setattr(model_files.default_model, "assemble", assemble_small)
    monkeypatch.setenv("WATTCODE_DATA_DIR", str(tmp_path / "data"))
    worker = ModelWorker()
    try:
        result = worker.load(ModelSpecKey(None, 1, 512)).result(timeout=30)
    finally:
        worker.shutdown()
    assert not result.ok
    assert result.error is not None and "No space left on device" in result.error


def test_saving_a_kv_state_on_a_full_disk_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = KvStateStore(tmp_path, "model", 1 << 20)
    real_fdopen = os.fdopen

    class FullFile:
        def __init__(self, fd: int, mode: str) -> None:
            self._file = real_fdopen(fd, mode)

        def __enter__(self) -> FullFile:
            return self

        def __exit__(self, *_exc: object) -> None:
            self._file.close()

        def write(self, _data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("cache.kv_state_store.os.fdopen", FullFile)
    store.save([1, 2, 3], b"state")  # logged, not raised
    assert store.entries == 0
    assert list(store.directory.iterdir()) == []  # the temporary file is gone too
    monkeypatch.undo()
    store.save([1, 2, 3], b"state")  # space again: saving works
    assert store.find([1, 2, 3, 4]) is not None
