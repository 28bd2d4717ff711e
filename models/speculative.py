"""Speculative decoding: a large model's own greedy output, several tokens per forward pass.

Decoding is bound by reading the weights once per token; evaluating a few tokens in one batch
costs about as much as one. So cheap guesses at the next tokens (drafts) are checked by the
large model in one batch, which yields its logits after every drafted position: the drafts are
kept while they equal its own greedy choice, and the first that differs is replaced by that
choice, so every round gains at least one token. The drafts come from the prompt itself
(`models/ngram_draft.py`, free) or from a small model with the same vocabulary (the 0.5B for
the 1.5B), which keeps its own KV cache in step with the accepted text and reuses its common
prefix across keystrokes like the large model does.

`SpeculativeModel` is a `TokenModel`: the generation loop (`models/generation.py`) runs on it
unchanged, so token healing's constraints, the confidence cut, the stop rules and the cancel
checks all apply to the large model's own logits. The cancel token is checked between draft
steps and before each verification. The last bits of a logit depend on the batch it was computed
in (see `llama_backend._plan_reuse`), so the text can differ from one-token-at-a-time decoding
where two tokens are nearly tied (measured: bench/experiments/speculative/README.md).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol, TypeVar, cast

import numpy as np
import numpy.typing as npt

from models.cancellation import CancelToken
from models.errors import ModelError
from models.fim_formats import FimTokens
from models.generation import Pick, TokenModel, WorkMeter, pick_from_logits
from models.local_runner import CompletionModel
from models.ngram_draft import lookup_drafts


class DraftMode(Enum):
    """Where drafts come from (`wattcode.model.draft`)."""

    OFF = "off"
    AUTO = "auto"
    """The prompt first (free), the draft model where the prompt has no match."""
    MODEL = "model"
    NGRAM = "ngram"

    @property
    def uses_model(self) -> bool:
        return self in (DraftMode.AUTO, DraftMode.MODEL)

    @property
    def uses_lookup(self) -> bool:
        return self in (DraftMode.AUTO, DraftMode.NGRAM)


DRAFT_CHOICES = tuple(mode.value for mode in DraftMode)


@dataclass(frozen=True)
class SpeculationOptions:
    mode: DraftMode = DraftMode.AUTO
    max_drafts: int = 6
    """Tokens drafted per round at most."""
    min_draft_probability: float = 0.5
    """The draft model stops drafting at a token it gives less than this."""
    stop_at_line_end: bool = True
    """A draft ends with its first line break: the caller's stop rules look at line ends, and
    a single-line suggestion ends there, so drafts past it would be verified in vain."""


class VerifyingModel(CompletionModel, Protocol):
    """The large model: a `CompletionModel` that also verifies a batch and forgets a tail."""

    @property
    def cached_tokens(self) -> list[int]: ...

    def evaluate_batch(self, tokens: Sequence[int]) -> npt.NDArray[np.float32]:
        """Evaluate `tokens` after the cached ones; the logits after each, one row each."""
        ...

    def truncate(self, length: int) -> None: ...


class DraftModel(Protocol):
    """The small model that drafts (models/llama_backend.py, or a script in unit tests)."""

    @property
    def cached_tokens(self) -> list[int]: ...

    def truncate(self, length: int) -> None: ...

    def append(self, tokens: Sequence[int]) -> None:
        """Evaluate `tokens` after the cached ones (one batch; the last one's logits kept)."""
        ...

    def pick_next(self, allowed: npt.NDArray[np.int64] | None = None) -> Pick: ...

    def accept(self, token: int) -> None: ...

    def is_stop(self, token: int) -> bool: ...

    def token_bytes(self, token: int) -> bytes: ...


def common_length(a: Sequence[int], b: Sequence[int]) -> int:
    """The length of the longest common prefix of two token sequences."""
    limit = min(len(a), len(b))
    left, right = np.asarray(a[:limit], dtype=np.int64), np.asarray(b[:limit], dtype=np.int64)
    mismatch = np.nonzero(left != right)[0]
    return int(mismatch[0]) if mismatch.size else limit


class SpeculativeModel(TokenModel):
    """The large model's greedy tokens, verified in batches of drafts (see the module doc)."""

    def __init__(
        self,
        target: VerifyingModel,
        draft: DraftModel | None,
        options: SpeculationOptions = SpeculationOptions(),
    ) -> None:
        self.target = target
        self.draft = draft
        self.options = options
        self.fim: FimTokens = target.fim
        self.bos_id: int | None = target.bos_id
        self.context_length: int = target.context_length
        self._tokens: list[int] = []
        """The prompt and the accepted tokens: what the target's greedy run would hold."""
        self._prompt_length = 0
        self._rows: deque[npt.NDArray[np.float32]] = deque()
        """Verified logits: the first is after `_tokens`, each next after the next draft."""
        self._drafts: deque[int] = deque()
        """The verified batch's drafts not yet reached, whose keys the target holds."""
        self._cancel = CancelToken()
        self._meter = WorkMeter()
        self._reuse = True

    # The CompletionModel surface, delegated to the large model.
    def tokenize(self, text: str) -> list[int]:
        return self.target.tokenize(text)

    def count_tokens(self, text: str) -> int:
        return self.target.count_tokens(text)

    def continuations(self, removed: bytes) -> npt.NDArray[np.int64]:
        return self.target.continuations(removed)

    def is_stop(self, token: int) -> bool:
        return self.target.is_stop(token)

    def token_bytes(self, token: int) -> bytes:
        return self.target.token_bytes(token)

    # Prompts.
    def evaluate_prompt(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool = True,
    ) -> None:
        self._start(tokens, cancel, meter, reuse_prefix)
        self.target.evaluate_prompt(tokens, cancel, meter, reuse_prefix)

    def evaluate_whole_chunks(
        self, tokens: Sequence[int], cancel: CancelToken, meter: WorkMeter, reuse_prefix: bool
    ) -> None:
        self._start(tokens, cancel, meter, reuse_prefix)
        self.target.evaluate_whole_chunks(tokens, cancel, meter, reuse_prefix)

    def _start(
        self, tokens: Sequence[int], cancel: CancelToken, meter: WorkMeter, reuse_prefix: bool
    ) -> None:
        # Tokens after the last prompt were evaluated in verification batches, not one at a
        # time as the canonical order has it: a next prompt must not reuse them.
        # (A document's state put back since then holds other tokens: it stays whole.)
        held = self.target.cached_tokens
        if common_length(held, self._tokens) > self._prompt_length:
            self.target.truncate(self._prompt_length)
        self._tokens = list(tokens)
        self._prompt_length = len(tokens)
        self._rows.clear()
        self._drafts.clear()
        self._cancel, self._meter, self._reuse = cancel, meter, reuse_prefix

    # Generation.
    def pick_next(self, allowed: npt.NDArray[np.int64] | None = None) -> Pick:
        if self._rows:
            return pick_from_logits(self._rows[0], allowed)
        return self.target.pick_next(allowed)

    def accept(self, token: int) -> None:
        self._tokens.append(token)
        if self._drafts and self._drafts[0] == token:
            self._drafts.popleft()
            self._rows.popleft()
            self._meter.accepted_drafts += 1
            return
        # The batch is used up, or the model chose otherwise: its keys past here are wrong.
        self.target.truncate(len(self._tokens) - 1)
        drafts = self._propose()
        self._cancel.raise_if_cancelled()
        rows = self.target.evaluate_batch([token, *drafts])
        self._meter.drafted_tokens += len(drafts)
        self._rows = deque(rows)
        self._drafts = deque(drafts)

    def _propose(self) -> list[int]:
        """Drafts for what follows `_tokens`: the prompt's own continuation, else the draft
        model's greedy one."""
        mode, limit = self.options.mode, self.options.max_drafts
        drafts = lookup_drafts(self._tokens, limit) if mode.uses_lookup else []
        if not drafts and mode.uses_model and self.draft is not None:
            drafts = self._model_drafts(self.draft, limit)
        if self.options.stop_at_line_end:
            for index, token in enumerate(drafts):
                if b"\n" in self.token_bytes(token):
                    return drafts[: index + 1]
        return drafts

    def _model_drafts(self, draft: DraftModel, limit: int) -> list[int]:
        self._sync_draft(draft)
        drafts: list[int] = []
        while len(drafts) < limit:
            token, probability = draft.pick_next()
            if draft.is_stop(token) or probability < self.options.min_draft_probability:
                break
            drafts.append(token)
            if len(drafts) == limit or (
                self.options.stop_at_line_end and b"\n" in draft.token_bytes(token)
            ):
                break
            self._cancel.raise_if_cancelled()
            draft.accept(token)
            self._meter.draft_tokens_evaluated += 1
        return drafts

    def _sync_draft(self, draft: DraftModel) -> None:
        """Make the draft model hold `_tokens`, the last one evaluated (its logits are next),
        reusing the longest prefix it holds (a keystroke: the prompt's few new tokens). Only
        when a draft is wanted: a suggestion that the prompt's own text drafts whole, or that
        ends at its first token, costs the draft model nothing."""
        tokens = self._tokens
        keep = common_length(draft.cached_tokens, tokens) if self._reuse else 0
        keep = min(keep, len(tokens) - 1)
        draft.truncate(keep)
        step = 64  # a chunk at a time, so that a cancel stops a long prompt quickly
        for start in range(keep, len(tokens), step):
            self._cancel.raise_if_cancelled()
            chunk = tokens[start : start + step]
            draft.append(chunk)
            self._meter.draft_tokens_evaluated += len(chunk)


Loaded = TypeVar("Loaded")
log = logging.getLogger(__name__)


def speculating(
    model: CompletionModel,
    mode: str,
    model_path: Path,
    draft_path: Callable[[], Path],
    load: Callable[[Path], Loaded],
) -> tuple[CompletionModel, Loaded | None]:
    """`model` as the generation loop should run it for `wattcode.model.draft` = `mode`, and
    the draft model loaded for it (the caller closes it). The draft model is the file that
    `draft_path` names, unless that is the model itself (nothing to gain): then `auto` drafts
    from the prompt alone and `model` not at all. A model that cannot verify a batch (a test's
    scripted model) runs as it is."""
    draft_mode = DraftMode(mode)
    if draft_mode is DraftMode.OFF or not hasattr(model, "evaluate_batch"):
        return model, None
    loaded = None
    try:
        if draft_mode.uses_model and (path := draft_path()) != model_path:
            loaded = load(path)
    except ModelError as exc:  # the large model still serves, drafting from the prompt
        log.warning("no draft model (%s); drafts come from the prompt alone", exc)
        draft_mode = DraftMode.NGRAM
    draft = cast("DraftModel | None", loaded)
    target = cast("VerifyingModel", model)
    return SpeculativeModel(target, draft, SpeculationOptions(draft_mode)), loaded
