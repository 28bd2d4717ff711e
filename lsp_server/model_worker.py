"""The single model thread: loads the model and runs one generation at a time.

A llama.cpp model and its KV cache are not thread-safe, and two generations at once would only
slow each other down on a laptop, so all model work goes through one thread in order. The
asyncio side hands it frozen `CompletionRequest` snapshots; a request that was cancelled while
it waited is answered without touching the model ("not started").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cache.kv_state_cache import KvStateCache
from cache.kv_state_store import KvStateStore
from lsp_server.model_work import (
    CompletionRequest,
    LoadResult,
    ModelSpecKey,
    Outcome,
    OutcomeStatus,
    scrub,
)
from lsp_server.smaller_model import SmallerModel
from models import paths
from models.calibration import Speed, machine_key, measure_speed
from models.completion_engine import CompletionEngine, Suggestion
from models.cursor_text import CursorText
from models.default_model import ProgressCallback
from models.document_states import DocumentStates, StatefulModel
from models.energy.selection import MeterChoice, choose_meters, make_monitor
from models.energy.window import EnergyMonitor, WindowStart
from models.errors import GenerationCancelled, ModelError, RemoteError
from models.generation import WorkMeter
from models.load_options import LoadOptions
from models.local_runner import CompletionModel, LocalRunner
from models.model_choice import LARGE, SMALL, ModelChoice, product_chooser
from models.model_files import model_identity
from models.model_table import ModelSpec, display_name
from models.remote.endpoint import MODELS, RemoteEndpoint
from models.remote.fim_text import markers_of
from models.remote.remote_energy import remote_estimate
from models.remote.remote_runner import RemoteRunner
from models.remote.sse_stream import get_json
from models.speculative import speculating

if TYPE_CHECKING:
    from models.llama_backend import LlamaVocab

log = logging.getLogger(__name__)


class LoadedModel(CompletionModel, StatefulModel, Protocol):
    """What the worker needs from a loaded model: `LlamaBackend`, or a test's stand-in."""

    name: str

    def reset(self) -> None: ...

    def close(self) -> None: ...


BackendFactory = Callable[[Path, LoadOptions], LoadedModel]
PathResolver = Callable[[str | None, ProgressCallback | None], Path]
ChooseModel = Callable[[ModelSpecKey, ProgressCallback | None], ModelChoice]


def load_llama_backend(path: Path, options: LoadOptions) -> LoadedModel:
    """The default factory. llama.cpp is imported here, with the first model, so that the
    server imports without the native library (and a test server runs without it)."""
    from models.llama_backend import LlamaBackend  # noqa: PLC0415

    return LlamaBackend(path, options)


def llama_gpu_offload() -> bool:
    """Whether llama.cpp can put the model on a GPU (for choosing the energy meters)."""
    from models.llama_backend import supports_gpu_offload  # noqa: PLC0415

    return supports_gpu_offload()


def _load_options(key: ModelSpecKey) -> LoadOptions:
    return LoadOptions(  # speculating: no file mapped beside its repacked weights (RSS)
        key.context_length, key.threads, gpu_layers=key.gpu_layers, use_mmap=key.draft == "off"
    )


def _by_path(resolve_path: PathResolver) -> ChooseModel:
    """A chooser that knows only the configured path (tests that script one model)."""

    def choose(key: ModelSpecKey, on_progress: ProgressCallback | None) -> ModelChoice:
        return ModelChoice(resolve_path(key.path, on_progress), None, "wattcode.model.path")

    return choose


