"""Turn what the model generated into a suggestion a user would accept.

A FIM model (the instruct one above all) runs on past the hole: it repeats the code after the
cursor, closes blocks that are already closed, or starts the next function. These rules cut the
raw text back to the part that belongs at the cursor. They are pure functions so that the
generation loop can also ask "is it finished?" after every line and stop early, which saves the
tokens (and energy) of text that would be thrown away.
"""

from __future__ import annotations

from dataclasses import dataclass

BLOCK_OPENERS = (":", "{", "(", "[", "=>", "->", " do", " then", "\\")
CLOSERS = ")]}\"'`;,:"
BLOCK_CLOSER_STARTS = ("}", ")", "]", "end", "fi", "esac", "done")
MAX_LINES = 16
SCAN_CHARS = 16_000
"""How much text on each side of the cursor `AroundCursor` reads."""


@dataclass(frozen=True)
class AroundCursor:
    """What post-processing needs to know about the text around the cursor."""

    line_prefix: str
    """Text of the cursor's line before the cursor."""
    line_suffix: str
    """Text of the cursor's line after the cursor."""
    following_lines: tuple[str, ...]
    """A few lines after the cursor's line, for spotting a repeated suffix."""
    previous_indent: int = 0
    """Indentation width of the nearest non-blank line above the cursor's line."""
    indent_unit: str = "    "
    previous_opens_block: bool = False
    """The nearest non-blank line above ends by opening a block (`:`, `{`, ...)."""

    @classmethod
    def from_text(cls, prefix: str, suffix: str, lookahead: int = 8) -> AroundCursor:
        """From the document's text around the cursor (the real lines, not the prompt's trimmed
        ones: the suggestion lands in the document); reads at most `SCAN_CHARS` each side."""
        prefix, suffix = prefix[-SCAN_CHARS:], suffix[:SCAN_CHARS]
        before_lines = prefix.split("\n")
        line_prefix = before_lines[-1]
        line_suffix, _, rest = suffix.partition("\n")
        previous = next((ln for ln in reversed(before_lines[:-1]) if ln.strip()), "")
        return cls(
            line_prefix=line_prefix,
            line_suffix=line_suffix,
            following_lines=tuple(rest.split("\n", lookahead)[:lookahead]) if rest else (),
            previous_indent=indent_width(previous),
            indent_unit=guess_indent_unit(prefix + suffix),
            previous_opens_block=previous.rstrip().endswith(BLOCK_OPENERS),
        )

    @property
    def block_indent(self) -> int:
        """The indentation the cursor's line needs at most: one level deeper than the line
        above when that line opens a block, else the same."""
        deeper = indent_width(self.indent_unit) if self.previous_opens_block else 0
        return self.previous_indent + deeper

    @property
    def multiline(self) -> bool:
        """Multi-line where the line is empty or a block is being opened; else one line."""
        if self.line_suffix.strip():
            return False
        before = self.line_prefix.rstrip()
        return not before or before.endswith(BLOCK_OPENERS)


@dataclass(frozen=True)
class Cleaned:
    text: str
    finished: bool
    """True when a stop rule cut the text: generating more cannot change the suggestion."""
    guards: frozenset[str] = frozenset()
    """The guards that changed the text: "indentation" (`keep_typed_indentation`),
    "complete-lines" (`complete_lines`)."""


def indent_width(line: str, tab_width: int = 4) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += tab_width
        else:
            break
    return width


def guess_indent_unit(text: str) -> str:
    tabs = spaces2 = spaces4 = 0
    for line in text.split("\n")[:2000]:
        if line.startswith("\t"):
            tabs += 1
        elif line.startswith("    "):
            spaces4 += 1
        elif line.startswith("  ") and line[2:3] not in (" ", ""):
            spaces2 += 1
    if tabs > spaces4 + spaces2:
        return "\t"
    return "  " if spaces2 > spaces4 else "    "


