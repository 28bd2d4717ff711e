"""The completion path's entry to trimming: trees, outlines and token counts kept per document.

`ContextTrimmer.context()` returns what the model sees for a cursor. A file that fits the budget
is sent whole; a file in a language with a grammar is trimmed by its syntax tree; anything else,
and any failure of the trimmer, gets the plain line context, so trimming never breaks completion.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from models.cursor_text import CursorText, OpenDocument
from models.prompt_context import CountTokens, PromptBudget, PromptContext, line_context
from models.request_gate import open_quote, skipped_as_prose, string_typed_at_its_end
from models.syntax_guard import GuardResult, ParsedText, guard
from models.trimming.languages import LanguageRules, rules_for
from models.trimming.outline import Outline, outline
from models.trimming.syntax_trees import ParsedDocument, SyntaxTrees
from models.trimming.trimmer import RelatedFile, TrimInput, split_rows, trim

log = logging.getLogger(__name__)

MAX_MEMO_LINES = 200_000
MAX_RELATED_FILES = 4
MAX_RELATED_CACHE = 32
FITS_CHARS_PER_TOKEN = 16
"""Longer text than this many characters per budget token is trimmed without counting."""
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_GENERIC_STEMS = frozenset({"__init__", "index", "mod", "main", "lib"})


class LineCosts:
    """Token counts per distinct line: typing changes one line, the others are looked up."""

    def __init__(self, count: CountTokens) -> None:
        self._count = count
        self._memo: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        cost = self._memo.get(text)
        if cost is None:
            if len(self._memo) >= MAX_MEMO_LINES:
                self._memo.clear()
            cost = self._memo[text] = self._count(text)
        return cost


class ContextTrimmer:
    def __init__(self, count: CountTokens) -> None:
        self.costs = LineCosts(count)
        self.trees = SyntaxTrees()
        self._outlines: dict[str, tuple[int, Outline]] = {}
        """Per document: the parse an outline was made or checked at, and the outline."""
        self._related_files: dict[str, tuple[str, RelatedFile]] = {}
        """Per other document: the text it was prepared from, and its prepared form."""
        self.trimmed = 0
        self.fallbacks = 0

    def context(
        self, cursor: CursorText, budget: PromptBudget, trim_enabled: bool = True
    ) -> PromptContext:
        text = cursor.text
        rules = rules_for(cursor.language_id, cursor.document) if trim_enabled else None
        rows = split_rows(text) if rules is not None else []
        if rules is not None and self._fits(text, rows, budget.tokens):
            # Whole, not through the line context, whose 64-token steps could drop a tail.
            whole = PromptContext(
                cursor.prefix, cursor.suffix, self._cost(cursor.prefix), self._cost(cursor.suffix)
            )
            if whole.prefix_tokens + whole.suffix_tokens <= budget.tokens:
                return whole
            # Over by the token the cursor splits in two: nearly all of it, in whole lines.
            return line_context(cursor.prefix, cursor.suffix, budget, self.costs)
        if rules is not None:
            try:
                trimmed = self._trim(cursor, rules, rows, budget)
            except Exception:  # a trimmer bug must cost context, never the suggestion
                log.exception("trimming %s failed; using the line context", cursor.document)
            else:
                if trimmed is not None:
                    self.trimmed += 1
                    return trimmed
        self.fallbacks += rules is not None
        return line_context(cursor.prefix, cursor.suffix, budget, self.costs)

    def skips_as_prose(self, cursor: CursorText) -> bool:
        """Whether the cursor is inside a comment, or a string not being typed at its end
        (`request_gate.skipped_as_prose`), by the document's syntax tree (shared with
        trimming, so updated incrementally); False for languages without one."""
        found = self._parsed(cursor)
        if found is None:
            return False
        parsed, source = found
        rules = parsed.rules
        prefix = cursor.prefix
        if parsed.deferred:
            # The tree has not parsed this line yet (it has an open bracket or quote).
            line = prefix[prefix.rfind("\n") + 1 :]
            if open_quote(line, '"`' if rules.name == "rust" else "\"'`"):
                return not string_typed_at_its_end(line, cursor.suffix.split("\n", 1)[0])
        return skipped_as_prose(parsed.tree, source, len(prefix.encode()))

    def check_syntax(self, cursor: CursorText, suggestion: str) -> GuardResult | None:
        """`syntax_guard.guard` on the document's tree (shared with trimming); None for
        languages without a grammar."""
        found = self._parsed(cursor)
        if found is None:
            return None
        parsed, source = found
        at = len(cursor.prefix.encode())
        python = parsed.rules.name == "python"
        return guard(ParsedText(parsed.parser, parsed.settle(), source, python), at, suggestion)

    def _parsed(self, cursor: CursorText) -> tuple[ParsedDocument, bytes] | None:
        """The document's tree for its current text (and that text), None without a grammar."""
        rules = rules_for(cursor.language_id, cursor.document)
        if rules is None:
            return None
        source = cursor.text.encode()
        parsed = self.trees.parse(cursor.document or "", rules, source)
        return None if parsed is None else (parsed, source)

    def forget(self, document: str) -> None:
        self.trees.forget(document)
        self._outlines.pop(document, None)
        self._related_files.pop(document, None)

    def _cost(self, text: str) -> int:
        """Tokens counted line by line, as the contexts count them."""
        return sum(self.costs(line) for line in text.splitlines(keepends=True))

    def _fits(self, text: str, rows: list[str], budget: int) -> bool:
        if len(text) <= budget:  # a token is at least one character
            return True
        if len(text) > budget * FITS_CHARS_PER_TOKEN:
            return False
        total = 0
        for row in rows:
            total += self.costs(row)
            if total > budget:
                return False
        return True

    def _outline(self, document: str, parsed: ParsedDocument) -> Outline:
        """The document's outline, rebuilt only when the last edit could have changed it."""
        cached = self._outlines.get(document)
        lagging = parsed.deferred and parsed.last_changed_rows is not None
        if cached is not None and lagging and cached[0] == parsed.parses:
            # The tree lags the text by keystrokes on one row, and no row moved: the outline
            # of the last parse still holds (and the lagging tree's nodes would read names
            # from the old text).
            return cached[1]
        parsed.settle()
        if cached is not None:
            parses, found = cached
            if parses == parsed.parses:
                return found
            changed, edited = parsed.last_changed_rows, parsed.last_edited_rows
            root = parsed.tree.root_node
            if parses == parsed.parses - 1 and (
                (changed is not None and found.unchanged_by(changed, root, parsed.rules))
                # A half-typed line inside a body that breaks the parse (`if err :=` in Go)
                # can end the function early or run it into the next one, differently at
                # each key; the suffix, first in the prompt, would flip with it and the KV
                # cache be lost. The outline from before the line was broken holds.
                or (
                    edited is not None
                    and root.has_error
                    and found.function_with_body_around(edited) is not None
                )
            ):
                self._outlines[document] = (parsed.parses, found)
                return found
            move = parsed.last_row_move
            if (
                parses == parsed.parses - 1
                and move is not None
                and root.has_error
                and found.function_with_body_around((move.first, move.last)) is not None
            ):
                # The same for a line break typed inside a body while its line is unfinished
                # (`${pr` in a template literal, `f(a,`): the broken parse would change the
                # outline and with it the suffix (hundreds of prompt tokens); the outline
                # from before, moved by the added rows, holds.
                shifted = found.shifted(move.first, move.last, move.delta)
                self._outlines[document] = (parsed.parses, shifted)
                return shifted
        found = outline(parsed.tree.root_node, parsed.rules)
        self._outlines[document] = (parsed.parses, found)
        return found

    def _trim(
        self, cursor: CursorText, rules: LanguageRules, rows: list[str], budget: PromptBudget
    ) -> PromptContext | None:
        document = cursor.document or ""
        parsed = self.trees.parse(document, rules, cursor.text.encode())
        if parsed is None:
            return None
        prefix = cursor.prefix
        cursor_row = prefix.count("\n")
        column = len(prefix) - (prefix.rfind("\n") + 1)
        source = TrimInput(rows, cursor_row, column, self._outline(document, parsed), rules)
        related = self._related(source, rules, cursor.open_documents)
        return trim(source, budget.tokens, budget.suffix_share, self.costs, related)

    def _related(
        self, source: TrimInput, rules: LanguageRules, open_documents: Sequence[OpenDocument]
    ) -> list[RelatedFile]:
        """The open documents in the same language that this one's imports name."""
        imported = {
            word for row in source.outline.import_rows for word in _WORD.findall(source.rows[row])
        }
        found: list[RelatedFile] = []
        for other in open_documents:
            if len(found) >= MAX_RELATED_FILES:
                break
            other_rules = rules_for(other.language_id, other.uri)
            if other_rules is None or other_rules.comment != rules.comment:
                continue
            path = PurePosixPath(other.uri)
            stem = path.stem if path.stem not in _GENERIC_STEMS else path.parent.name
            if stem not in imported:
                continue
            related = self._related_file(other, other_rules, path.name)
            if related is not None:
                found.append(related)
        return found

    def _related_file(
        self, other: OpenDocument, rules: LanguageRules, label: str
    ) -> RelatedFile | None:
        """`other` split and outlined, once per text: it is read at every keystroke in the
        documents that import it, and changes only when it is edited itself."""
        cached = self._related_files.get(other.uri)
        if cached is not None and (cached[0] is other.text or cached[0] == other.text):
            return cached[1]
        parsed = self.trees.parse(other.uri, rules, other.text.encode())
        if parsed is None:
            return None
        related = RelatedFile(label, split_rows(other.text), self._outline(other.uri, parsed))
        if len(self._related_files) >= MAX_RELATED_CACHE:
            self._related_files.clear()
        self._related_files[other.uri] = (other.text, related)
        return related
