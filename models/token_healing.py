"""Token healing at the end of the prompt: back up to a token boundary, then regrow the cut text.

A prompt that ends in the middle of what the model would write as one token makes the model
continue from a split it never saw in training: after a line indented by four spaces it writes
` return` (one column too deep), after `        ret` it writes ` = ...`, after `p.meth` it
starts a new statement. So the cut text leaves the prompt, and the first
generated tokens are constrained to those that spell it out again (a token that starts with the
rest of the cut text, or one that is a prefix of it); what the model writes past it is the
suggestion. `VocabIndex` answers "which tokens may come next" from the model's own vocabulary,
indexed once per model, so that a keystroke pays microseconds for it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np
import numpy.typing as npt

HEALED_WHITESPACE = " \t"
"""What is cut from the prompt's end: horizontal whitespace (a line break ends a token)."""

MAX_HEALED_CHARS = 32
"""A longer word at the cursor (a hash, a long literal) is not cut: too many forced steps."""


class HealingMode(Enum):
    """How much of the prompt's end is cut and regrown."""

    OFF = "off"
    WHITESPACE = "whitespace"
    """Only trailing spaces and tabs (indentation)."""
    TOKENS = "tokens"
    """The last piece the typed text may still be merged into: a partial word with the one
    character the tokenizer joins to its front, or a run of operator characters."""


@dataclass(frozen=True)
class HealedPrompt:
    """A prefix split at the last token boundary that the typed text does not cross."""

    prefix: str
    """The prefix that goes into the prompt."""
    removed: str
    """The typed text cut from its end, which the first generated tokens must reproduce."""


def healing_mode(enabled: bool, words: bool) -> HealingMode:
    """The mode that the two settings (`tokenHealing`, `healWords`) select."""
    if not enabled:
        return HealingMode.OFF
    return HealingMode.TOKENS if words else HealingMode.WHITESPACE


def heal_prefix(prefix: str, mode: HealingMode = HealingMode.TOKENS) -> HealedPrompt:
    """Cut the end of `prefix` that a token of the model may continue (see `HealingMode`)."""
    if mode is HealingMode.OFF:
        return HealedPrompt(prefix, "")
    kept = prefix.rstrip(HEALED_WHITESPACE)
    if kept != prefix or mode is HealingMode.WHITESPACE:
        return HealedPrompt(kept, prefix[len(kept) :])
    start = _last_piece_start(prefix)
    if len(prefix) - start > MAX_HEALED_CHARS:
        return HealedPrompt(prefix, "")
    return HealedPrompt(prefix[:start], prefix[start:])


def _last_piece_start(prefix: str) -> int:
    """Where the last pre-token of `prefix` starts, as the byte-level BPE tokenizers of code
    models split text: a run of word characters takes one leading space or punctuation
    character with it (` ret`, `.meth`), a run of punctuation one leading space (` ==`)."""
    start = len(prefix)
    if _is_word(prefix[-1:]):
        while start and _is_word(prefix[start - 1]):
            start -= 1
        if start and prefix[start - 1] not in "\r\n":
            start -= 1
        return start
    while start and not prefix[start - 1].isspace() and not _is_word(prefix[start - 1]):
        start -= 1
    if start < len(prefix) and prefix[start - 1 : start] == " ":
        start -= 1
    return start


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class VocabIndex:
    """The vocabulary's byte strings, sorted, to find the tokens that continue a cut text."""

    def __init__(self, pieces: Sequence[bytes], excluded: frozenset[int] = frozenset()) -> None:
        """`pieces[i]` is token i's bytes; `excluded` (control and stop tokens) never qualify."""
        entries = sorted(
            (piece, token) for token, piece in enumerate(pieces) if piece and token not in excluded
        )
        self._keys = [piece for piece, _ in entries]
        self._ids = np.array([token for _, token in entries], dtype=np.int64)
        self._exact: dict[bytes, list[int]] = {}
        for piece, token in entries:
            self._exact.setdefault(piece, []).append(token)

    def __len__(self) -> int:
        return len(self._keys)

    def continuations(self, removed: bytes) -> npt.NDArray[np.int64]:
        """Tokens that may come first when `removed` was cut from the prompt: those whose bytes
        start with `removed`, and those that are a shorter, non-empty prefix of it."""
        if not removed:
            return np.empty(0, dtype=np.int64)
        start = bisect.bisect_left(self._keys, removed)
        end = (
            len(self._keys)
            if (upper := _after_prefix(removed)) is None
            else (bisect.bisect_left(self._keys, upper))
        )
        shorter = [t for n in range(1, len(removed)) for t in self._exact.get(removed[:n], ())]
        return np.concatenate((self._ids[start:end], np.array(shorter, dtype=np.int64)))


def _after_prefix(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string that starts with `prefix` (None:
    no such string, the prefix being all 0xff)."""
    stem = prefix.rstrip(b"\xff")
    if not stem:
        return None
    return stem[:-1] + bytes([stem[-1] + 1])


def consume(removed: bytes, piece: bytes) -> tuple[bytes, bytes]:
    """What is still to reproduce after token `piece`, and the part of `piece` past the cut
    text (the suggestion's start)."""
    if piece.startswith(removed):
        return b"", piece[len(removed) :]
    return removed[len(piece) :], b""
