"""Suggestions keyed by the exact context they were made for.

A hit needs the same document, the same text after the cursor, and a text before the cursor
that is the remembered one plus what the user typed since, where the typed characters are the
start of the remembered suggestion ("typing through" it, as Copilot, Tabby and llama.vscode
do). The remainder is returned with no inference at all. Contexts are compared by length and
hash, so an entry costs its suggestion's text and a few integers, not a copy of the file.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

ENTRY_OVERHEAD_BYTES = 200


@dataclass(frozen=True)
class _Entry:
    document: str
    prefix_length: int
    prefix_hash: int
    suffix_hash: int
    text: str


@dataclass(frozen=True)
class CacheHit:
    text: str
    """What is left of the remembered suggestion after the typed characters."""
    typed: int
    """How many of its characters the user typed through (0 for an exact repeat)."""


class SuggestionCache:
    def __init__(self, max_entries: int = 512, per_document: int = 16) -> None:
        self.max_entries = max_entries
        self.per_document = per_document
        self._entries: OrderedDict[tuple[str, int, int], _Entry] = OrderedDict()
        self.lookups = 0
        self.hits = 0

    def remember(self, document: str, prefix: str, suffix: str, text: str) -> None:
        if not text:
            return
        entry = _Entry(document, len(prefix), hash(prefix), hash(suffix), text)
        key = (document, entry.prefix_length, entry.prefix_hash)
        self._entries[key] = entry
        self._entries.move_to_end(key)
        mine = [k for k in self._entries if k[0] == document]
        for old in mine[: max(0, len(mine) - self.per_document)]:
            del self._entries[old]
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def lookup(self, document: str, prefix: str, suffix: str) -> CacheHit | None:
        self.lookups += 1
        suffix_hash = hash(suffix)
        for key in reversed(self._entries):
            entry = self._entries[key]
            if entry.document != document or entry.suffix_hash != suffix_hash:
                continue
            typed = len(prefix) - entry.prefix_length
            if not 0 <= typed < len(entry.text):
                continue
            if not entry.text.startswith(prefix[entry.prefix_length :]):
                continue
            if hash(prefix[: entry.prefix_length]) != entry.prefix_hash:
                continue
            self._entries.move_to_end(key)
            self.hits += 1
            return CacheHit(entry.text[typed:], typed)
        return None

    def forget(self, document: str) -> None:
        for key in [k for k in self._entries if k[0] == document]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()

    @property
    def entries(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        return sum(len(e.text.encode()) + ENTRY_OVERHEAD_BYTES for e in self._entries.values())
