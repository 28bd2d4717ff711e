"""The text around the cursor that fits a token budget, in whole lines.

This is the plain line context: the lines right before the cursor (the cursor's own line always
whole) and the lines right after it, split by `suffix_share`, with any share one side cannot use
given to the other. The tree-sitter trimmer (`models/trimming/`) replaces it where a grammar
exists and falls back to it elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

CountTokens = Callable[[str], int]
ALIGN_LINES = 16
SPARE_STEP = 64
CHARS_PER_TOKEN_CEILING = 8
"""No tokenizer packs more characters per token than this, so the scan can stop early."""


@dataclass(frozen=True)
class PromptBudget:
    """How many tokens the document's text may take in the prompt, and the share of them
    that the text after the cursor may take before the text before it."""

    tokens: int
    suffix_share: float = 0.25


@dataclass(frozen=True)
class PromptContext:
    prefix: str
    suffix: str
    prefix_tokens: int
    suffix_tokens: int


def _take_lines(lines: list[str], budget: int, count: CountTokens) -> tuple[list[str], int]:
    taken: list[str] = []
    used = 0
    for line in lines:
        cost = count(line)
        if used + cost > budget:
            break
        taken.append(line)
        used += cost
        if used >= budget:
            break
    return taken, used


def line_context(
    prefix: str,
    suffix: str,
    budget: PromptBudget,
    count: CountTokens,
    align_lines: int = ALIGN_LINES,
) -> PromptContext:
    """Keep whole lines nearest the cursor within the budget's tokens (the cursor lines always).

    The prefix's first line is snapped forward to a multiple of `align_lines`, so that it moves
    only when the cursor crosses such a boundary: typing keeps the prompt's start, and with it
    the KV cache, intact. What the prefix leaves unused goes to the suffix in steps of
    `SPARE_STEP` tokens, for the same reason.
    """
    # Each line keeps its "\n" so that joining the kept lines restores the text exactly.
    cursor_line_start = prefix.rfind("\n") + 1
    before = prefix[:cursor_line_start].splitlines(keepends=True)
    cursor_head = prefix[cursor_line_start:]
    first_newline = suffix.find("\n")
    cursor_tail = suffix if first_newline < 0 else suffix[: first_newline + 1]
    after = [] if first_newline < 0 else suffix[first_newline + 1 :].splitlines(keepends=True)

    fixed = count(cursor_head) + count(cursor_tail)
    room = max(budget.tokens - fixed, 0)
    scan_limit = room * CHARS_PER_TOKEN_CEILING
    suffix_room = int(room * budget.suffix_share)
    after_taken, after_used = _take_lines(_bounded(after, scan_limit), suffix_room, count)
    prefix_room = room - after_used
    before_taken, before_used = _take_lines(_bounded(before[::-1], scan_limit), prefix_room, count)
    first_line = len(before) - len(before_taken)
    if first_line > 0 and align_lines > 1:
        aligned = -(-first_line // align_lines) * align_lines
        drop = min(aligned, len(before)) - first_line
        if drop:
            before_used -= sum(count(line) for line in before_taken[-drop:])
            before_taken = before_taken[:-drop]
    spare = (prefix_room - before_used) // SPARE_STEP * SPARE_STEP
    if spare > 0 and len(after_taken) < len(after):
        more, more_used = _take_lines(after[len(after_taken) :], spare, count)
        after_taken += more
        after_used += more_used
    return PromptContext(
        prefix="".join(reversed(before_taken)) + cursor_head,
        suffix=cursor_tail + "".join(after_taken),
        prefix_tokens=before_used + count(cursor_head),
        suffix_tokens=after_used + count(cursor_tail),
    )


def _bounded(lines: list[str], char_limit: int) -> list[str]:
    """The leading lines whose total length stays within `char_limit` (plus one)."""
    total = 0
    for index, line in enumerate(lines):
        total += len(line)
        if total > char_limit:
            return lines[: index + 1]
    return lines
