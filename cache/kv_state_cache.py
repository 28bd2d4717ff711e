"""Saved KV states of recently used documents: least recently used first out, under a byte cap.

A state is the model context's keys and values for a token sequence (about 12 KB a token for
the default 0.5B model), stored with the tokens it holds so that a restore can be checked
against the new prompt.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SavedState:
    tokens: tuple[int, ...]
    data: bytes

    @property
    def nbytes(self) -> int:
        return len(self.data) + 4 * len(self.tokens)


class KvStateCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._states: OrderedDict[str, SavedState] = OrderedDict()
        self.saved = 0
        self.restored = 0
        self.evicted = 0

    def put(self, document: str, tokens: Sequence[int], data: bytes) -> None:
        state = SavedState(tuple(tokens), data)
        self._states.pop(document, None)
        if state.nbytes > self.max_bytes:
            return  # one state larger than the whole cap is not worth keeping
        self._states[document] = state
        self.saved += 1
        while self.nbytes > self.max_bytes:
            self._states.popitem(last=False)
            self.evicted += 1

    def get(self, document: str) -> SavedState | None:
        state = self._states.get(document)
        if state is not None:
            self._states.move_to_end(document)
        return state

    def states(self) -> list[SavedState]:
        return list(self._states.values())

    def forget(self, document: str) -> None:
        self._states.pop(document, None)

    def clear(self) -> None:
        self._states.clear()

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self._states.values())

    @property
    def entries(self) -> int:
        return len(self._states)
