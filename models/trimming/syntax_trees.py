"""Parse trees per document, updated incrementally as the text changes.

Each update finds the one byte range in which the old and new texts differ, tells the old tree
about that edit and lets tree-sitter reparse only what the edit touched. Deriving the edit from
the texts (rather than replaying each `didChange`) coalesces the keystrokes between two requests
into one edit and works for every client sync mode; finding it costs a few memory compares.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

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


@dataclass(frozen=True)
class RowMove:
    """Edits since the last parse that added or removed lines: rows `first` to `last` (old
    numbering; the one-row edits before it included) became `first` to `last + delta`, and
    the rows after them moved by `delta`."""

    first: int
    last: int
    delta: int


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
        self.deferred = False
        """True while `tree` is the old tree, edited but not reparsed: the last keystrokes left
        their line with an open bracket or quote (mid-call, mid-string), and parsing then
        would re-read everything after it as part of the open string, tens of milliseconds on
        a large file, for a tree that the next keystrokes change again. Rows have not moved,
        so what was derived from the last parsed tree stays valid; `settle()` parses."""
        self.last_edited_rows: tuple[int, int] | None = None
        """The rows the edits before the last parse touched, when no row moved (the text's
        changes only; `last_changed_rows` adds the rows whose syntax changed)."""
        self.last_row_move: RowMove | None = None
        """How the last parse's edits moved rows (a line break typed or deleted), so that what
        was derived from the parse before can be shifted to the new rows; None when no row
        moved."""
        self.parses = 1
        """How many times `tree` was parsed: what was derived from parse n is checked against
        the changes of parse n + 1 (`last_changed_rows`)."""
        self._pending_rows: set[int] | None = set()
        """Rows edited since the last parse; None once a change moved rows."""

    def update(self, text: bytes) -> Tree:
        """Bring the tree up to `text`; a keystroke that leaves its line unbalanced is only
        recorded (see `deferred`)."""
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
        self.text = text
        self.version += 1
        one_row = b"\n" not in old[start:old_end] and b"\n" not in text[start:new_end]
        if not one_row:
            pending, self._pending_rows = self._pending_rows, None  # rows moved
            tree = self._reparse()
            if pending is not None:
                edited = pending | {old.count(b"\n", 0, start), old.count(b"\n", 0, old_end)}
                added = text.count(b"\n", start, new_end) - old.count(b"\n", start, old_end)
                self.last_row_move = RowMove(min(edited), max(edited), added)
            return tree
        row = text.count(b"\n", 0, start)
        if self._pending_rows is not None:
            self._pending_rows.add(row)
        if not _balanced(_row_bytes(text, start)):
            self.deferred = True
            self.last_changed_rows = (row, row) if self._pending_rows == {row} else None
            return self.tree
        return self._reparse()

    def settle(self) -> Tree:
        """The tree for the current text, parsing what was deferred."""
        return self._reparse() if self.deferred else self.tree

    def _reparse(self) -> Tree:
        edited = self.tree
        self.tree = self.parser.parse(self.text, edited)
        self.deferred = False
        self.parses += 1
        self.last_row_move = None
        pending, self._pending_rows = self._pending_rows, set()
        self.last_changed_rows = None
        self.last_edited_rows = (min(pending), max(pending)) if pending else None
        if pending:
            changed = edited.changed_ranges(self.tree)
            rows = (
                pending | {r.start_point.row for r in changed} | {r.end_point.row for r in changed}
            )
            self.last_changed_rows = (min(rows), max(rows))
        return self.tree


def _row_bytes(text: bytes, offset: int) -> bytes:
    return text[text.rfind(b"\n", 0, offset) + 1 : (text.find(b"\n", offset) + 1 or len(text))]


def _balanced(row: bytes) -> bool:
    """Whether a line's brackets pair up and its quotes come in pairs (a cheap guess that the
    line parses on its own: an open string or call makes the parser re-read the rest)."""
    return (
        row.count(b"(") == row.count(b")")
        and row.count(b"[") == row.count(b"]")
        and row.count(b"{") == row.count(b"}")
        and all(row.count(quote) % 2 == 0 for quote in (b'"', b"'", b"`"))
    )


class SyntaxTrees:
    """The parsed documents, most recently used kept, at most `MAX_DOCUMENTS`."""

    def __init__(self, max_documents: int = MAX_DOCUMENTS) -> None:
        self.max_documents = max_documents
        self._documents: OrderedDict[str, ParsedDocument] = OrderedDict()
        self.full_parses = 0
        self.incremental_parses = 0
        self.deferred_updates = 0
        """Updates that only edited the tree: their line had an open bracket or quote."""

    def parse(self, document: str, rules: LanguageRules, text: bytes) -> ParsedDocument | None:
        """`document`'s tree for `text`, reusing its previous tree; None without a grammar."""
        parsed = self._documents.get(document)
        if parsed is not None and parsed.rules is rules:
            self._documents.move_to_end(document)
            if parsed.text != text:
                parses = parsed.parses
                parsed.update(text)
                self.incremental_parses += parsed.parses - parses
                self.deferred_updates += parsed.deferred
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
