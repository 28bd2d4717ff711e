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
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from models.cancellation import CancelToken
from models.confidence import SHOW_ALL, ConfidenceRule
from models.token_healing import consume


@dataclass
class WorkMeter:
    """Tokens of work done so far, counted as the work happens: readable after a cancel too,
    so that cancelled work is reported, not hidden."""

    prompt_tokens_reused: int = 0
    prompt_tokens_evaluated: int = 0
    generated_tokens: int = 0
    drafted_tokens: int = 0
    """Speculative decoding (`models/speculative.py`): tokens proposed for verification..."""
    accepted_drafts: int = 0
    """...and those of them that the model's own greedy choice confirmed."""
    draft_tokens_evaluated: int = 0
    """Tokens the draft model evaluated (its prompt and its drafting steps)."""


class Pick(NamedTuple):
    token: int
    probability: float


def pick_from_logits(
    logits: npt.NDArray[np.float32], allowed: npt.NDArray[np.int64] | None = None
) -> Pick:
    """The greedy choice from one position's logits (among `allowed` when given) and its
    probability (its share of `allowed`'s probability, when given)."""
    candidates = logits if allowed is None else logits[allowed]
    best = int(np.argmax(candidates))
    # The softmax's denominator over the candidates: ~0.3 ms over the whole vocabulary.
    total = float(np.exp(candidates - candidates[best]).sum())
    token = best if allowed is None else int(allowed[best])
    return Pick(token, 1.0 / total)


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

    def pick_next(self, allowed: npt.NDArray[np.int64] | None = None) -> Pick:
        """The most likely next token (among `allowed` when given) and its probability (the
        share of `allowed`'s probability, when given)."""
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
    line ended past the time budget), "context-full", "unconfident" (the confidence rule cut
    the text before a token) or "unhealed" (a remote stream did not spell the healed text)."""
    drafted_tokens: int = 0
    """Speculative decoding: tokens drafted and verified in a batch (0: not speculating)."""
    accepted_drafts: int = 0
    """Drafted tokens the model's own greedy choice confirmed; the rest were rejected."""

    @property
    def rejected_drafts(self) -> int:
        return self.drafted_tokens - self.accepted_drafts

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
    probabilities: tuple[float, ...] = ()
    """Each token's probability, for the tokens that wrote `raw_text` (not those that only
    spelled healed text again)."""
    ends: tuple[int, ...] = ()
    """Where each of those tokens' text ends in `raw_text`."""


@dataclass
class _Written:
    """The text decoded so far, and the probability of each token that wrote some of it."""

    text: str = ""
    probabilities: list[float] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    running: float = 1.0
    """The product of `probabilities`."""

    def __post_init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def add(self, piece_bytes: bytes, probability: float) -> str:
        """Decode a token's bytes (none: it only spelled healed text); the text it adds."""
        piece = self._decoder.decode(piece_bytes)
        self.text += piece
        if piece_bytes:
            self.running *= probability
            self.probabilities.append(probability)
            self.ends.append(len(self.text))
        return piece

    def finish(self) -> str:
        self.text += self._decoder.decode(b"", final=True)
        return self.text


def never_finished(_text: str) -> bool:
    """No text makes the whole suggestion before a stop rule fires."""
    return False


@dataclass(frozen=True)
class Decoding:
    """How far one generation may go, and what its first tokens must spell."""

    max_tokens: int
    context_room: int
    """Tokens the context has left after the prompt."""
    is_finished: Callable[[str], bool] = never_finished
    """Asked after every line: whether the text so far already makes the whole suggestion."""
    reuse_prefix: bool = True
    healed: str = ""
    """The text cut from the end of the prompt's prefix, which the first tokens must
    reproduce (the text returned starts after it)."""
    max_seconds: float | None = None
    """Past this time since the start, decoding stops at the next line end."""
    confidence: ConfidenceRule = SHOW_ALL
    """Decoding stops before the first token that the rule would not show."""


def generate(
    model: TokenModel,
    prompt: Sequence[int],
    decoding: Decoding,
    cancel: CancelToken,
    meter: WorkMeter | None = None,
) -> Generation:
    """Generate after `prompt` as `decoding` allows; raises GenerationCancelled when cancelled."""
    max_tokens, is_finished = decoding.max_tokens, decoding.is_finished
    max_seconds, confidence = decoding.max_seconds, decoding.confidence
    started = time.perf_counter()
    deadline = None if max_seconds is None else started + max_seconds
    cpu_started = time.process_time()
    cancel.raise_if_cancelled()
    meter = meter if meter is not None else WorkMeter()
    model.evaluate_prompt(prompt, cancel, meter, decoding.reuse_prefix)
    prompt_done = time.perf_counter()

    written = _Written()
    generated = 0
    stop_reason = "max-tokens"
    limit = min(max_tokens, decoding.context_room)
    pending = decoding.healed.encode()
    while generated < limit:
        cancel.raise_if_cancelled()
        allowed = model.continuations(pending) if pending else None
        if allowed is not None and allowed.size == 0:
            pending, allowed = b"", None  # nothing spells it: generate unconstrained
        token, probability = model.pick_next(allowed)
        if model.is_stop(token):
            stop_reason = "stop-token"
            break
        piece_bytes = model.token_bytes(token)
        if pending:
            pending, piece_bytes = consume(pending, piece_bytes)
        if piece_bytes and confidence.cuts(probability, written.running, written.text):
            stop_reason = "unconfident"
            break
        generated += 1
        meter.generated_tokens += 1
        if "\n" in written.add(piece_bytes, probability):
            if is_finished(written.text):
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
    text = written.finish()
    if stop_reason == "max-tokens" and is_finished(text):
        stop_reason = "finished"
    finished = time.perf_counter()
    return Generation(
        probabilities=tuple(written.probabilities),
        ends=tuple(written.ends),
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
            drafted_tokens=meter.drafted_tokens,
            accepted_drafts=meter.accepted_drafts,
        ),
    )
