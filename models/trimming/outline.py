"""A file's outline from its tree: definitions with their header rows, and import rows.

Rows are tree-sitter rows (lines split at "\n"). The outline descends into containers (classes,
impls, namespaces) but not into function bodies: nested helpers are rarely used elsewhere, and
skipping them keeps the walk short on large files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from tree_sitter import Node, Point

from models.trimming.languages import LanguageRules

SHORT_DEFINITION_ROWS = 12
"""Types and constants up to this many rows are shown whole, longer ones as a header."""

_NAME_FIELDS = ("name", "declarator", "left", "type")
"""In this order: `x: int = 0` names `x`, not its type; an `impl` is named by its type."""
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DECLARATOR_END = re.compile(r"[(=]")
"""Where a declarator's name ends: `f(int x)`, `books = new HashMap<>()`."""
_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression"})
"""Functions that are values: definitions only when bound to a name (`const f = () => ...`)."""


_NAMED_PARTS = frozenset(
    {"assignment", "variable_declarator", "const_spec", "var_spec", "type_spec", "type_alias"}
)
"""The parts of a declaration statement that hold its name (Python, JS, Go)."""


class Kind(Enum):
    FUNCTION = "function"
    CONTAINER = "container"
    TYPE = "type"
    CONSTANT = "constant"


@dataclass(frozen=True)
class Definition:
    name: str
    kind: Kind
    start_row: int
    """The first row of the header, decorators and export keywords included."""
    header_end_row: int
    end_row: int
    parent: Definition | None

    def contains(self, row: int) -> bool:
        return self.start_row <= row <= self.end_row

    def block_end(self, rows: list[str], braces: bool) -> int:
        """The last row. Where indentation makes the block (`braces` False), the last row
        indented deeper than the header: the parser ends a function early at a line it cannot
        parse (the half-typed line at the cursor, an `else:` whose `if` is being rewritten)."""
        end = self.end_row
        if braces:
            return end
        header_indent = _indent(rows[self.start_row])
        for below in range(end + 1, len(rows)):
            text = rows[below]
            if not text.strip():
                continue
            if _indent(text) <= header_indent:
                break
            end = below
        return end

    def signature_rows(self, rows: list[str]) -> list[int]:
        """The rows that show this definition without its body: header, then closing line."""
        if self.kind in (Kind.TYPE, Kind.CONSTANT) and (
            self.end_row - self.start_row < SHORT_DEFINITION_ROWS
        ):
            return list(range(self.start_row, self.end_row + 1))
        shown = list(range(self.start_row, self.header_end_row + 1))
        if self.end_row > self.header_end_row and _is_closing(rows[self.end_row]):
            shown.append(self.end_row)
        return shown


@dataclass(frozen=True)
class Outline:
    definitions: list[Definition]
    import_rows: list[int]

    def enclosing(self, row: int, rows: list[str], braces: bool) -> list[Definition]:
        """Functions and containers around `row`, outermost first, each to its block's end.
        Siblings do not overlap, so only the last one starting by `row` at each level can
        hold it: the (per-keystroke) block ends are found for those few alone."""
        last_started: dict[int, Definition] = {}
        for d in self.definitions:  # in file order
            if d.start_row <= row and d.kind in (Kind.FUNCTION, Kind.CONTAINER):
                last_started[id(d.parent)] = d
        found: list[Definition] = []
        inner = last_started.get(id(None))
        while inner is not None and (row <= inner.end_row or row <= inner.block_end(rows, braces)):
            found.append(inner)
            inner = last_started.get(id(inner))
        return found

    def unchanged_by(self, changed: tuple[int, int], root: Node, rules: LanguageRules) -> bool:
        """Whether a change confined to rows `changed` (none added or removed) leaves this
        outline valid: it lies inside a function's body, where nothing is outlined, and the
        new tree `root` still has that function over the same rows. (A change on one row
        elsewhere can add a definition; a change in a body can end it early, as a closing
        quote does, and tree-sitter's changed ranges do not always show that.)"""
        body_of = self.function_with_body_around(changed)
        return body_of is not None and _still_spans(body_of, root, changed, rules)

    def function_with_body_around(self, rows: tuple[int, int]) -> Definition | None:
        """The function whose body (not its header or closing row) holds all of `rows`."""
        first, last = rows
        for d in self.definitions:
            if d.kind is Kind.FUNCTION and d.header_end_row < first and last < d.end_row:
                return d
        return None

    def shifted(self, first: int, last: int, delta: int) -> Outline:
        """This outline after rows `first` to `last` became `first` to `last + delta` (see
        `RowMove`): later rows move by `delta`, rows inside the edit end at its end."""

        def move(row: int) -> int:
            if row <= first:
                return row
            return row + delta if row > last else min(row, last + delta)

        moved: dict[int, Definition] = {}
        definitions = []
        for d in self.definitions:  # parents come before their children
            parent = moved[id(d.parent)] if d.parent is not None else None
            shifted = Definition(
                d.name, d.kind, move(d.start_row), move(d.header_end_row), move(d.end_row), parent
            )
            moved[id(d)] = shifted
            definitions.append(shifted)
        return Outline(definitions, sorted({move(row) for row in self.import_rows}))

    @cached_property
    def by_name(self) -> dict[str, list[Definition]]:
        names: dict[str, list[Definition]] = {}
        for definition in self.definitions:
            names.setdefault(definition.name, []).append(definition)
        return names


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _is_closing(row: str) -> bool:
    stripped = row.strip()
    return bool(stripped) and stripped[0] in "}])" and len(stripped) <= 3


