"""Request gating: which completion requests are not worth the model's time.

After "Don't Complete It!" (Sun et al.): a suggestion is rarely taken inside a comment or a
string (not one being typed at its end: see `skipped_as_prose`), in the middle of a word with
text right of the cursor, on a name's second character or right after a space typed after code
(when the suggestion cache had nothing for it), right after the user deleted text, or while
indenting by hand. Skipping those requests costs few accepted suggestions and saves their whole
inference. These are pure functions of the text (and, for comments and strings, of the syntax
tree); the server keeps the history they need.

Not a rule: a run of passed-over suggestions on a line (late in a line the model catches up;
bench/experiments/gating-rhythm/README.md).
"""

from __future__ import annotations

from enum import Enum

from tree_sitter import Node, Tree

_CLOSERS = set(")]}>\"'`;:,. \t")


class SkipReason(Enum):
    COMMENT_OR_STRING = "comment-or-string"
    MID_WORD = "mid-word"
    AFTER_DELETION = "after-deletion"
    INDENTING = "indenting"
    WORD_START = "word-start"
    AFTER_SPACE = "after-space"
    INSIDE_WORD = "inside-word"
    """Only under the power governor's `skip low-value requests` rung."""

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def counter(self) -> str:
        """Its key in `wattcode/stats`."""
        return "requests_skipped_" + self.value.replace("-", "_")


_LABELS = {
    SkipReason.COMMENT_OR_STRING: "inside a comment or string (not a string typed at its end)",
    SkipReason.MID_WORD: "in the middle of a word with text right of the cursor",
    SkipReason.AFTER_DELETION: "right after a deletion",
    SkipReason.INDENTING: "while indenting by hand (blank line, a space or tab just typed)",
    SkipReason.WORD_START: "on a name's second character (one more narrows the guess)",
    SkipReason.AFTER_SPACE: "right after a space typed after code (the next word carries it)",
    SkipReason.INSIDE_WORD: "inside a word (power saving: only at word and line ends)",
}


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def text_skip_reason(
    prefix: str, suffix: str, *, low_value: bool = False, blank_typed: bool = False
) -> SkipReason | None:
    """The text-only rules: mid-word with text on the right, indenting by hand and a space
    after code (`blank_typed`: the last edit inserted only spaces or tabs), a name's second
    character, and (power saving) inside a word. With the suggestion cache on (the default)
    only the requests it could not answer get here: on a name's second character or after a
    space that means the guess made a key earlier did not hold, and those guesses are rarely
    taken (bench/experiments/gating-after-space/README.md)."""
    line = prefix[prefix.rfind("\n") + 1 :]
    if blank_typed and not line.strip(" \t"):
        return SkipReason.INDENTING
    before = prefix[-1:]
    rest = suffix.split("\n", 1)[0]
    has_text_right = not only_closers(rest)
    if has_text_right and (_is_word(before) or _is_word(rest[:1])):
        return SkipReason.MID_WORD
    if blank_typed and prefix.endswith((" ", "\t")):
        return SkipReason.AFTER_SPACE
    if _second_of_word(prefix):
        return SkipReason.WORD_START
    if low_value and _is_word(before):
        return SkipReason.INSIDE_WORD
    return None


def _second_of_word(prefix: str) -> bool:
    """Whether the cursor follows a name's first two characters. Not a number's: its digits
    narrow no guess among names, and what follows a literal is usually plain (`10)`)."""
    last = prefix[-3:].rjust(3)
    name_start = _is_word(last[1]) and not last[1].isdigit()
    return name_start and _is_word(last[2]) and not _is_word(last[0])


def only_closers(rest_of_line: str) -> bool:
    """Whether the text right of the cursor on its line holds nothing but closing quotes and
    brackets, separators and blanks (what an editor's auto-closing leaves there)."""
    return all(c in _CLOSERS for c in rest_of_line)


def open_quote(line_before_cursor: str, quotes: str = "\"'`") -> bool:
    """Whether the cursor sits inside a string opened earlier on its line (backslash escapes
    respected; a template literal's `${...}` is code). For lines the parser has not caught up
    with yet (see `syntax_trees`)."""
    inside: str | None = None
    escaped = False
    substitutions: list[int] = []
    """Brace depth inside each open `${`, innermost last."""
    for index, char in enumerate(line_before_cursor):
        if inside is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == inside:
                inside = None
            elif inside == "`" and char == "{" and line_before_cursor[index - 1] == "$":
                inside = None
                substitutions.append(0)
        elif substitutions and char == "{":
            substitutions[-1] += 1
        elif substitutions and char == "}":
            if substitutions[-1] == 0:
                substitutions.pop()
                inside = "`"
            else:
                substitutions[-1] -= 1
        elif char in quotes:
            inside = char
    return inside is not None


_SUBSTITUTIONS = ("template_substitution", "interpolation")
"""Code inside a string: JavaScript/TypeScript `${...}`, Python f-string `{...}`."""


def _is_comment(node: Node) -> bool:
    return "comment" in node.type


def _is_string(node: Node) -> bool:
    kind = node.type
    return ("string" in kind or kind in ("char_literal", "character_literal")) and not (
        kind.endswith(("_start", "_end"))
    )


def _comment_or_string_at(tree: Tree, offset: int) -> Node | None:
    """The comment holding byte `offset` (its end included: a line comment runs to the line's
    end), or the string literal holding it strictly (after its closing quote is outside); None
    in code, a string's `${...}` or `{...}` included."""
    node: Node | None = tree.root_node.descendant_for_byte_range(max(offset - 1, 0), offset)
    while node is not None:
        if node.type in _SUBSTITUTIONS and node.start_byte < offset < node.end_byte:
            return None
        if _is_comment(node) and node.start_byte < offset <= node.end_byte:
            return node
        if _is_string(node) and node.start_byte < offset < node.end_byte:
            return node
        node = node.parent
    return None


def string_typed_at_its_end(opened: str, rest_of_line: str) -> bool:
    """Whether a string opened on the cursor's line (`opened`: that line's text left of the
    cursor, from the string's opening quote or earlier) is being typed at its end: only closers
    right of the cursor, and no triple quote (a docstring is prose)."""
    return '"""' not in opened and "'''" not in opened and only_closers(rest_of_line)


def skipped_as_prose(tree: Tree, source: bytes, offset: int) -> bool:
    """Whether a request at byte `offset` of `source` (the text `tree` was parsed from) is
    skipped for the comment or string around it.

    Comments are prose: always skipped. A string is not skipped while it is being typed at its
    end (`string_typed_at_its_end`): completing a message and closing it is a suggestion users
    take (bench/experiments/gating-typed-strings/README.md). A string opened on an earlier line
    is a block of text (a docstring, a template), so it is skipped."""
    literal = _comment_or_string_at(tree, offset)
    if literal is None:
        return False
    if _is_comment(literal) or literal.start_byte <= source.rfind(b"\n", 0, offset):
        return True
    line_end = source.find(b"\n", offset)
    rest = source[offset : line_end if line_end >= 0 else len(source)]
    opened = source[literal.start_byte : offset]
    return not string_typed_at_its_end(
        opened.decode(errors="replace"), rest.decode(errors="replace")
    )
