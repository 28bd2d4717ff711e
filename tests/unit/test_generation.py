"""The generation loop's control flow, with a scripted model (the real one is in tests/lsp)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from models.cancellation import CancelToken
from models.confidence import ConfidenceRule
from models.errors import GenerationCancelled
from models.generation import Decoding, Pick, WorkMeter, generate
from models.token_healing import VocabIndex

STOP = 0


class ScriptedModel:
    """Emits the bytes of `script` one character per token, then STOP."""

    def __init__(
        self,
        script: str,
        cancel_after: int | None = None,
        cancel: CancelToken | None = None,
        probabilities: Sequence[float] = (),
    ) -> None:
        self.script = script
        self.probabilities = probabilities
        self.position = 0
        self.accepted: list[int] = []
        self.cancel_after = cancel_after
        self.cancel = cancel
        self.calls = 0

    def evaluate_prompt(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool = True,  # noqa: ARG002 - a scripted model has no cache
    ) -> None:
        cancel.raise_if_cancelled()
        meter.prompt_tokens_evaluated += len(tokens)

    def continuations(self, removed: bytes) -> npt.NDArray[np.int64]:
        return np.array([ord(c) for c in removed.decode()[:1]], dtype=np.int64)

    def pick_next(self, allowed: npt.NDArray[np.int64] | None = None) -> Pick:
        del allowed  # one character per token: the script spells what is cut itself
        self.calls += 1
        if self.cancel is not None and self.calls == self.cancel_after:
            self.cancel.cancel()
        if self.position >= len(self.script):
            return Pick(STOP, 1.0)
        self.position += 1
        return Pick(ord(self.script[self.position - 1]), self.probability(self.position - 1))

    def probability(self, index: int) -> float:
        return self.probabilities[index] if index < len(self.probabilities) else 1.0

    def accept(self, token: int) -> None:
        self.accepted.append(token)

    def is_stop(self, token: int) -> bool:
        return token == STOP

    def token_bytes(self, token: int) -> bytes:
        return chr(token).encode()


def test_stops_at_the_stop_token() -> None:
    result = generate(
        ScriptedModel("abc"),
        [1, 2],
        Decoding(max_tokens=10, context_room=100),
        cancel=CancelToken(),
    )
    assert result.raw_text == "abc"
    assert result.stats.stop_reason == "stop-token"
    assert result.stats.generated_tokens == 3
    assert result.stats.prompt_tokens == 2


def test_max_tokens_and_context_room_bound_the_output() -> None:
    assert (
        generate(
            ScriptedModel("abcdef"),
            [1],
            Decoding(max_tokens=4, context_room=100),
            cancel=CancelToken(),
        ).raw_text
        == "abcd"
    )
    result = generate(
        ScriptedModel("abcdef"), [1], Decoding(max_tokens=4, context_room=2), cancel=CancelToken()
    )
    assert result.raw_text == "ab"
    assert result.stats.stop_reason == "context-full"


def test_is_finished_is_asked_at_line_ends_and_stops_early() -> None:
    model = ScriptedModel("one\ntwo\nthree\n")
    result = generate(
        model,
        [1],
        Decoding(max_tokens=50, context_room=100, is_finished=lambda text: text.count("\n") >= 2),
        cancel=CancelToken(),
    )
    assert result.raw_text == "one\ntwo\n"
    assert result.stats.stop_reason == "finished"
    assert model.position == len("one\ntwo\n")  # nothing generated past the stop


def test_cancel_stops_within_one_token() -> None:
    cancel = CancelToken()
    model = ScriptedModel("x" * 100, cancel_after=5, cancel=cancel)
    meter = WorkMeter()
    with pytest.raises(GenerationCancelled):
        generate(
            model,
            [1, 2, 3],
            Decoding(max_tokens=100, context_room=1000),
            cancel=cancel,
            meter=meter,
        )
    assert model.calls == 5  # the token picked when the flag went up was the last one
    # The work done before the cancel is still on the meter.
    assert meter.prompt_tokens_evaluated == 3
    assert meter.generated_tokens == 5


def test_cancelled_before_start_touches_nothing() -> None:
    cancel = CancelToken()
    cancel.cancel()
    model = ScriptedModel("abc")
    with pytest.raises(GenerationCancelled):
        generate(model, [1], Decoding(max_tokens=10, context_room=100), cancel=cancel)
    assert model.calls == 0


def test_multibyte_characters_split_across_tokens_decode_whole() -> None:
    class ByteModel(ScriptedModel):
        def token_bytes(self, token: int) -> bytes:
            return bytes([token])

    data = "é🎉".encode()
    model = ByteModel("".join(chr(b) for b in data))
    assert (
        generate(
            model, [1], Decoding(max_tokens=20, context_room=100), cancel=CancelToken()
        ).raw_text
        == "é🎉"
    )


def test_a_line_end_past_the_time_budget_stops_decoding() -> None:
    model = ScriptedModel("one\ntwo\nthree\n")
    result = generate(
        model, [1], Decoding(max_tokens=50, context_room=100, max_seconds=0.0), cancel=CancelToken()
    )
    assert result.raw_text == "one\n"
    assert result.stats.stop_reason == "time-limit"
    assert result.stats.truncated


def test_the_time_budget_never_stops_a_line_midway() -> None:
    result = generate(
        ScriptedModel("abc"),
        [1],
        Decoding(max_tokens=50, context_room=100, max_seconds=0.0),
        cancel=CancelToken(),
    )
    assert result.raw_text == "abc"
    assert result.stats.stop_reason == "stop-token"


class PreferringModel:
    """A vocabulary of whole pieces and, per step, the pieces the model likes in order: it
    picks the first one allowed (a stand-in for the argmax over allowed logits)."""

    VOCAB = ("<stop>", " ", "  ", "   ", "    ", " return", "return", " x", "\n")

    def __init__(self, preferences: Sequence[Sequence[str]]) -> None:
        self.preferences = list(preferences)
        self.index = VocabIndex([p.encode() for p in self.VOCAB], excluded=frozenset({0}))
        self.step = 0

    def evaluate_prompt(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool = True,
    ) -> None:
        del tokens, cancel, meter, reuse_prefix

    def continuations(self, removed: bytes) -> npt.NDArray[np.int64]:
        return self.index.continuations(removed)

    def pick_next(self, allowed: npt.NDArray[np.int64] | None = None) -> Pick:
        liked = self.preferences[self.step] if self.step < len(self.preferences) else ["<stop>"]
        self.step += 1
        ids = [self.VOCAB.index(piece) for piece in liked]
        return Pick(next(i for i in ids if allowed is None or i in set(allowed.tolist())), 1.0)

    def accept(self, token: int) -> None:
        del token

    def is_stop(self, token: int) -> bool:
        return token == 0

    def token_bytes(self, token: int) -> bytes:
        return self.VOCAB[token].encode()


def test_healing_regrows_the_cut_indentation_and_returns_what_follows_it() -> None:
    # Unconstrained, the model writes its word with a leading space: one column too deep.
    plain = generate(
        PreferringModel([[" return"], [" x"]]),
        [1],
        Decoding(max_tokens=9, context_room=99),
        cancel=CancelToken(),
    )
    assert plain.raw_text == " return x"
    healed = generate(
        PreferringModel([[" return", "   "], [" return"], [" x"]]),
        [1],
        Decoding(max_tokens=9, context_room=99, healed="    "),
        cancel=CancelToken(),
    )
    # "   " (allowed: a prefix of the cut text), then " return" (starts with the rest).
    assert healed.raw_text == "return x"
    assert healed.stats.generated_tokens == 3


def _unsure_at(index: int, length: int = 12) -> list[float]:
    return [0.9] * index + [0.05] * (length - index)


def test_every_written_token_keeps_its_probability_and_end() -> None:
    model = ScriptedModel("abc", probabilities=[0.5, 0.25, 1.0])
    result = generate(model, [1], Decoding(max_tokens=8, context_room=100), cancel=CancelToken())
    assert result.raw_text == "abc"
    assert result.probabilities == (0.5, 0.25, 1.0)
    assert result.ends == (1, 2, 3)


def test_decoding_stops_before_the_first_token_below_the_threshold() -> None:
    model = ScriptedModel("return x\n", probabilities=_unsure_at(6))
    result = generate(
        model,
        [1],
        Decoding(max_tokens=16, context_room=100, confidence=ConfidenceRule(min_token=0.1)),
        cancel=CancelToken(),
    )
    assert result.raw_text == "return"
    assert result.stats.stop_reason == "unconfident"
    assert result.stats.generated_tokens == 6  # the unlikely token is never accepted


def test_the_running_product_rule_cuts_where_the_product_falls_below() -> None:
    model = ScriptedModel("abcdef", probabilities=[0.9] * 6)
    result = generate(
        model,
        [1],
        Decoding(max_tokens=16, context_room=100, confidence=ConfidenceRule(min_running=0.7)),
        cancel=CancelToken(),
    )
    assert result.raw_text == "abc"  # 0.9**3 = 0.729; 0.9**4 = 0.656
    assert ConfidenceRule(min_running=0.7).kept_tokens([0.9] * 6) == 3


def test_a_block_is_judged_by_its_first_token_only() -> None:
    """On a line of its own a cut leaves a half statement: the block is shown whole or not."""
    block = ConfidenceRule(min_running=0.7, first_token_only=True)
    whole = generate(
        ScriptedModel('"""x\ny', probabilities=[0.9, 0.5, 0.5, 0.9, 0.9, 0.9]),
        [1],
        Decoding(max_tokens=16, context_room=100, confidence=block),
        cancel=CancelToken(),
    )
    assert whole.raw_text == '"""x\ny'
    unsure_start = ScriptedModel("ab", probabilities=[0.5, 0.9])
    nothing = generate(
        unsure_start,
        [1],
        Decoding(max_tokens=8, context_room=100, confidence=block),
        cancel=CancelToken(),
    )
    assert nothing.raw_text == ""


def test_healing_tokens_are_not_judged_by_the_confidence_rule() -> None:
    """The tokens that only spell the typed text again are given, not guessed."""
    model = ScriptedModel("    x", probabilities=[0.01] * 4 + [0.9])
    result = generate(
        model,
        [1],
        Decoding(
            max_tokens=16, context_room=100, healed="    ", confidence=ConfidenceRule(min_token=0.1)
        ),
        cancel=CancelToken(),
    )
    assert result.raw_text == "x"
    assert result.probabilities == (0.9,)