class ModelWorker:
    def __init__(
        self,
        backend_factory: BackendFactory = load_llama_backend,
        *,
        resolve_path: PathResolver | None = None,
        choose_model: ChooseModel | None = None,
        gpu_offload: Callable[[], bool] = llama_gpu_offload,
    ) -> None:
        """`backend_factory` loads a model file; `choose_model` picks the file from the
        settings (default: `models/model_choice.py` over the user's data dir; the preset's
        model assembled on first use) or, simpler, `resolve_path` from the configured path
        alone; `gpu_offload` says whether models run on a GPU: the seams where tests put a
        scripted model."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wattcode-model")
        self._backend_factory = backend_factory
        if choose_model is None and resolve_path is not None:
            choose_model = _by_path(resolve_path)
        self._choose_model = choose_model or self._choose_by_settings
        self._gpu_offload = gpu_offload
        self._backend: LoadedModel | None = None
        self._draft: LoadedModel | None = None  # drafts for it: `wattcode.model.draft`
        self._path: Path | None = None
        self._engine: CompletionEngine | None = None
        self._vocab: LlamaVocab | None = None
        self._remote: RemoteRunner | None = None
        self._states: DocumentStates | None = None
        self._smaller: SmallerModel | None = None  # the governor's `smaller-model` rung
        self.kv_states = KvStateCache(max_bytes=256 << 20)
        self.kv_store: KvStateStore | None = None
        self._persist_bytes: int | None = 512 << 20
        """The disk budget for saved states; None turns persistence off."""
        self._loaded_key: ModelSpecKey | None = None
        self.last_load: LoadResult | None = None
        self.energy: EnergyMonitor | None = None
        self.meter_choice: MeterChoice | None = None

    def _energy_monitor(self) -> EnergyMonitor:
        """The meters, chosen once on the model thread (NVML's init can take a moment)."""
        if self.energy is None:
            self.meter_choice = choose_meters(gpu_in_use=self._gpu_offload())
            self.energy = make_monitor(self.meter_choice)
        return self.energy

    # Everything below prefixed with _ runs on the model thread only.

    def load(
        self, key: ModelSpecKey, on_progress: ProgressCallback | None = None
    ) -> Future[LoadResult]:
        return self._executor.submit(self._load, key, on_progress)

    def _load(self, key: ModelSpecKey, on_progress: ProgressCallback | None) -> LoadResult:
        if key == self._loaded_key and self._engine is not None and self.last_load:
            return self.last_load
        self._unload()
        started = time.perf_counter()
        energy = self._energy_monitor()
        window = energy.begin()
        try:
            choice = self._choose_model(key, on_progress)
            path = choice.path
            if key.remote is not None:
                return self._load_remote(path, key, key.remote, started, window)
            backend = self._backend_factory(path, _load_options(key))
        except ModelError as exc:
            log.error("model unavailable: %s", exc)
            self.last_load = LoadResult(ok=False, error=str(exc), energy=energy.end(window))
            return self.last_load
        except Exception as exc:
            # A full disk while assembling, a native failure: the load must still settle,
            # since requests wait for it.
            log.exception("model unavailable")
            error = f"The model could not be prepared ({type(exc).__name__}: {exc})."
            self.last_load = LoadResult(ok=False, error=error, energy=energy.end(window))
            return self.last_load
        self.kv_states.clear()  # saved states belong to the model that made them
        self._path = path
        self.kv_store = self._open_store()
        self._states = DocumentStates(backend, self.kv_states, self.kv_store)
        self._backend, self._loaded_key = backend, key

        def small_path() -> Path:
            return self._choose_model(replace(key, path=None, preset=SMALL.preset), None).path

        model, self._draft = speculating(
            backend,
            key.draft,
            path,
            small_path,
            lambda draft_path: self._backend_factory(draft_path, _load_options(key)),
        )
        self._engine = CompletionEngine(LocalRunner(model, self._states))
        if choice.spec is LARGE:
            options = _load_options(replace(key, draft="off"))
            self._smaller = SmallerModel(lambda: self._backend_factory(small_path(), options))
        self.last_load = LoadResult(
            ok=True,
            path=path,
            name=display_name(path),
            fim_family=backend.fim.family,
            seconds=time.perf_counter() - started,
            energy=energy.end(window),
            why=choice.why,
            notice=choice.warning,
        )
        return self.last_load

    def _choose_by_settings(
        self, key: ModelSpecKey, on_progress: ProgressCallback | None
    ) -> ModelChoice:
        """The product's choice: `models/model_choice.py`; `auto` times each model here,
        loaded as this key would load it, once per machine (cached)."""

        def measure(_spec: ModelSpec, path: Path) -> Speed:
            model = self._backend_factory(path, _load_options(key))
            try:
                return measure_speed(model)
            finally:
                model.close()

        machine = machine_key(key.threads, key.gpu_layers, self._gpu_offload())
        chooser = product_chooser(measure, machine)
        return chooser.choose(key.path, key.preset, on_progress)

    def _load_remote(
        self,
        path: Path,
        key: ModelSpecKey,
        endpoint: RemoteEndpoint,
        started: float,
        window: WindowStart,
    ) -> LoadResult:
        """Only the vocabulary is loaded here; a quick probe says whether the server answers."""
        from models.llama_backend import LlamaVocab  # noqa: PLC0415 - see load_llama_backend

        vocab = LlamaVocab(path)
        runner = RemoteRunner(
            endpoint, vocab, markers_of(vocab.fim, vocab.token_text), key.context_length
        )
        warning = None
        try:
            get_json(endpoint, endpoint.path_of(MODELS), min(2.0, endpoint.timeout_seconds))
        except RemoteError as exc:
            warning = f"{exc}; completions start when it answers"
        self._path, self._vocab, self._remote = path, vocab, runner
        self._engine, self._loaded_key = CompletionEngine(runner), key
        self.last_load = LoadResult(
            ok=True,
            path=path,
            name=f"{endpoint.model or display_name(path)} at {endpoint.display}",
            fim_family=vocab.fim.family,
            seconds=time.perf_counter() - started,
            energy=self._energy_monitor().end(window),
            warning=warning,
        )
        return self.last_load

    def _open_store(self) -> KvStateStore | None:
        if self._persist_bytes is None or self._path is None:
            return None
        try:
            return KvStateStore(
                paths.cache_dir() / "kv-states", model_identity(self._path), self._persist_bytes
            )
        except OSError as exc:  # an unreadable cache directory costs persistence, nothing more
            log.warning("saved KV states are off: %s", exc)
            return None

    def set_persistence(self, max_bytes: int | None) -> None:
        """Keep warmed states on disk under `max_bytes`, or not at all (None)."""
        self._executor.submit(self._set_persistence, max_bytes)

    def _set_persistence(self, max_bytes: int | None) -> None:
        if max_bytes == self._persist_bytes:
            return  # a load opens the store itself; only a change needs a new one
        self._persist_bytes = max_bytes
        self.kv_store = self._open_store() if self._backend is not None else None
        if self._states is not None:
            self._states.store = self.kv_store

    def _unload(self) -> None:
        if self._states is not None:
            try:
                self._states.persist_all()
            except OSError as exc:
                log.warning("could not save KV states: %s", exc)
        for model in (self._backend, self._draft):
            if model is not None:
                model.close()
        if self._smaller is not None:
            self._smaller.close()
        if self._vocab is not None:
            self._vocab.close()
        self._backend = self._draft = self._engine = self._states = self._loaded_key = None
        self._smaller = None
        self._vocab = self._remote = None

    def unload(self) -> Future[None]:
        """Free the model (its KV states are saved first); the next load brings it back."""
        return self._executor.submit(self._unload)

    def complete(self, request: CompletionRequest) -> Future[Outcome]:
        return self._executor.submit(self._run, request, warm=False)

    def warm(self, request: CompletionRequest) -> Future[Outcome]:
        """Evaluate the prompt of a request that gating skipped, and generate nothing: a
        newer request cancels it like any other, and what it evaluated by then is kept."""
        return self._executor.submit(self._run, request, warm=True)

    def _run(self, request: CompletionRequest, warm: bool) -> Outcome:
        if request.cancel.cancelled:
            return Outcome(OutcomeStatus.NOT_STARTED)
        if self._engine is None:
            error = self.last_load.error if self.last_load else "the model is not loaded"
            return Outcome(OutcomeStatus.NO_MODEL, error=error)
        cpu_started = time.process_time()
        work = WorkMeter()
        energy = self._energy_monitor()
        window = energy.begin()
        suggestion: Suggestion | None = None
        engine, answered_by = self._engine, ""
        if request.smaller_model and self._smaller is not None:
            smaller = self._smaller.engine()
            engine, answered_by = (smaller, SMALL.display_name) if smaller else (engine, "")
        try:
            run = engine.warm if warm else engine.complete  # warm returns None
            cursor = CursorText(
                scrub(request.prefix),
                scrub(request.suffix),
                request.uri,
                request.language_id,
                request.open_documents,
            )
            suggestion = run(cursor, request.options, request.cancel, work)
        except GenerationCancelled:
            status, error = OutcomeStatus.CANCELLED, None
        except ModelError as exc:
            log.warning("generation failed: %s", exc)
            status, error = OutcomeStatus.FAILED, str(exc)
        except Exception as exc:
            # A bug must cost one suggestion, not the model thread's next ones: answer empty,
            # and evaluate the next prompt from scratch rather than trust a half-updated cache.
            log.exception("generation failed")
            status, error = OutcomeStatus.FAILED, f"{type(exc).__name__}: {exc}"
            if self._backend is not None:
                self._backend.reset()
        else:
            error = None
            if warm:
                status = OutcomeStatus.WARMED
            elif suggestion is not None and suggestion.skipped is not None:
                status = OutcomeStatus.SKIPPED
            else:
                status = OutcomeStatus.DONE
        spent = energy.end(window)
        if self._remote is not None:
            spent = spent.plus_remote(*remote_estimate(work, self._remote.endpoint))
        cpu_seconds = time.process_time() - cpu_started
        remote = self._remote is not None
        return Outcome(status, suggestion, cpu_seconds, error, work, spent, remote, answered_by)

    def forget(self, uri: str) -> None:
        """Drop a closed document's saved KV state (on the model thread, like all model work)."""
        self._executor.submit(self._forget, uri)

    def _forget(self, uri: str) -> None:
        if self._states is not None:
            self._states.forget(uri)
        if self._smaller is not None:
            self._smaller.forget(uri)
        if self._engine is not None:
            self._engine.trimmer.forget(uri)

    def set_cache_limit(self, max_bytes: int) -> None:
        self._executor.submit(setattr, self.kv_states, "max_bytes", max_bytes)

    def clear_saved_states(self) -> Future[int]:
        """Drop every parked per-document KV state (on the model thread); how many there were."""
        return self._executor.submit(self._clear_saved_states)

    def _clear_saved_states(self) -> int:
        count = self.kv_states.entries
        self.kv_states.clear()
        return count

    def shutdown(self) -> None:
        """Drop queued requests, wait for the running one, then save states and free the model."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        # The model thread has ended: nothing else can touch the model now.
        self._unload()
