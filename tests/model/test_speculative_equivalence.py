"""Speculative decoding on the real models: the 1.5B's own greedy text, drafts or not.

The 1.5B verifies drafts in batches, and llama.cpp's CPU kernels give a batch's logits other
last bits than one token's, so a text may part from the 1.5B's own where two tokens are nearly
tied, and only there: each difference must fall on a token the 1.5B itself gave less than
NEAR_TIE (bench/experiments/speculative/README.md measures how often it happens).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt
import pytest

from models import paths
from models.cancellation import CancelToken
from models.completion_engine import CompletionEngine, CompletionOptions, Suggestion
from models.cursor_text import CursorText
from models.errors import GenerationCancelled
from models.llama_backend import LlamaBackend
from models.local_runner import LocalRunner
from models.model_files import resolve_model_path
from models.model_table import QWEN25_CODER_15B
from models.speculative import DraftMode, SpeculationOptions, SpeculativeModel
from wattcode_bench.speculative_speed import Cursor, cursors

pytestmark = pytest.mark.model

OPTIONS = CompletionOptions(max_prompt_tokens=256, max_tokens=24, multiline=True, early_stop=False)
NEAR_TIE = 0.6
"""A token the model gives less than this has a rival within a factor of about 1.5."""


@pytest.fixture(scope="module")
def models() -> Iterator[tuple[LlamaBackend, LlamaBackend]]:
    large_path = paths.models_dir() / QWEN25_CODER_15B.file_name
    if not large_path.is_file():
        pytest.skip(f"the 1.5B model is not installed ({large_path}): wattcode model fetch 1.5b")
    large, small = LlamaBackend(large_path), LlamaBackend(resolve_model_path(None))
    yield large, small
    large.close()
    small.close()


def parted_at(expected: Suggestion, got: Suggestion) -> int | None:
    """The first token where two suggestions differ (None: the same tokens)."""
    pieces = [
        [s.raw_text[a:b] for a, b in zip((0, *s.ends), s.ends, strict=False)]
        for s in (expected, got)
    ]
    for index, (mine, theirs) in enumerate(zip(*pieces, strict=False)):
        if mine != theirs:
            return index
    return None if pieces[0] == pieces[1] else min(len(p) for p in pieces)


def ask(engine: CompletionEngine, cursor: Cursor) -> Suggestion:
    return engine.complete(CursorText(cursor.prefix, cursor.suffix), OPTIONS)


@pytest.mark.parametrize("mode", [DraftMode.MODEL, DraftMode.NGRAM])
def test_speculative_text_is_the_large_models_own_but_at_near_ties(
    models: tuple[LlamaBackend, LlamaBackend], mode: DraftMode
) -> None:
    large, small = models
    alone = CompletionEngine(LocalRunner(large))
    speculative = SpeculativeModel(large, small, SpeculationOptions(mode))
    engine = CompletionEngine(LocalRunner(speculative))
    drafted = 0
    for cursor in cursors(per_file=2, seed=11):
        expected, got = ask(alone, cursor), ask(engine, cursor)
        drafted += got.stats.drafted_tokens
        index = parted_at(expected, got)
        if index is not None:
            # The 1.5B's own token there (or, where it stopped, the token the other run wrote).
            split = [r.probabilities[index] for r in (expected, got) if index < len(r.ends)]
            assert split[0] < NEAR_TIE, (cursor.file, index, split)
    assert drafted > 0


def test_a_cancel_during_verification_leaves_both_caches_usable(
    models: tuple[LlamaBackend, LlamaBackend],
) -> None:
    large, small = models
    speculative = SpeculativeModel(large, small, SpeculationOptions(DraftMode.MODEL))
    engine = CompletionEngine(LocalRunner(speculative))
    cursor = cursors(per_file=1, seed=5)[0]
    reference = ask(engine, cursor)
    cancel = CancelToken()
    verify = large.evaluate_batch

    def verify_then_cancel(tokens: Sequence[int]) -> npt.NDArray[np.float32]:
        rows = verify(tokens)
        cancel.cancel()  # a newer keystroke arrives while the batch runs
        return rows

    large.evaluate_batch = verify_then_cancel  # type: ignore[method-assign]
    try:
        with pytest.raises(GenerationCancelled):
            engine.complete(CursorText(cursor.prefix, cursor.suffix), OPTIONS, cancel)
    finally:
        del large.evaluate_batch
    assert ask(engine, cursor).raw_text == reference.raw_text
