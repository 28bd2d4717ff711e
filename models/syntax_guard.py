"""The syntax guard: a multi-line suggestion that breaks the file's syntax is cut back or hidden.

A suggestion accepted with Tab lands in the user's file. One that introduces a syntax error
(an unexpected indent, a block it opens and never closes) damages the file, so before it is
shown it is inserted into a copy of the document's tree (`models/trimming/syntax_trees.py`
keeps one per document), reparsed incrementally, and judged: it breaks the file when an error
node starts inside the inserted text, when the parser has to invent more missing tokens than
before, or when a file that parsed no longer does. Such a suggestion is cut back to its longest
run of leading lines that does not, or not shown at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tree_sitter import Node, Parser, Point, Tree


@dataclass(frozen=True)
class GuardResult:
    text: str
    """The suggestion, cut back to the lines that parse (empty: nothing parses)."""
    cut: bool
    """True when the guard changed the suggestion."""
    seconds: float
    """What the check cost."""


@dataclass(frozen=True)
class _Errors:
    inside: bool
    """An error node starts inside the inserted text."""
    missing: int
    """Tokens the parser had to invent (zero-width MISSING nodes) in the whole tree."""
    any: bool


def _errors(root: Node, start: int, end: int) -> _Errors:
    inside = False
    missing = 0
    pending = [root]
    while pending:
        node = pending.pop()
        if node.is_missing:
            missing += 1
            inside = inside or start <= node.start_byte < end
        elif node.is_error:
            inside = inside or start <= node.start_byte < end
        if node.has_error:
            pending.extend(node.children)
    return _Errors(inside, missing, root.has_error)


def _point_after(text: bytes, offset: int) -> Point:
    row = text.count(b"\n", 0, offset)
    return Point(row, offset - (text.rfind(b"\n", 0, offset) + 1))


def _parse_with(parser: Parser, tree: Tree, text: bytes, at: int, inserted: bytes) -> Tree:
    """`text` with `inserted` at byte `at`, parsed incrementally from a copy of `tree`."""
    edited = tree.copy()
    new_text = text[:at] + inserted + text[at:]
    start = _point_after(text, at)
    edited.edit(
        start_byte=at,
        old_end_byte=at,
        new_end_byte=at + len(inserted),
        start_point=start,
        old_end_point=start,
        new_end_point=_point_after(new_text, at + len(inserted)),
    )
    return parser.parse(new_text, edited)


def _logical_lines(lines: list[str]) -> list[str]:
    """The lines that start a statement: not inside brackets or a triple-quoted string left
    open by an earlier line, not blank, not a comment (a rough tokenizer: enough for
    indentation)."""
    starts: list[str] = []
    depth = 0
    in_string = False
    for line in lines:
        body = line.strip()
        if depth == 0 and not in_string and body and not body.startswith("#"):
            starts.append(line)
        for quote in ('"""', "'''"):
            if line.count(quote) % 2:
                in_string = not in_string
        if not in_string:
            code = line.split("#", 1)[0]
            depth = max(
                0, depth + sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
            )
    return starts


def _opens_block(line: str) -> bool:
    return line.split("#", 1)[0].rstrip().endswith(":")


def _enclosing_levels(above: list[str]) -> tuple[list[int], bool]:
    """The indentation levels open at the cursor, innermost last, and whether the statement
    above the cursor opens a block."""
    starts = _logical_lines(above[-200:])
    if not starts:
        return [0], False
    levels = [_width(starts[-1])]
    for line in reversed(starts[:-1]):
        if _width(line) < levels[0]:
            levels.insert(0, _width(line))
    if levels[0] != 0:
        levels.insert(0, 0)
    return levels, _opens_block(starts[-1])


def _width(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def _breaks_python_indentation(prefix: str, suffix: str, candidate: str) -> bool:
    """Whether inserting `candidate` at the end of `prefix` leaves a line indented where
    CPython would stop: deeper without a block opened, at no enclosing level, or a block
    opened and left without a body."""
    above = prefix.split("\n")
    levels, opened = _enclosing_levels(above[:-1])
    inserted = (above[-1] + candidate).split("\n")
    for line in _logical_lines(inserted):
        width = _width(line)
        if opened:
            if width <= levels[-1]:
                return True
            levels.append(width)
        else:
            while width < levels[-1]:
                levels.pop()
            if width != levels[-1]:
                return True
        opened = _opens_block(line)
    if opened:
        after = next((ln for ln in suffix.split("\n")[1:] if ln.strip()), "")
        return _width(after) <= levels[-1]
    return False


@dataclass(frozen=True)
class ParsedText:
    """A document's text, its tree, and the parser that made it (to parse it with a
    suggestion inserted, incrementally)."""

    parser: Parser
    tree: Tree
    text: bytes
    python: bool = False
    """Python: indentation is syntax, which the tree alone does not judge."""


def guard(parsed: ParsedText, cursor: int, suggestion: str) -> GuardResult:
    """`suggestion` at byte `cursor` of the parsed text, cut back to its longest leading lines
    that do not break the syntax; one-line suggestions pass unchecked."""
    parser, tree, text, python = parsed.parser, parsed.tree, parsed.text, parsed.python
    started = time.perf_counter()
    if "\n" not in suggestion:
        return GuardResult(suggestion, False, 0.0)
    before = _errors(tree.root_node, cursor, cursor)
    prefix, suffix = text[:cursor].decode(), text[cursor:].decode()
    lines = suggestion.split("\n")
    for count in range(len(lines), 0, -1):
        candidate = "\n".join(lines[:count]).rstrip()
        if not candidate.strip():
            continue
        inserted = candidate.encode()
        after = _errors(
            _parse_with(parser, tree, text, cursor, inserted).root_node,
            cursor,
            cursor + len(inserted),
        )
        breaks = after.inside or after.missing > before.missing or (after.any and not before.any)
        breaks = breaks or (python and _breaks_python_indentation(prefix, suffix, candidate))
        if not breaks:
            return GuardResult(candidate, count < len(lines), time.perf_counter() - started)
    return GuardResult("", True, time.perf_counter() - started)