def _name(node: Node) -> str:
    """The defined name: a name-like field's last identifier (`A::m`, `*f`, `x = ...`)."""
    for field in _NAME_FIELDS:
        named = node.child_by_field_name(field)
        if named is not None and named.text is not None:
            text = named.text[:200].decode("utf-8", "replace")
            if field == "declarator":
                text = _DECLARATOR_END.split(text, maxsplit=1)[0]
            words: list[str] = _IDENTIFIER.findall(text)
            if words:
                return words[-1]
    for child in node.named_children:
        if child.type in _NAMED_PARTS:
            return _name(child)
    return ""


def _last_row(node: Node) -> int:
    """The node's last row, not the next one where it ends with its newline (`#include`)."""
    end = node.end_point
    return end.row - 1 if end.column == 0 and end.row > node.start_point.row else end.row


def _still_spans(
    definition: Definition, root: Node, changed: tuple[int, int], rules: LanguageRules
) -> bool:
    """Whether a function node around `changed` in `root` has `definition`'s header and end."""
    node = root.named_descendant_for_point_range(Point(changed[0], 0), Point(changed[1], 0))
    while node is not None:
        if (
            node.type in rules.functions
            and definition.start_row <= node.start_point.row <= definition.header_end_row
        ):
            return (
                _last_row(node) == definition.end_row
                and _header_end(node, rules) == definition.header_end_row
            )
        node = node.parent
    return False


def _header_end(node: Node, rules: LanguageRules) -> int:
    body = node.child_by_field_name("body")
    if body is None:
        return _last_row(node) if rules.braces else node.start_point.row
    body_row = body.start_point.row
    if rules.braces or body_row == node.start_point.row:
        return body_row
    return body_row - 1


class _Walker:
    def __init__(self, rules: LanguageRules) -> None:
        self.rules = rules
        self.definitions: list[Definition] = []
        self.import_rows: list[int] = []

    def visit(self, node: Node, parent: Definition | None, header_start: int | None) -> None:
        rules = self.rules
        kind = node.type
        if node.is_error:
            # One misplaced line (an unfinished header, a body line indented too far below the
            # cursor) can wrap the whole file in an ERROR node; the definitions recovered
            # inside it still count.
            for child in node.named_children:
                self.visit(child, parent, None)
            return
        start = node.start_point.row if header_start is None else header_start
        if kind in rules.wrappers and kind not in rules.constants:
            for child in node.named_children:
                self.visit(child, parent, start)
            return
        if kind in _FUNCTION_VALUES and header_start is None:
            return  # a callback inside an expression, not a definition
        if kind in rules.definitions:
            name = _name(node)
            if kind in _FUNCTION_VALUES and node.parent is not None:
                name = _name(node.parent)
            if kind in rules.functions:
                definition_kind = Kind.FUNCTION
            elif kind in rules.containers:
                definition_kind = Kind.CONTAINER
            else:
                definition_kind = Kind.TYPE
            definition = Definition(
                name, definition_kind, start, _header_end(node, rules), _last_row(node), parent
            )
            self.definitions.append(definition)
            if definition_kind is Kind.CONTAINER:
                body = node.child_by_field_name("body")
                for child in body.named_children if body is not None else ():
                    self.visit(child, definition, None)
            return
        if kind in rules.imports and parent is None:
            self.import_rows.extend(range(node.start_point.row, _last_row(node) + 1))
        elif kind in rules.constants:
            # `const f = () => {...}` is a function; `const X = 3` a constant.
            before = len(self.definitions)
            if "variable_declarator" in rules.wrappers:
                for child in node.named_children:
                    self.visit(child, parent, start)
            if len(self.definitions) == before and (name := _name(node)):
                self.definitions.append(
                    Definition(name, Kind.CONSTANT, start, start, _last_row(node), parent)
                )
        elif kind == "variable_declarator":
            value = node.child_by_field_name("value")
            if value is not None:
                self.visit(value, parent, start)


def outline(root: Node, rules: LanguageRules) -> Outline:
    walker = _Walker(rules)
    for child in root.named_children:
        walker.visit(child, None, None)
    return Outline(walker.definitions, walker.import_rows)
