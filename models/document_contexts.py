"""One live KV cache, many documents: park the current document's state, restore the next's.

The context holds one token sequence at a time. When a request comes for another document,
the current state is saved into the `KvStateCache` (LRU, byte-capped) and the requested
document's saved state is put back if it shares a longer token prefix with the new prompt than
what the context holds. Switching files then costs a memory copy instead of a prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cache.kv_state_cache import KvStateCache

MIN_TOKENS_TO_PARK = 32
"""Shorter states are cheaper to evaluate again than to keep."""


class StatefulModel(Protocol):
    @property
    def cached_tokens(self) -> list[int]: ...

    def export_state(self) -> tuple[list[int], bytes]: ...

    def import_state(self, tokens: Sequence[int], data: bytes) -> bool: ...


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class DocumentContexts:
    def __init__(self, model: StatefulModel, states: KvStateCache) -> None:
        self.model = model
        self.states = states
        self.current: str | None = None

    def activate(self, document: str, prompt: Sequence[int]) -> None:
        """Make the context hold the best start for `document`'s `prompt`."""
        if document == self.current:
            return
        if self.current is not None:
            tokens = self.model.cached_tokens
            if len(tokens) >= MIN_TOKENS_TO_PARK:
                _, data = self.model.export_state()
                self.states.put(self.current, tokens, data)
        self.current = document
        saved = self.states.get(document)
        if saved is None:
            return
        if common_prefix(saved.tokens, prompt) > common_prefix(self.model.cached_tokens, prompt):
            if self.model.import_state(saved.tokens, saved.data):
                self.states.restored += 1
            else:
                self.states.forget(document)

    def forget(self, document: str) -> None:
        self.states.forget(document)
        if self.current == document:
            self.current = None
