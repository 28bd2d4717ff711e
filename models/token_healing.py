"""Token healing at the end of the prompt: back up to a token boundary, then regrow the cut text.

A prompt that ends in the middle of what the model would write as one token (here: indentation
whitespace, which the model's words carry as their leading space) makes the model continue from
a split it never saw in training: after a line indented by four spaces it writes ` return`, and
the suggestion starts one column too deep. So the cut text leaves the prompt, and the first
generated tokens are constrained to those that spell it out again (a token that starts with the
rest of the cut text, or one that is a prefix of it); what the model writes past it is the
suggestion. `VocabIndex` answers "which tokens may come next" from the model's own vocabulary,
indexed once per model, so that a keystroke pays microseconds for it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

HEALED_WHITESPACE = " \t"
"""What is cut from the prompt's end: horizontal whitespace (a line break ends a token)."""


@dataclass(frozen=True)
class HealedPrompt:
    """A prefix split at the last token boundary that the typed text does not cross."""

    prefix: str
    """The prefix that goes into the prompt."""
    removed: str
    """The typed text cut from its end, which the first generated tokens must reproduce."""


def heal_prefix(prefix: str) -> HealedPrompt:
    """Cut the horizontal whitespace at the end of `prefix` (nothing when there is none)."""
    kept = prefix.rstrip(HEALED_WHITESPACE)
    return HealedPrompt(kept, prefix[len(kept) :])


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
