"""One live KV cache, many documents: park the current document's state, restore the next's.

The model's KV cache holds one token sequence at a time. When a request comes for another
document, the current state is saved into the `KvStateCache` (LRU, byte-capped) and the requested
document's saved state is put back if it shares a longer token prefix with the new prompt than
what the KV cache holds. Switching files then costs a memory copy instead of a prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cache.kv_state_cache import KvStateCache
from cache.kv_state_store import KvStateStore

MIN_TOKENS_TO_PARK = 32
"""Shorter states are cheaper to evaluate again than to keep."""


class StatefulModel(Protocol):
    @property
    def cached_tokens(self) -> list[int]: ...

    def export_state(self) -> tuple[list[int], bytes]:
        """The tokens whose state is exact enough to reuse, and the state's bytes."""
        ...

    def import_state(self, tokens: Sequence[int], data: bytes) -> bool: ...


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class DocumentStates:
    def __init__(
        self, model: StatefulModel, states: KvStateCache, store: KvStateStore | None = None
    ) -> None:
        self.model = model
        self.states = states
        self.store = store
        """Warmed states on disk, for a restarted daemon; None keeps them in memory only."""
        self.current: str | None = None

    def activate(self, document: str, prompt: Sequence[int]) -> None:
        """Make the context hold the best start for `document`'s `prompt`."""
        if document == self.current:
            return
        if self.current is not None:
            self.park(self.current)
        self.current = document
        best = common_prefix(self.model.cached_tokens, prompt)
        saved = self.states.get(document)
        if saved is not None and common_prefix(saved.tokens, prompt) > best:
            if self.model.import_state(saved.tokens, saved.data):
                self.states.restored += 1
                return
            self.states.forget(document)
        if self.store is not None and best < len(prompt) // 2:
            from_disk = self.store.find(prompt)
            if from_disk is not None and len(from_disk.tokens) > best:
                self.model.import_state(from_disk.tokens, from_disk.data)

    def park(self, document: str, to_disk: bool = True) -> None:
        """Save the context's state for `document` in memory (and on disk, if persisting)."""
        tokens, data = self.model.export_state()
        if len(tokens) < MIN_TOKENS_TO_PARK:
            return
        self.states.put(document, tokens, data)
        if to_disk and self.store is not None:
            self.store.save(tokens, data)

    def persist_all(self) -> None:
        """Write the live state and every parked one to disk (at shutdown), each once."""
        if self.store is None:
            return
        if self.current is not None:
            self.park(self.current, to_disk=False)
        for state in self.states.states():
            self.store.save(state.tokens, state.data)

    def forget(self, document: str) -> None:
        self.states.forget(document)
        if self.current == document:
            self.current = None
