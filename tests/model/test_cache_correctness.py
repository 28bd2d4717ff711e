"""Caching must never change a suggestion: cached and uncached runs give identical text, with
token healing on (the healed text is the prompt's end, so a cached run reuses all before it).

Greedy decoding makes generation deterministic, so a reused KV prefix, a document's state
parked and restored, and a fresh evaluation must all produce the same suggestion.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cache.kv_state_cache import KvStateCache
from models.cancellation import CancelToken
from models.completion_engine import CompletionEngine, CompletionOptions
from models.cursor_text import CursorText
from models.document_states import DocumentStates
from models.generation import WorkMeter
from models.llama_backend import PROMPT_CHUNK, LlamaBackend
from models.local_runner import LocalRunner
from models.model_files import resolve_model_path
from models.token_healing import heal_prefix
from wattcode_bench.corpus import CORPUS
from wattcode_bench.typing_replay import find_spans

pytestmark = pytest.mark.model

OPTIONS = CompletionOptions(max_prompt_tokens=256, max_tokens=16)
UNCACHED = CompletionOptions(max_prompt_tokens=256, max_tokens=16, reuse_prefix=False)


@pytest.fixture(scope="module")
def backend() -> Iterator[LlamaBackend]:
    model = LlamaBackend(resolve_model_path(None))
    yield model
    model.close()


def typing_positions(count: int, seed: int = 3) -> list[tuple[str, str, str]]:
    """(document, prefix, suffix) as a user types function bodies of real files: the text after
    the cursor stays, the text before it grows by a character or two at a time."""
    files = [(f.path.name, text) for f in CORPUS if (text := f.load()) is not None]
    per_file = -(-count // len(files))
    out = []
    for number, (name, text) in enumerate(files):
        for span in find_spans(text, 2, 80, seed + number):
            typed = span.text(text)
            for i in range(0, len(typed), 2):
                out.append((name, text[: span.start] + typed[:i], text[span.end :]))
                if sum(1 for o in out if o[0] == name) >= per_file:
                    break
            if sum(1 for o in out if o[0] == name) >= per_file:
                break
    return out[:count]


def test_cached_and_uncached_generation_agree_on_60_positions(backend: LlamaBackend) -> None:
    engine = CompletionEngine(LocalRunner(backend))
    cases = typing_positions(60)
    assert len(cases) == 60
    reused_total = 0
    mismatches = 0
    for _document, prefix, suffix in cases:
        cached = engine.complete(CursorText(prefix, suffix), OPTIONS)
        reused_total += cached.stats.prompt_tokens_reused
        fresh = engine.complete(CursorText(prefix, suffix), UNCACHED)
        assert fresh.stats.prompt_tokens_reused == 0
        mismatches += cached.raw_text != fresh.raw_text
        # Leave the context as the typing left it, so the next position reuses it.
        engine.complete(CursorText(prefix, suffix), OPTIONS)
    print(f"reused {reused_total} tokens; {mismatches} of {len(cases)} differ")
    assert mismatches == 0
    assert reused_total > 0, "the cached runs never reused anything: the test proves nothing"
    # Token healing (on in OPTIONS) cut a partial word or whitespace at most of these cursors.
    healed = sum(bool(heal_prefix(prefix, OPTIONS.healing).removed) for _, prefix, _ in cases)
    assert healed > len(cases) // 2, healed


def test_a_warmed_prompt_is_the_one_the_next_request_runs(backend: LlamaBackend) -> None:
    """What a skipped request warms (the prompt's whole chunks), the request at the same place
    finds: only the single steps after them are left to evaluate, and the suggestion is the
    same as a fresh evaluation's."""
    engine = CompletionEngine(LocalRunner(backend))
    for _document, prefix, suffix in typing_positions(8, seed=5):
        backend.reset()
        meter = WorkMeter()
        engine.warm(CursorText(prefix, suffix), OPTIONS, CancelToken(), meter)
        assert meter.prompt_tokens_evaluated >= 2 * PROMPT_CHUNK
        assert meter.prompt_tokens_evaluated % PROMPT_CHUNK == 0
        warmed = engine.complete(CursorText(prefix, suffix), OPTIONS)
        assert 1 <= warmed.stats.prompt_tokens_evaluated <= PROMPT_CHUNK
        assert warmed.raw_text == engine.complete(CursorText(prefix, suffix), UNCACHED).raw_text


def test_parked_states_come_back_and_do_not_leak(backend: LlamaBackend) -> None:
    states = KvStateCache(max_bytes=256 << 20)
    engine = CompletionEngine(LocalRunner(backend, DocumentStates(backend, states)))
    plain = CompletionEngine(LocalRunner(backend))
    a_prefix, a_suffix = "import os\n\ndef home():\n    return os.", "\n"
    b_prefix, b_suffix = "function area(r) {\n  return Math.", "\n}\n"

    first_a = engine.complete(CursorText(a_prefix, a_suffix, document="a"), OPTIONS)
    first_b = engine.complete(CursorText(b_prefix, b_suffix, document="b"), OPTIONS)
    assert states.saved == 0  # a's state was too short to park? then make it longer
    backend.reset()
    long_a = "".join(f"# line {i} of context\n" for i in range(60)) + a_prefix
    engine.complete(CursorText(long_a, a_suffix, document="a"), OPTIONS)
    engine.complete(CursorText(b_prefix, b_suffix, document="b"), OPTIONS)  # parks a
    assert states.saved >= 1
    again_a = engine.complete(CursorText(long_a, a_suffix, document="a"), OPTIONS)  # restores a
    assert states.restored >= 1
    assert again_a.stats.prompt_tokens_reused > 50

    backend.reset()
    fresh_a = plain.complete(CursorText(long_a, a_suffix), UNCACHED)
    backend.reset()
    fresh_b = plain.complete(CursorText(b_prefix, b_suffix), UNCACHED)
    assert again_a.raw_text == fresh_a.raw_text
    assert first_b.raw_text == fresh_b.raw_text  # nothing of a leaked into b
    assert first_a.text
