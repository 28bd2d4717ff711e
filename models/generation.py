"""The generation loop: evaluate a prompt, then pick tokens greedily until a stop rule fires.

Greedy decoding (temperature 0) keeps suggestions deterministic, so that cached and uncached
runs can be compared exactly. The loop checks the cancel token between prompt chunks and between
tokens, and asks the caller's `is_finished` after every line so that text which post-processing
would cut is never generated. A healed prompt (`models/token_healing.py`) constrains the first
tokens to those that spell the cut text again; the text returned starts after it. A time budget
stops decoding at the first line end past it (the caller keeps the complete lines).
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from models.cancellation import CancelToken
from models.token_healing import consume


@dataclass
class WorkMeter:
    """Tokens of work done so far, counted as the work happens: readable after a cancel too,
    so that cancelled work is reported, not hidden."""

    prompt_tokens_reused: int = 0
    prompt_tokens_evaluated: int = 0
    generated_tokens: int = 0


class TokenModel(Protocol):
    """What the loop needs from a backend (models/llama_backend.py, or a fake in unit tests)."""

    def evaluate_prompt(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool = True,
    ) -> None:
        """Make the context hold `tokens`, counting reused and evaluated tokens in `meter`."""
        ...

    def greedy_next(self, allowed: npt.NDArray[np.int64] | None = None) -> int:
        """The most likely next token (among `allowed` when given)."""
        ...

    def continuations(self, removed: bytes) -> npt.NDArray[np.int64]:
        """The tokens that may come first after `removed` was cut from the prompt's end."""
        ...

    def accept(self, token: int) -> None:
        """Append a generated token to the context."""
        ...

    def is_stop(self, token: int) -> bool: ...

    def token_bytes(self, token: int) -> bytes: ...


TRUNCATING_STOPS = frozenset({"max-tokens", "time-limit", "context-full"})


@dataclass(frozen=True)
class GenerationStats:
    prompt_tokens: int
    prompt_tokens_reused: int
    prompt_tokens_evaluated: int
    generated_tokens: int
    prompt_seconds: float
    total_seconds: float
    cpu_seconds: float
    stop_reason: str
    """"stop-token", "finished" (a post-processing stop rule), "max-tokens", "time-limit" (a
    line ended past the time budget) or "context-full"."""

    @property
    def truncated(self) -> bool:
        """The text was cut by a limit, not by the model or a stop rule: its last line may be
        unfinished."""
        return self.stop_reason in TRUNCATING_STOPS

    @classmethod
    def nothing(cls, stop_reason: str, seconds: float) -> GenerationStats:
        """A request answered without inference (a cache hit, a skipped request)."""
        return cls(0, 0, 0, 0, 0.0, seconds, 0.0, stop_reason)


@dataclass(frozen=True)
class Generation:
    raw_text: str
    stats: GenerationStats


def generate(
    model: TokenModel,
    prompt: Sequence[int],
    *,
    max_tokens: int,
    context_room: int,
    cancel: CancelToken,
    is_finished: Callable[[str], bool] = lambda _text: False,
    reuse_prefix: bool = True,
    meter: WorkMeter | None = None,
    healed: str = "",
    max_seconds: float | None = None,
) -> Generation:
    """Generate up to `max_tokens` after `prompt`; raises GenerationCancelled when cancelled.

    `healed`: the text cut from the end of the prompt's prefix, which the first tokens must
    reproduce (the text returned starts after it). `max_seconds`: past this time since the
    start, decoding stops at the next line end."""
    started = time.perf_counter()
    deadline = None if max_seconds is None else started + max_seconds
    cpu_started = time.process_time()
    cancel.raise_if_cancelled()
    meter = meter if meter is not None else WorkMeter()
    model.evaluate_prompt(prompt, cancel, meter, reuse_prefix)
    prompt_done = time.perf_counter()

    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = ""
    generated = 0
    stop_reason = "max-tokens"
    limit = min(max_tokens, context_room)
    pending = healed.encode()
    while generated < limit:
        cancel.raise_if_cancelled()
        allowed = model.continuations(pending) if pending else None
        if allowed is not None and allowed.size == 0:
            pending, allowed = b"", None  # nothing spells it: generate unconstrained
        token = model.greedy_next(allowed)
        if model.is_stop(token):
            stop_reason = "stop-token"
            break
        generated += 1
        meter.generated_tokens += 1
        piece_bytes = model.token_bytes(token)
        if pending:
            pending, piece_bytes = consume(pending, piece_bytes)
        piece = decoder.decode(piece_bytes)
        text += piece
        if "\n" in piece:
            if is_finished(text):
                stop_reason = "finished"
                break
            if deadline is not None and time.perf_counter() > deadline:
                stop_reason = "time-limit"
                break
        if generated < limit:
            model.accept(token)
    else:
        if limit < max_tokens:
            stop_reason = "context-full"
    text += decoder.decode(b"", final=True)
    if stop_reason == "max-tokens" and is_finished(text):
        stop_reason = "finished"
    finished = time.perf_counter()
    return Generation(
        raw_text=text,
        stats=GenerationStats(
            prompt_tokens=len(prompt),
            prompt_tokens_reused=meter.prompt_tokens_reused,
            prompt_tokens_evaluated=meter.prompt_tokens_evaluated,
            generated_tokens=generated,
            prompt_seconds=prompt_done - started,
            total_seconds=finished - started,
            cpu_seconds=time.process_time() - cpu_started,
            stop_reason=stop_reason,
        ),
    )
