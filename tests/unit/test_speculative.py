"""Speculative decoding's acceptance logic on scripted models: the text is the large model's own.

The scripted "large model" is a fixed rule from the text so far to logits over a small byte
vocabulary, so greedy decoding, batches and rollbacks can be checked exactly; the draft follows
the same rule except where it is told to be wrong. The real models are in
tests/model/test_speculative_equivalence.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pytest

from models.cancellation import CancelToken
from models.confidence import ConfidenceRule
from models.errors import GenerationCancelled
from models.fim_formats import FimTokens
from models.generation import (
    Decoding,
    Generation,
    Pick,
    WorkMeter,
    generate,
    pick_from_logits,
)
from models.ngram_draft import lookup_drafts
from models.speculative import DraftMode, SpeculationOptions, SpeculativeModel

VOCAB = 32
STOP = 0
NEWLINE = 1
ALPHABET = "\x00\nabcdefghijklmnopqrstuvwxyz .,()"


def rule(sequence: Sequence[int]) -> npt.NDArray[np.float32]:
    """The scripted model's logits after `sequence`: a deterministic, repetitive language."""
    logits = np.zeros(VOCAB, dtype=np.float32)
    best = (sequence[-1] * 7 + len(sequence) // 3) % (VOCAB - 2) + 2
    logits[best] = 8.0
    logits[(best + 5) % (VOCAB - 2) + 2] = 7.9 if len(sequence) % 7 == 0 else 6.0
    if len(sequence) % 11 == 0:
        logits[NEWLINE] = 10.0
    if len(sequence) > 60:
        logits[STOP] = 20.0
    return logits


class Vocabulary:
    def continuations(self, removed: bytes) -> npt.NDArray[np.int64]:
        return np.array(
            [
                t
                for t in range(2, VOCAB)
                if self.token_bytes(t).startswith(removed)
                or removed.startswith(self.token_bytes(t))
            ],
            dtype=np.int64,
        )

    def is_stop(self, token: int) -> bool:
        return token == STOP

    def token_bytes(self, token: int) -> bytes:
        return ALPHABET[token].encode() if token else b""


class Target(Vocabulary):
    """The large model: one-token steps and verification batches, both counted."""

    def __init__(self, on_batch: Callable[[int], None] = lambda _n: None) -> None:
        self.sequence: list[int] = []
        self.single_steps = 0
        self.batches: list[int] = []
        self.on_batch = on_batch
        self.context_length = 4096
        self.fim = FimTokens("scripted", 29, 30, 31, frozenset({29, 30, 31}))
        self.bos_id: int | None = None

    def tokenize(self, text: str) -> list[int]:
        return [ALPHABET.index(c) for c in text]

    def count_tokens(self, text: str) -> int:
        return len(text)

    @property
    def cached_tokens(self) -> list[int]:
        return list(self.sequence)

    def evaluate_prompt(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool = True,
    ) -> None:
        del reuse_prefix
        cancel.raise_if_cancelled()
        kept = 0
        while kept < min(len(tokens), len(self.sequence)) and tokens[kept] == self.sequence[kept]:
            kept += 1
        meter.prompt_tokens_reused += kept
        meter.prompt_tokens_evaluated += len(tokens) - kept
        self.sequence = list(tokens)

    def evaluate_whole_chunks(
        self, tokens: Sequence[int], cancel: CancelToken, meter: WorkMeter, reuse_prefix: bool
    ) -> None:
        self.evaluate_prompt(tokens, cancel, meter, reuse_prefix)

    def pick_next(self, allowed: npt.NDArray[np.int64] | None = None) -> Pick:
        return pick_from_logits(rule(self.sequence), allowed)

    def accept(self, token: int) -> None:
        self.sequence.append(token)
        self.single_steps += 1

    def evaluate_batch(self, tokens: Sequence[int]) -> npt.NDArray[np.float32]:
        self.batches.append(len(tokens))
        rows = []
        for token in tokens:
            self.sequence.append(token)
            rows.append(rule(self.sequence))
        self.on_batch(len(self.batches))
        return np.array(rows)

    def truncate(self, length: int) -> None:
        del self.sequence[length:]


class Draft(Vocabulary):
    """The rule, wrong where `wrong(length)` says; every evaluated token counted."""

    def __init__(
        self,
        wrong: Callable[[int], bool] = lambda _n: False,
        on_step: Callable[[], None] = lambda: None,
    ) -> None:
        self.sequence: list[int] = []
        self.wrong = wrong
        self.evaluated = 0
        self.appends: list[int] = []
        self.on_step = on_step

    @property
    def cached_tokens(self) -> list[int]:
        return list(self.sequence)

    def truncate(self, length: int) -> None:
        del self.sequence[length:]

    def append(self, tokens: Sequence[int]) -> None:
        self.sequence += tokens
        self.evaluated += len(tokens)
        self.appends.append(len(tokens))

    def pick_next(self, allowed: npt.NDArray[np.int64] | None = None) -> Pick:
        token, probability = pick_from_logits(rule(self.sequence), allowed)
        if self.wrong(len(self.sequence)):
            token = (token + 1) % (VOCAB - 2) + 2
        return Pick(token, probability)

    def accept(self, token: int) -> None:
        self.on_step()
        self.append([token])


PROMPTS = ([5, 9, 2, 7], [3, 3, 3], [12, 4, 12, 4, 12], [30, 2, 8, 19, 23, 5, 6])


def run(
    model: object,
    prompt: Sequence[int],
    cancel: CancelToken | None = None,
    meter: WorkMeter | None = None,
    **decoding: object,
) -> Generation:
    options: dict[str, object] = {"max_tokens": 40, "context_room": 1000, **decoding}
    limits = Decoding(**options)  # type: ignore[arg-type]
    return generate(model, prompt, limits, cancel or CancelToken(), meter)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", [DraftMode.MODEL, DraftMode.NGRAM, DraftMode.AUTO])
@pytest.mark.parametrize("prompt", PROMPTS)
def test_text_and_probabilities_equal_the_large_models_own(
    mode: DraftMode, prompt: list[int]
) -> None:
    alone = run(Target(), prompt)
    draft = Draft(wrong=lambda n: n % 4 == 0)
    speculative = run(SpeculativeModel(Target(), draft, SpeculationOptions(mode)), prompt)
    assert speculative.raw_text == alone.raw_text
    assert speculative.probabilities == alone.probabilities
    assert speculative.stats.stop_reason == alone.stats.stop_reason
    assert speculative.stats.generated_tokens == alone.stats.generated_tokens


def test_a_perfect_draft_needs_fewer_forward_passes_and_every_draft_counts() -> None:
    target = Target()
    options = SpeculationOptions(DraftMode.MODEL, max_drafts=4, stop_at_line_end=False)
    generation = run(SpeculativeModel(target, Draft(), options), PROMPTS[0], max_tokens=30)
    assert target.single_steps == 0
    assert len(target.batches) < generation.stats.generated_tokens
    assert max(target.batches) == 5  # the model's own token and four drafts
    stats = generation.stats
    assert stats.drafted_tokens > 0
    assert stats.accepted_drafts + stats.rejected_drafts == stats.drafted_tokens


def test_a_rejected_draft_rolls_the_large_model_back_to_the_accepted_text() -> None:
    target = Target()
    draft = Draft(wrong=lambda n: n % 3 == 0)
    options = SpeculationOptions(DraftMode.MODEL, max_drafts=5, stop_at_line_end=False)
    model = SpeculativeModel(target, draft, options)
    generation = run(model, PROMPTS[3], max_tokens=25)
    assert generation.stats.rejected_drafts > 0
    accepted = PROMPTS[3] + [ALPHABET.index(c) for c in generation.raw_text]
    # The target holds the accepted text (all but the last token), then unreached drafts.
    assert target.sequence[: len(accepted) - 1] == accepted[:-1]
    # The next prompt starts from the prompt: batch-evaluated tokens are never reused.
    target.accept(STOP)
    model.evaluate_prompt(accepted, CancelToken(), WorkMeter())
    assert target.sequence == accepted


def test_drafts_end_at_a_line_break() -> None:
    target = Target()
    options = SpeculationOptions(DraftMode.MODEL, max_drafts=30)
    run(SpeculativeModel(target, Draft(), options), PROMPTS[0], max_tokens=30)
    assert max(target.batches) <= 12  # a line break at least every 11 positions


def test_the_draft_model_reuses_its_prefix_across_prompts() -> None:
    draft = Draft()
    model = SpeculativeModel(Target(), draft, SpeculationOptions(DraftMode.MODEL))
    prompt = [4, 8, 15, 16, 23, 29, 2, 3, 5, 7, 11, 13, 17, 19]
    run(model, prompt, max_tokens=3)
    assert draft.appends[0] == len(prompt) + 1  # the prompt and the first generated token
    before = len(draft.appends)
    run(model, [*prompt, 20], max_tokens=3)  # a keystroke: one more prompt token
    assert draft.appends[before] == 2  # that token and the first generated one


def test_healing_constraints_and_the_confidence_cut_apply_to_the_large_models_logits() -> None:
    for kwargs in ({"healed": "fe"}, {"confidence": ConfidenceRule(min_token=0.6)}):
        alone = run(Target(), PROMPTS[2], **kwargs)
        model = SpeculativeModel(Target(), Draft(wrong=lambda n: n % 2 == 0))
        speculative = run(model, PROMPTS[2], **kwargs)
        assert speculative.raw_text == alone.raw_text
        assert speculative.stats.stop_reason == alone.stats.stop_reason


def test_a_cancel_during_verification_stops_before_the_next_token() -> None:
    cancel = CancelToken()

    def cancel_on_second(batch: int) -> None:
        if batch == 2:
            cancel.cancel()

    target = Target(on_batch=cancel_on_second)
    model = SpeculativeModel(target, Draft(wrong=lambda n: n % 2 == 0))
    meter = WorkMeter()
    with pytest.raises(GenerationCancelled):
        run(model, PROMPTS[0], cancel=cancel, meter=meter)
    assert len(target.batches) == 2
    assert meter.generated_tokens <= sum(target.batches)


def test_a_cancel_between_draft_steps_skips_the_verification() -> None:
    cancel = CancelToken()
    steps = 0

    def count_step() -> None:
        nonlocal steps
        steps += 1
        if steps == 3:
            cancel.cancel()

    target = Target()
    options = SpeculationOptions(DraftMode.MODEL, max_drafts=8, stop_at_line_end=False)
    model = SpeculativeModel(target, Draft(on_step=count_step), options)
    with pytest.raises(GenerationCancelled):
        run(model, PROMPTS[1], cancel=cancel)
    assert target.batches == []


def test_lookup_drafts_continue_the_latest_longest_earlier_match() -> None:
    assert lookup_drafts([1, 2, 3, 4, 9, 1, 2, 3], 3) == [4, 9, 1]
    assert lookup_drafts([1, 2, 5, 7, 2, 6, 8, 1, 2], 2) == [5, 7]
    assert lookup_drafts([7, 7, 1, 2, 8, 3, 1, 2], 5) == [8, 3, 1, 2]
    assert lookup_drafts([1, 2, 3, 4], 4) == []
    assert lookup_drafts([5, 1, 5], 4) == []  # one token alone is not a match
    assert lookup_drafts([1, 2, 1, 2], 0) == []


def test_a_document_state_put_back_is_not_cut_to_the_last_prompt() -> None:
    target = Target()
    model = SpeculativeModel(target, Draft(), SpeculationOptions(DraftMode.MODEL))
    run(model, PROMPTS[0], max_tokens=5)
    other = [9, 9, 8, 8, 7, 7, 6, 6]  # another document's parked state, restored
    target.sequence = list(other)
    meter = WorkMeter()
    model.evaluate_prompt([*other, 5], CancelToken(), meter)
    assert meter.prompt_tokens_reused == len(other)


def test_hover_shows_drafted_accepted_and_rejected_tokens() -> None:
    from lsp_server.text_format import cost_markdown  # noqa: PLC0415 - the one LSP-side check

    stats = run(SpeculativeModel(Target(), Draft(wrong=lambda n: n % 3 == 0)), PROMPTS[1]).stats
    line = f"- drafts: {stats.drafted_tokens} drafted, {stats.accepted_drafts} accepted, "
    assert line in cost_markdown(stats)


def test_speculating_loads_the_draft_model_only_when_it_helps() -> None:
    from pathlib import Path  # noqa: PLC0415

    from models.errors import ModelError  # noqa: PLC0415
    from models.speculative import speculating  # noqa: PLC0415

    target, loads = Target(), []

    def load(path: Path) -> Draft:
        loads.append(path)
        return Draft()

    big, small = Path("large.gguf"), Path("small.gguf")
    assert speculating(target, "off", big, lambda: small, load) == (target, None)  # type: ignore[arg-type]
    model, draft = speculating(target, "auto", big, lambda: small, load)  # type: ignore[arg-type]
    assert isinstance(model, SpeculativeModel) and draft is not None and loads == [small]
    model, draft = speculating(target, "model", small, lambda: small, load)  # type: ignore[arg-type]
    assert isinstance(model, SpeculativeModel) and draft is None  # the 0.5B drafting for itself

    def missing(_path: Path) -> Draft:
        raise ModelError("no such file")

    model, draft = speculating(target, "model", big, lambda: small, missing)  # type: ignore[arg-type]
    assert isinstance(model, SpeculativeModel) and model.options.mode is DraftMode.NGRAM
