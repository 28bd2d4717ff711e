"""The generation loop's control flow, with a scripted model (the real one is in tests/lsp)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from models.cancellation import CancelToken
from models.errors import GenerationCancelled
from models.generation import WorkMeter, generate

STOP = 0


class ScriptedModel:
    """Emits the bytes of `script` one character per token, then STOP."""

    def __init__(
        self, script: str, cancel_after: int | None = None, cancel: CancelToken | None = None
    ) -> None:
        self.script = script
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

    def greedy_next(self) -> int:
        self.calls += 1
        if self.cancel is not None and self.calls == self.cancel_after:
            self.cancel.cancel()
        if self.position >= len(self.script):
            return STOP
        self.position += 1
        return ord(self.script[self.position - 1])

    def accept(self, token: int) -> None:
        self.accepted.append(token)

    def is_stop(self, token: int) -> bool:
        return token == STOP

    def token_bytes(self, token: int) -> bytes:
        return chr(token).encode()


def test_stops_at_the_stop_token() -> None:
    result = generate(
        ScriptedModel("abc"), [1, 2], max_tokens=10, context_room=100, cancel=CancelToken()
    )
    assert result.raw_text == "abc"
    assert result.stats.stop_reason == "stop-token"
    assert result.stats.generated_tokens == 3
    assert result.stats.prompt_tokens == 2


def test_max_tokens_and_context_room_bound_the_output() -> None:
    assert (
        generate(
            ScriptedModel("abcdef"), [1], max_tokens=4, context_room=100, cancel=CancelToken()
        ).raw_text
        == "abcd"
    )
    result = generate(
        ScriptedModel("abcdef"), [1], max_tokens=4, context_room=2, cancel=CancelToken()
    )
    assert result.raw_text == "ab"
    assert result.stats.stop_reason == "context-full"


def test_is_finished_is_asked_at_line_ends_and_stops_early() -> None:
    model = ScriptedModel("one\ntwo\nthree\n")
    result = generate(
        model,
        [1],
        max_tokens=50,
        context_room=100,
        cancel=CancelToken(),
        is_finished=lambda text: text.count("\n") >= 2,
    )
    assert result.raw_text == "one\ntwo\n"
    assert result.stats.stop_reason == "finished"
    assert model.position == len("one\ntwo\n")  # nothing generated past the stop


def test_cancel_stops_within_one_token() -> None:
    cancel = CancelToken()
    model = ScriptedModel("x" * 100, cancel_after=5, cancel=cancel)
    meter = WorkMeter()
    with pytest.raises(GenerationCancelled):
        generate(model, [1, 2, 3], max_tokens=100, context_room=1000, cancel=cancel, meter=meter)
    assert model.calls == 5  # the token picked when the flag went up was the last one
    # The work done before the cancel is still on the meter.
    assert meter.prompt_tokens_evaluated == 3
    assert meter.generated_tokens == 5


def test_cancelled_before_start_touches_nothing() -> None:
    cancel = CancelToken()
    cancel.cancel()
    model = ScriptedModel("abc")
    with pytest.raises(GenerationCancelled):
        generate(model, [1], max_tokens=10, context_room=100, cancel=cancel)
    assert model.calls == 0


def test_multibyte_characters_split_across_tokens_decode_whole() -> None:
    class ByteModel(ScriptedModel):
        def token_bytes(self, token: int) -> bytes:
            return bytes([token])

    data = "é🎉".encode()
    model = ByteModel("".join(chr(b) for b in data))
    assert (
        generate(model, [1], max_tokens=20, context_room=100, cancel=CancelToken()).raw_text
        == "é🎉"
    )