def _match_indent_style(line: str, unit: str) -> str:
    """Rewrite leading whitespace to the document's style (tabs vs spaces)."""
    body = line.lstrip(" \t")
    lead = line[: len(line) - len(body)]
    if unit == "\t" and " " in lead:
        return "\t" * (indent_width(lead) // 4) + body
    if unit != "\t" and "\t" in lead:
        return " " * indent_width(lead, tab_width=len(unit)) + body
    return line


def _strip_line_suffix_overlap(text: str, line_suffix: str) -> str:
    """Drop the end of a one-line suggestion that repeats the rest of the line."""
    rest = line_suffix.rstrip()
    if not rest:
        return text
    if text.endswith(rest):
        return text[: -len(rest)]
    for k in range(len(rest), 0, -1):
        piece = rest[:k]
        if text.endswith(piece) and all(c in CLOSERS for c in piece):
            return text[:-k]
    return text


def _clean_single_line(raw: str, ctx: AroundCursor) -> Cleaned:
    if not ctx.line_prefix.strip():
        # On an empty line the one line wanted is the first with content, not a blank one.
        lines = raw.split("\n")
        while len(lines) > 1 and not lines[0].strip():
            lines.pop(0)
        raw = "\n".join(lines)
    first, newline, _ = raw.partition("\n")
    text = _strip_line_suffix_overlap(first.rstrip(), ctx.line_suffix)
    return Cleaned(text, finished=bool(newline))


def _clean_multi_line(raw: str, ctx: AroundCursor) -> Cleaned:
    lines = [_match_indent_style(ln.rstrip(), ctx.indent_unit) for ln in raw.split("\n")]
    at_line_start = not ctx.line_prefix.strip()

    anchor = next((ln.rstrip() for ln in ctx.following_lines if ln.strip()), None)
    full_lines = [ctx.line_prefix + lines[0], *lines[1:]]
    block_indent: int | None = None
    kept: list[str] = []
    finished = False
    blank_run = 0
    for index, full in enumerate(full_lines):
        if full.strip():
            blank_run = 0
            indent = indent_width(full)
            if anchor is not None and full.rstrip() == anchor and (index > 0 or at_line_start):
                finished = True  # the model is repeating the code after the cursor
                break
            if block_indent is None and (index > 0 or at_line_start):
                block_indent = indent
            elif block_indent is not None and indent < block_indent:
                stripped = full.strip()
                if stripped.startswith(BLOCK_CLOSER_STARTS) and indent >= ctx.previous_indent:
                    kept.append(lines[index])  # the closing brace of the block we opened
                finished = True
                break
        else:
            blank_run += 1
            if blank_run >= 2:
                finished = True
                break
        kept.append(lines[index])
        if len(kept) >= MAX_LINES:
            finished = True
            break
    while len(kept) > 1 and not kept[-1].strip():
        kept.pop()
    return Cleaned("\n".join(kept), finished)


def keep_typed_indentation(raw: str, ctx: AroundCursor) -> str:
    """Never indent deeper than the user did: on a line holding only the indentation typed so
    far, whitespace the model puts first (a token's leading space) is cut to what the block
    needs, and its following lines move left by as much (they follow the first line's column).

    Token healing fixes the cause for a local model; this guard covers every other path (the
    remote backend, a model without the spelling tokens)."""
    if not ctx.line_prefix or ctx.line_prefix.strip() or raw[:1] not in (" ", "\t"):
        return raw
    first, newline, rest = raw.partition("\n")
    body = first.lstrip(" \t")
    if not body:
        return body + newline + rest  # a blank first line: its whitespace is noise
    typed = indent_width(ctx.line_prefix)
    column = indent_width(ctx.line_prefix + first)
    unit = indent_width(ctx.indent_unit)
    if column <= max(typed, ctx.block_indent) and (column - typed) % unit == 0:
        return raw  # the block needs more than was typed, in whole indentation units
    moved = [_dedent(line, column - typed) for line in rest.split("\n")] if newline else []
    return "\n".join([body, *moved])


def _dedent(line: str, columns: int) -> str:
    """`line` moved `columns` to the left, as far as its indentation allows (tabs count 4)."""
    body = line.lstrip(" \t")
    if not body:
        return line
    width = max(0, indent_width(line) - columns)
    tabs = "\t" in line[: len(line) - len(body)]
    return ("\t" * (width // 4) if tabs else " " * width) + body


def complete_lines(raw: str) -> str:
    """Text cut by a limit (tokens, time) keeps its finished lines only: the last one may stop
    mid-statement, and a half statement accepted with Tab breaks the user's code."""
    return raw[: raw.rfind("\n") + 1]


def clean_completion(
    raw: str,
    ctx: AroundCursor,
    multiline: bool | None = None,
    *,
    truncated: bool = False,
    guards: bool = True,
) -> Cleaned:
    """Cut raw model output to the suggestion; `finished` says whether more tokens could matter.

    `truncated`: a limit stopped the generation (its last line is dropped, see
    `complete_lines`). `guards` off: neither that nor `keep_typed_indentation` (to measure
    them)."""
    raw = raw.replace("\r\n", "\n")
    changed: set[str] = set()
    if guards and truncated and (whole := complete_lines(raw)) != raw:
        raw = whole
        changed.add("complete-lines")
    if guards and (indented := keep_typed_indentation(raw, ctx)) != raw:
        raw = indented
        changed.add("indentation")
    use_multiline = ctx.multiline if multiline is None else multiline
    cleaned = _clean_multi_line(raw, ctx) if use_multiline else _clean_single_line(raw, ctx)
    text = cleaned.text.rstrip()
    if not text.strip() or _already_follows(text, ctx):
        return Cleaned("", cleaned.finished, frozenset(changed))
    return Cleaned(text, cleaned.finished, frozenset(changed))


def _already_follows(text: str, ctx: AroundCursor) -> bool:
    """Never suggest what is already right after the cursor."""
    after = "\n".join((ctx.line_suffix, *ctx.following_lines)).lstrip()
    return bool(after) and after.startswith(text.strip())
