"""Parse trees per document, updated incrementally as the text changes.

Each update finds the one byte range in which the old and new texts differ, tells the old tree
about that edit and lets tree-sitter reparse only what the edit touched. Deriving the edit from
the texts (rather than replaying each `didChange`) coalesces the keystrokes between two requests
into one edit and works for every client sync mode; finding it costs a few memory compares.
"""

from __future__ import annotations

from collections import OrderedDict

from tree_sitter import Parser, Point, Tree

from models.trimming.languages import LanguageRules, grammar

LINEAR = 64
MAX_DOCUMENTS = 32


def _common_prefix(old: bytes, new: bytes) -> int:
    """Length of the shared start, by halving: about one pass of memory compares in all."""
    low, high = 0, min(len(old), len(new))
    while high - low > LINEAR:
        middle = (low + high) // 2
        if old[low:middle] == new[low:middle]:
            low = middle
        else:
            high = middle
    while low < high and old[low] == new[low]:
        low += 1
    return low


def _common_suffix(old: bytes, new: bytes, floor: int) -> int:
    """Length of the shared end, not reaching into the first `floor` bytes of either."""
    low, high = 0, min(len(old), len(new)) - floor
    while high - low > LINEAR:
        middle = (low + high) // 2
        if old[len(old) - middle : len(old) - low] == new[len(new) - middle : len(new) - low]:
            low = middle
        else:
            high = middle
    while low < high and old[len(old) - low - 1] == new[len(new) - low - 1]:
        low += 1
    return low


def _point(text: bytes, offset: int) -> Point:
    row = text.count(b"\n", 0, offset)
    return Point(row, offset - (text.rfind(b"\n", 0, offset) + 1))


class ParsedDocument:
    """One document's text and tree; `update` keeps them in step."""

    def __init__(self, rules: LanguageRules, parser: Parser, text: bytes) -> None:
        self.rules = rules
        self.parser = parser
        self.text = text
        self.tree: Tree = parser.parse(text)
        self.version = 0
        """Grows with every change, so derived data can be cached per version."""
        self.last_changed_rows: tuple[int, int] | None = None
        """The rows the last change's text and syntax changes lie in, when it added or
        removed no line (so no row moved): data derived from other rows is still valid."""

    def update(self, text: bytes) -> Tree:
        if text == self.text:
            return self.tree
        old = self.text
        start = _common_prefix(old, text)
        shared_end = _common_suffix(old, text, start)
        old_end, new_end = len(old) - shared_end, len(text) - shared_end
        self.tree.edit(
            start_byte=start,
            old_end_byte=old_end,
            new_end_byte=new_end,
            start_point=_point(old, start),
            old_end_point=_point(old, old_end),
            new_end_point=_point(text, new_end),
        )
        edited = self.tree
        self.tree = self.parser.parse(text, edited)
        self.text = text
        self.version += 1
        self.last_changed_rows = None
        if b"\n" not in old[start:old_end] and b"\n" not in text[start:new_end]:
            row = text.count(b"\n", 0, start)
            changed = edited.changed_ranges(self.tree)
            first = min((r.start_point.row for r in changed), default=row)
            last = max((r.end_point.row for r in changed), default=row)
            self.last_changed_rows = (min(first, row), max(last, row))
        return self.tree


class SyntaxTrees:
    """The parsed documents, most recently used kept, at most `MAX_DOCUMENTS`."""

    def __init__(self, max_documents: int = MAX_DOCUMENTS) -> None:
        self.max_documents = max_documents
        self._documents: OrderedDict[str, ParsedDocument] = OrderedDict()
        self.full_parses = 0
        self.incremental_parses = 0

    def parse(self, document: str, rules: LanguageRules, text: bytes) -> ParsedDocument | None:
        """`document`'s tree for `text`, reusing its previous tree; None without a grammar."""
        parsed = self._documents.get(document)
        if parsed is not None and parsed.rules is rules:
            self._documents.move_to_end(document)
            if parsed.text != text:
                self.incremental_parses += 1
                parsed.update(text)
            return parsed
        language = grammar(rules)
        if language is None:
            return None
        parsed = ParsedDocument(rules, Parser(language), text)
        self.full_parses += 1
        self._documents[document] = parsed
        while len(self._documents) > self.max_documents:
            self._documents.popitem(last=False)
        return parsed

    def forget(self, document: str) -> None:
        self._documents.pop(document, None)
