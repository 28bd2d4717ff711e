"""The scripted model itself, in process: its vocabulary, its cancel points, and the worker's
seams that let it stand in for llama.cpp."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from cache.kv_state_cache import KvStateCache
from lsp_server.model_work import CompletionRequest, ModelSpecKey, OutcomeStatus
from lsp_server.model_worker import ModelWorker
from models.cancellation import CancelToken
from models.completion_engine import CompletionEngine, CompletionOptions
from models.cursor_text import CursorText
from models.default_model import ProgressCallback
from models.document_states import DocumentStates
from models.errors import GenerationCancelled
from models.generation import Decoding, Generation, WorkMeter, generate
from models.local_runner import LocalRunner
from tests.fast.conftest import REPO
from tests.scripted_model import (
    END_OF_TEXT,
    SPECIAL_TOKENS,
    Journal,
    Prompt,
    Reply,
    ScriptedModel,
    decode,
    encode,
    read_prompt,
    scripted_factory,
)

pytestmark = pytest.mark.fast


def replying(reply: Reply | str) -> Callable[[Prompt], Reply | str]:
    return lambda _prompt: reply


def test_importing_the_server_does_not_import_llama_cpp() -> None:
    modules = "lsp_server.cli, lsp_server.server, lsp_server.suggestions, tests.fake_server"
    check = f"import sys; import {modules}; assert 'llama_cpp' not in sys.modules"
    subprocess.run([sys.executable, "-c", check], check=True, cwd=REPO, timeout=60)


def test_bytes_are_tokens_and_the_fim_markers_are_qwens() -> None:
    model = ScriptedModel(replying(""))
    text = "héllo 👋\n\tx"
    assert model.tokenize(text) == encode(text)
    assert len(model.tokenize(text)) == model.count_tokens(text) == len(text.encode())
    assert decode(model.tokenize(text)) == text
    assert b"".join(model.token_bytes(t) for t in model.tokenize(text)) == text.encode()
    assert model.fim.family == "qwen2.5-coder / codegemma"
    assert model.is_stop(END_OF_TEXT) and model.is_stop(SPECIAL_TOKENS["<|fim_pad|>"])
    assert not any(model.is_stop(t) for t in model.tokenize(text))
    for order in ("spm", "psm"):
        prompt = model.fim.prompt(order, encode("def f():\n"), encode("\nprint(f())"))
        assert read_prompt(prompt) == Prompt("def f():\n", "\nprint(f())", order)


def test_token_healing_spells_the_cut_indentation_then_follows_the_script() -> None:
    model = ScriptedModel(replying(" return x"))
    prompt = model.fim.prompt("spm", encode("def f(x):\n"), [])
    generation = generate(
        model,
        prompt,
        Decoding(max_tokens=64, context_room=4000, healed="    "),
        cancel=CancelToken(),
    )
    # The first (scripted) space and three forced ones spell the indentation; then the rest.
    assert generation.raw_text == "return x"
    assert generation.stats.generated_tokens == 4 + len("return x")
    assert generation.stats.stop_reason == "stop-token"


def test_the_engine_runs_on_it_and_reuses_the_common_prefix() -> None:
    engine = CompletionEngine(LocalRunner(ScriptedModel(replying(" a + b"))))
    first = engine.complete(CursorText("def add(a, b):\n    return ", ""), CompletionOptions())
    assert first.text == "a + b"
    second = engine.complete(CursorText("def add(a, b):\n    return a", ""), CompletionOptions())
    assert second.stats.prompt_tokens_evaluated <= 2
    assert second.stats.prompt_tokens_reused == second.stats.prompt_tokens - 1


def run_in_thread(model: ScriptedModel, cancel: CancelToken) -> Callable[[], object]:
    """Generate on another thread (as the model thread does); returns a join that gives the
    Generation or the exception."""
    outcome: list[object] = []
    prompt = model.fim.prompt("spm", encode("x = "), [])

    def work() -> None:
        try:
            outcome.append(
                generate(model, prompt, Decoding(max_tokens=64, context_room=4000), cancel=cancel)
            )
        except GenerationCancelled as exc:
            outcome.append(exc)

    thread = threading.Thread(target=work)
    thread.start()

    def join() -> object:
        thread.join(timeout=10)
        assert not thread.is_alive()
        return outcome[0]

    return join


def test_a_hold_ends_with_the_cancel_and_the_loop_stops() -> None:
    journal = Journal()
    model = ScriptedModel(replying(Reply("1 + 2", hold_before=2)), journal=journal)
    cancel = CancelToken()
    join = run_in_thread(model, cancel)
    journal.wait_for("hold")
    cancel.cancel()
    assert isinstance(join(), GenerationCancelled)
    assert journal.events("release")[0]["cancelled"]
    assert journal.events("stop") == []


def test_a_hold_at_the_end_finishes_after_the_cancel() -> None:
    journal = Journal()
    model = ScriptedModel(replying(Reply("1 + 2", hold_before=5)), journal=journal)
    cancel = CancelToken()
    join = run_in_thread(model, cancel)
    journal.wait_for("hold")
    cancel.cancel()
    generation = join()
    assert isinstance(generation, Generation)
    assert generation.raw_text == "1 + 2" and generation.stats.stop_reason == "stop-token"


def test_a_slow_token_is_a_cancel_point() -> None:
    journal = Journal()
    model = ScriptedModel(replying(Reply("1 + 2", token_seconds=30)), journal=journal)
    cancel = CancelToken()
    join = run_in_thread(model, cancel)
    journal.wait_for("prompt")
    cancel.cancel()
    assert isinstance(join(), GenerationCancelled)  # at once, not after 30 s


def test_a_cancelled_prompt_stops_between_chunks() -> None:
    model = ScriptedModel(replying(""))
    cancel = CancelToken()
    cancel.cancel()
    meter = WorkMeter()
    with pytest.raises(GenerationCancelled):
        model.evaluate_prompt(encode("x" * 100), cancel, meter)
    assert meter.prompt_tokens_evaluated == 0


def test_documents_park_and_restore_their_states() -> None:
    model = ScriptedModel(replying(""))
    states = KvStateCache(max_bytes=1 << 20)
    runner = LocalRunner(model, DocumentStates(model, states))
    engine = CompletionEngine(runner)
    one = "".join(f"first_{i} = {i}\n" for i in range(10))
    two = "".join(f"second_{i} = {i}\n" for i in range(10))
    engine.complete(CursorText(one, "", document="one.py"), CompletionOptions())
    engine.complete(CursorText(two, "", document="two.py"), CompletionOptions())
    again = engine.complete(CursorText(one + "x", "", document="one.py"), CompletionOptions())
    assert states.restored == 1
    assert again.stats.prompt_tokens_reused >= len(one) // 32 * 32


def test_the_worker_loads_it_without_looking_for_the_default_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATTCODE_CACHE_DIR", str(tmp_path / "cache"))  # saved states go there
    asked: list[str | None] = []
    placeholder = tmp_path / "scripted.model"
    placeholder.write_bytes(b"scripted\n")

    def resolve(configured: str | None, _progress: ProgressCallback | None) -> Path:
        asked.append(configured)
        return placeholder

    journal = Journal()
    worker = ModelWorker(
        scripted_factory(replying(" a + b"), journal),
        resolve_path=resolve,
        gpu_offload=lambda: False,
    )
    try:
        loaded = worker.load(ModelSpecKey(None, 2, 2048)).result(timeout=10)
        assert loaded.ok and loaded.name == "scripted.model" and loaded.path == placeholder
        assert asked == [None]
        assert journal.events("load")[0]["context_length"] == 2048
        prefix = "def f(a, b):\n    return "
        request = CompletionRequest("file:///a.py", 1, prefix, "", CompletionOptions(max_tokens=16))
        outcome = worker.complete(request).result(timeout=10)
        assert outcome.status is OutcomeStatus.DONE
        assert outcome.suggestion is not None and outcome.suggestion.text == "a + b"
        assert outcome.work.generated_tokens == 6
    finally:
        worker.shutdown()
    assert journal.events("close")
