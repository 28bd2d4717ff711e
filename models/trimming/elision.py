"""How the trimmer's kept rows become prompt text: each run of dropped rows shows as one
language-appropriate elision line (`...`, `// ...`), indented as the first dropped line with
text and kept between the blank lines that surrounded it (at most `MARKER_BLANK_ROWS` a side),
or as empty lines where the dropped rows were all blank (`elision_marker`); `render_rows` joins
kept rows and markers and counts their tokens, `render_context` splits them around the cursor's
row into prefix and suffix (a Python header at the suffix's end keeps its elided body), and
`elision_reserve` is the room the trimmer sets aside for the markers before it has chosen the
rows above the cursor."""

from __future__ import annotations

from models.prompt_context import CountTokens, PromptContext
from models.trimming.languages import LanguageRules

MARKER_BLANK_ROWS = 2


def render_rows(
    rows: list[str], kept: list[int], elision: str, count: CountTokens, previous: int = -1
) -> tuple[str, int]:
    """The kept rows in order, each run of dropped rows (after `previous`) as one elision line."""
    parts: list[str] = []
    tokens = 0
    for row in kept:
        if row != previous + 1:
            marker = elision_marker(rows, previous + 1, row, elision)
            parts.append(marker)
            tokens += count(marker)
        parts.append(rows[row])
        tokens += count(rows[row])
        previous = row
    return "".join(parts), tokens


def render_context(
    kept: set[int], rows: list[str], row: int, rules: LanguageRules, count: CountTokens
) -> PromptContext:
    """The kept rows around the cursor's row (which is not rendered) as prefix and suffix."""
    prefix_rows = sorted(r for r in kept if r < row)
    suffix_rows = sorted(r for r in kept if r > row)
    prefix, prefix_tokens = render_rows(rows, prefix_rows, rules.elision, count)
    suffix, suffix_tokens = render_rows(rows, suffix_rows, rules.elision, count, previous=row)
    if not rules.braces and suffix_rows and suffix_rows[-1] < len(rows) - 1:
        # A Python header at the suffix's end needs a body, as the model has always seen one.
        marker = elision_marker(rows, suffix_rows[-1] + 1, len(rows), rules.elision)
        if marker.strip():
            suffix += marker
            suffix_tokens += count(marker)
    if row > 0 and (not prefix_rows or prefix_rows[-1] != row - 1):
        marker = elision_marker(rows, prefix_rows[-1] + 1 if prefix_rows else 0, row, rules.elision)
        prefix += marker
        prefix_tokens += count(marker)
    return PromptContext(prefix, suffix, prefix_tokens, suffix_tokens)


def elision_marker(rows: list[str], first: int, end: int, elision: str) -> str:
    """The lines standing for the dropped rows `first` to `end` (excluded): the elision,
    indented as the first of them with text, between the blank rows around it (at most
    `MARKER_BLANK_ROWS` a side, so that definitions stay spaced as written); at most that
    many empty lines where they are all blank."""
    top = first
    while top < end and not rows[top].strip():
        top += 1
    if top == end:
        return "\n" * min(end - first, MARKER_BLANK_ROWS)
    bottom = end - 1
    while not rows[bottom].strip():
        bottom -= 1
    text = rows[top]
    indent = text[: len(text) - len(text.lstrip())]
    before = "\n" * min(top - first, MARKER_BLANK_ROWS if first > 0 else 0)
    after = "\n" * min(end - 1 - bottom, MARKER_BLANK_ROWS)
    return f"{before}{indent}{elision}\n{after}"


def elision_reserve(rules: LanguageRules, count: CountTokens, kept: set[int]) -> int:
    """Room for the elision lines: at most one per kept run of rows, plus the two ends."""
    runs = sum(1 for r in kept if r - 1 not in kept)
    blanks = 2 * MARKER_BLANK_ROWS * count("\n")
    return (runs + 2) * (count(f"    {rules.elision}\n") + blanks + 1)
