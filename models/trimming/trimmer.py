"""The prefix and suffix the model sees for a cursor, chosen from the file's syntax tree.

A file that fits the budget is sent whole. A longer one is cut down to what a reader of the
cursor's code needs, in this order until the budget is spent:

1. the cursor's line, and the suffix: the lines below the cursor to the end of the function
   around it (as many as the suffix's share allows);
2. the headers of the functions and classes around the cursor, then the `NEAR_ROWS` lines
   right above it (so that signatures never crowd them out);
3. the file's imports (each distinct line once);
4. the signatures, not the bodies, of the definitions used near the cursor and defined
   elsewhere: in this file, and in the open files this one imports; then, with the room
   left, the whole of those in this file that are short functions;
5. the lines above the cursor, back towards the start of its function.

Dropped lines show as one language-appropriate elision line (`...`, `// ...`) between the
blank lines around them, or as empty lines where they were all blank; no line is cut.
The choices are made so that typing keeps the prompt's start unchanged and the KV cache reusable:
names are gathered from the finished lines only, shares of the budget are fixed fractions of it,
and the start of the lines above the cursor moves in steps of `ALIGN_ROWS` rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from models.prompt_context import CountTokens, PromptContext
from models.trimming.elision import elision_marker, elision_reserve, render_context, render_rows
from models.trimming.languages import LanguageRules
from models.trimming.outline import Definition, Kind, Outline

ALIGN_ROWS = 16
NEAR_ROWS = 4
SHORT_FUNCTION_ROWS = 8
IMPORT_SHARE = 0.15
SIGNATURE_SHARE = 0.2
NAMES_ABOVE = 64
NAMES_BELOW = 16
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class RelatedFile:
    """Another open document this one imports: its signatures may be shown."""

    label: str
    rows: list[str]
    outline: Outline


@dataclass(frozen=True)
class TrimInput:
    rows: list[str]
    """The document split after each "\n" (tree-sitter's rows)."""
    cursor_row: int
    cursor_column: int
    """In characters of the cursor's row."""
    outline: Outline
    rules: LanguageRules


def split_rows(text: str) -> list[str]:
    """Lines with their "\n", split at "\n" only, as tree-sitter counts rows."""
    rows = text.splitlines(keepends=True)
    if not text or text.endswith("\n"):
        rows.append("")
    if len(rows) == text.count("\n") + 1:  # no other characters that splitlines() breaks at
        return rows
    rows = text.split("\n")
    return [row + "\n" for row in rows[:-1]] + [rows[-1]]


class _Local(NamedTuple):
    """The cursor's row, and the rows of the function around it (the whole file outside one)."""

    row: int
    first: int
    last: int


class _Selection:
    """Rows chosen so far and their token cost, with a hard budget."""

    def __init__(self, rows: list[str], count: CountTokens, budget: int) -> None:
        self.rows = rows
        self.count = count
        self.budget = budget
        self.kept: set[int] = set()
        self.used = 0

    def add(self, row: int) -> bool:
        """Keep `row` if it fits the budget; False if not."""
        if row in self.kept:
            return True
        cost = self.count(self.rows[row])
        if self.used + cost > self.budget:
            return False
        self.kept.add(row)
        self.used += cost
        return True

    def add_all(self, rows: Sequence[int], room: int) -> int:
        """Keep all of `rows` or none, if they cost at most `room`; what they cost."""
        new = [row for row in rows if row not in self.kept]
        cost = sum(self.count(self.rows[row]) for row in new)
        if cost > room or self.used + cost > self.budget:
            return -1
        self.kept.update(new)
        self.used += cost
        return cost


def _names_near(rows: list[str], cursor_row: int, first: int, last: int) -> list[str]:
    """Identifiers on finished rows near the cursor, nearest first, each once."""
    order = list(range(cursor_row - 1, max(first, cursor_row - NAMES_ABOVE) - 1, -1))
    order += list(range(cursor_row + 1, min(last, cursor_row + NAMES_BELOW) + 1))
    seen: dict[str, None] = {}
    for row in order:
        for name in _IDENTIFIER.findall(rows[row]):
            seen.setdefault(name, None)
    return list(seen)


def _with_parents(definition: Definition, rows: list[str]) -> list[int]:
    shown: list[int] = []
    parent = definition.parent
    while parent is not None:
        shown += parent.signature_rows(rows)
        parent = parent.parent
    return sorted(set(shown + definition.signature_rows(rows)))


def _scope_row(rows: list[str], row: int) -> int:
    """The row whose definitions enclose the cursor: its own, or, on a blank line right after
    an indented body, the last line of that body. The parser ends a function at its last
    statement, but a cursor on the (auto-indented) line after it is about to continue it."""
    if rows[row].strip():
        return row
    above = row - 1
    while above >= 0 and not rows[above].strip():
        above -= 1
    return above if above >= 0 and rows[above][:1] in (" ", "\t") else row


def trim(
    source: TrimInput,
    budget: int,
    suffix_share: float,
    count: CountTokens,
    related: Sequence[RelatedFile] = (),
) -> PromptContext:
    rows, row = source.rows, source.cursor_row
    head = rows[row][: source.cursor_column]
    tail = rows[row][source.cursor_column :]
    selection = _Selection(rows, count, budget)
    cursor_tokens = count(head) + count(tail)
    selection.used = cursor_tokens
    braces = source.rules.braces
    enclosing = source.outline.enclosing(_scope_row(rows, row), rows, braces)
    functions = [d for d in enclosing if d.kind is Kind.FUNCTION]
    local = (
        _Local(row, functions[-1].start_row, max(functions[-1].block_end(rows, braces), row))
        if functions
        else _Local(row, 0, len(rows) - 1)
    )

    suffix_room = _take_suffix(selection, row, local.last, int(budget * suffix_share))
    selection.kept.add(row)
    for definition in enclosing:
        for header_row in range(definition.start_row, definition.header_end_row + 1):
            selection.add(header_row)
    for near in range(row - 1, max(local.first, row - NEAR_ROWS) - 1, -1):
        if not selection.add(near):  # the lines right above the cursor, before the rest
            break
    _take_imports(selection, source.outline.import_rows, row, int(budget * IMPORT_SHARE))
    own_names = {definition.name for definition in enclosing}
    names = [n for n in _names_near(rows, row, local.first, local.last) if n not in own_names]
    signature_room, shown = _take_signatures(
        selection, source.outline, names, local, int(budget * SIGNATURE_SHARE)
    )
    related_text, related_tokens = _related_signatures(
        related, names, source.rules, signature_room, selection
    )
    selection.used += related_tokens
    _take_short_bodies(selection, shown, signature_room - related_tokens)
    following = _take_following_signatures(selection, source.outline, row, local.last, suffix_room)
    above = _rows_above(selection, source.rules, row, local.first)
    while True:
        context = render_context(selection.kept | set(above), rows, row, source.rules, count)
        total = related_tokens + cursor_tokens + context.prefix_tokens + context.suffix_tokens
        if total <= budget:
            break
        # The elision lines cost more than reserved: give up the least needed row.
        if following:
            selection.kept.discard(following.pop())
            continue
        if above:
            above.pop()
            continue
        # Only the elision lines between headers and signatures are not reserved for: in a
        # small budget they can still overflow it, so give up the farthest kept rows.
        others = selection.kept - {row}
        if not others:
            break
        before = [r for r in others if r < row]
        selection.kept.discard(min(before) if before else max(others))
    return PromptContext(
        prefix=related_text + context.prefix + head,
        suffix=tail + context.suffix,
        prefix_tokens=related_tokens + context.prefix_tokens + count(head),
        suffix_tokens=count(tail) + context.suffix_tokens,
    )


def _take_suffix(selection: _Selection, row: int, last: int, room: int) -> int:
    """The rows below the cursor to the end of its function, within a fixed `room` (so that
    the suffix, first in the prompt, does not change while the user types); the room left."""
    for below in range(row + 1, last + 1):
        cost = selection.count(selection.rows[below])
        if cost > room or not selection.add(below):
            return 0
        room -= cost
    return room


def _take_following_signatures(
    selection: _Selection, outline: Outline, row: int, last: int, room: int
) -> list[int]:
    """What is left of the suffix's room, for the signatures of the definitions after the
    cursor's function, in file order; the rows added, last first to give up."""
    added: list[int] = []
    for definition in outline.definitions:
        if definition.start_row <= last:
            continue
        shown = [r for r in _with_parents(definition, selection.rows) if r > row]
        new = [r for r in shown if r not in selection.kept]
        cost = selection.add_all(shown, room)
        if cost < 0:
            break
        room -= cost
        added += new
    return sorted(added)


def _take_imports(selection: _Selection, import_rows: list[int], row: int, room: int) -> None:
    """The import lines above the cursor, each distinct line once."""
    seen: set[str] = set()
    for import_row in import_rows:
        text = selection.rows[import_row].strip()
        if text in seen or import_row >= row:
            continue
        cost = selection.count(selection.rows[import_row])
        if cost > room or not selection.add(import_row):
            return
        room -= cost
        seen.add(text)


def _take_signatures(
    selection: _Selection,
    outline: Outline,
    names: list[str],
    local: _Local,
    room: int,
) -> tuple[int, list[Definition]]:
    """Signatures of this file's definitions of `names`, nearest use first; the room left,
    and the definitions shown."""
    defined = outline.by_name
    shown: list[Definition] = []
    for name in names:
        for definition in defined.get(name, ()):
            if definition.contains(local.row) or local.first <= definition.start_row <= local.last:
                continue
            cost = selection.add_all(_with_parents(definition, selection.rows), room)
            if cost >= 0:
                room -= cost
                shown.append(definition)
    return room, shown


def _take_short_bodies(selection: _Selection, shown: list[Definition], room: int) -> None:
    """The whole of each short function among `shown`, nearest use first, while `room`
    lasts: a helper's few lines tell the model more than its signature does."""
    for definition in shown:
        if definition.kind is Kind.FUNCTION and (
            definition.end_row - definition.start_row < SHORT_FUNCTION_ROWS
        ):
            cost = selection.add_all(range(definition.start_row, definition.end_row + 1), room)
            if cost >= 0:
                room -= cost


def _rows_above(selection: _Selection, rules: LanguageRules, row: int, first: int) -> list[int]:
    """The rows above the cursor that the rest of the budget buys, back towards `first`,
    nearest first. Where they stop short, their start snaps to a multiple of `ALIGN_ROWS`, so
    that it stays put while the cursor's line grows."""
    room = (
        selection.budget - selection.used - elision_reserve(rules, selection.count, selection.kept)
    )
    taken: list[int] = []
    stopped_short = False
    for above in range(row - 1, first - 1, -1):
        if above in selection.kept:
            continue
        cost = selection.count(selection.rows[above])
        if cost > room:
            stopped_short = True
            break
        taken.append(above)
        room -= cost
    if stopped_short and taken:  # reaching `first` needs no alignment: it does not move
        aligned = -(-taken[-1] // ALIGN_ROWS) * ALIGN_ROWS
        if aligned <= row - NEAR_ROWS:  # the nearest rows stay whatever the alignment
            taken = [above for above in taken if above >= aligned]
    return taken


def _related_signatures(
    related: Sequence[RelatedFile],
    names: list[str],
    rules: LanguageRules,
    room: int,
    selection: _Selection,
) -> tuple[str, int]:
    """The signatures other open files give for `names`, each file under a comment line."""
    count = selection.count
    wanted = set(names)
    blocks: list[str] = []
    tokens = 0
    for other in related:
        shown: set[int] = set()
        for definition in other.outline.definitions:
            if definition.name in wanted and definition.kind is not Kind.CONSTANT:
                shown.update(_with_parents(definition, other.rows))
        if not shown:
            continue
        header = f"{rules.comment} {other.label}\n"
        body, body_tokens = render_rows(other.rows, sorted(shown), rules.elision, count)
        trailer = elision_marker(other.rows, max(shown) + 1, len(other.rows), rules.elision)
        if trailer.strip():  # a Python header needs its elided body after it
            body += trailer
            body_tokens += count(trailer)
        cost = count(header) + body_tokens
        if cost > room or selection.used + tokens + cost > selection.budget:
            continue
        blocks.append(header + body + ("" if body.endswith("\n") else "\n"))
        tokens += cost
        room -= cost
    return "".join(blocks), tokens
