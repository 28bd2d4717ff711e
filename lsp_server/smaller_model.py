"""The power governor's `smaller-model` rung: the embedded 0.5B answers while the 1.5B is loaded.

It costs about 0.44 of the 1.5B's work per token (docs/power.md). The 0.5B is loaded on the
model thread when a request first asks for it, keeps KV states of its own per document, and
is closed with the model it stands in for; where it cannot be loaded, the 1.5B answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from cache.kv_state_cache import KvStateCache
from models.completion_engine import CompletionEngine
from models.document_states import DocumentStates
from models.errors import ModelError
from models.local_runner import LocalRunner

if TYPE_CHECKING:
    from lsp_server.model_worker import LoadedModel

log = logging.getLogger(__name__)


class SmallerModel:
    def __init__(self, load: Callable[[], LoadedModel]) -> None:
        self._load = load
        self._backend: LoadedModel | None = None
        self._engine: CompletionEngine | None = None
        self._states: DocumentStates | None = None
        self._failed = False

    def engine(self) -> CompletionEngine | None:
        """The 0.5B's engine, loaded on first use; None where it could not be loaded."""
        if self._engine is None and not self._failed:
            try:
                backend = self._load()
            except ModelError as exc:
                log.warning("the smaller model is unavailable, the loaded one answers: %s", exc)
                self._failed = True
                return None
            self._states = DocumentStates(backend, KvStateCache(max_bytes=64 << 20))
            self._backend = backend
            self._engine = CompletionEngine(LocalRunner(backend, self._states))
        return self._engine

    def forget(self, uri: str) -> None:
        if self._states is not None:
            self._states.forget(uri)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        self._backend = self._engine = self._states = None
