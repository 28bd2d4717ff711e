"""The incrementally updated trees equal a full reparse, and reused outlines a fresh one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tree_sitter import Parser

from models.trimming.context_trimmer import ContextTrimmer
from models.trimming.languages import LanguageRules, grammar, rules_for
from models.trimming.outline import Kind, Outline, outline
from models.trimming.syntax_trees import ParsedDocument, RowMove, SyntaxTrees

CASES = Path(__file__).parent / "trimming_cases"
SOURCES = {
    case.stem: case.read_text().replace("█", "")
    for case in sorted(CASES.glob("*.in"))
    if Path(case.stem).suffix in (".py", ".js", ".go", ".rs", ".c", ".tsx")
}
_PIECES = st.text(
    alphabet=st.sampled_from(list("ab_ (){}[];:=,.\"'\n\t#/*é€😀")),
    max_size=6,
)
_EDIT = st.tuples(st.floats(0, 1), st.integers(0, 8), _PIECES)
"""Where (a fraction of the text), how many characters to delete there, what to insert."""


def _apply(text: str, edit: tuple[float, int, str]) -> str:
    where, deleted, inserted = edit
    start = int(where * len(text))
    return text[:start] + inserted + text[start + deleted :]


def _word_typed(text: str, edit: tuple[float, int, str]) -> str:
    """A keystroke-like edit: one line's text changes, no line is added or removed."""
    where, deleted, inserted = edit
    start = int(where * len(text))
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    return text[:start] + inserted.replace("\n", " ") + text[min(start + deleted, line_end) :]


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(SOURCES)), edits=st.lists(_EDIT, min_size=1, max_size=8))
def test_incremental_tree_equals_full_reparse(name: str, edits: list[Any]) -> None:
    rules = rules_for(None, name)
    assert rules is not None
    language = grammar(rules)
    assert language is not None
    trees = SyntaxTrees()
    text = SOURCES[name]
    trees.parse(name, rules, text.encode())
    for edit in [*edits, None]:
        # The last step restores the original text: back from any error to valid code.
        text = SOURCES[name] if edit is None else _apply(text, edit)
        parsed = trees.parse(name, rules, text.encode())
        assert parsed is not None
        assert parsed.text == text.encode()
        parsed.settle()  # a keystroke that left its line unbalanced is parsed on demand
        assert parsed.tree.root_node.end_byte == len(text.encode())
        fresh = Parser(language).parse(text.encode())
        if not fresh.root_node.has_error:
            # Where the text has errors, tree-sitter's recovery may differ between an
            # incremental and a full parse even when given the exact edit, so only trees
            # without errors are compared.
            assert str(parsed.tree.root_node) == str(fresh.root_node)
    assert trees.full_parses == 1


def test_documents_beyond_the_limit_are_forgotten_oldest_first() -> None:
    rules = rules_for("python")
    assert rules is not None
    trees = SyntaxTrees(max_documents=2)
    for name in ("a", "b", "a", "c"):
        trees.parse(name, rules, b"x = 1\n")
    trees.parse("a", rules, b"x = 2\n")  # still there: reparsed incrementally
    trees.parse("b", rules, b"x = 1\n")  # evicted when "c" came: parsed afresh
    assert (trees.full_parses, trees.incremental_parses) == (4, 1)


def _opened(
    name: str, text: str | None = None
) -> tuple[LanguageRules, ContextTrimmer, ParsedDocument]:
    """A trimmer that has parsed `text`, by default the fixture `name`."""
    rules = rules_for(None, name)
    assert rules is not None
    trimmer = ContextTrimmer(len)
    parsed = trimmer.trees.parse(name, rules, (text or SOURCES[name]).encode())
    assert parsed is not None
    return rules, trimmer, parsed


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(sorted(SOURCES)),
    edits=st.lists(st.tuples(st.booleans(), _EDIT), min_size=1, max_size=10),
)
def test_reused_outline_equals_a_fresh_one(name: str, edits: list[Any]) -> None:
    rules, trimmer, parsed = _opened(name)
    text = SOURCES[name]
    previous = trimmer._outline(name, parsed)
    for step, edit in enumerate([*edits, None]):
        parses = parsed.parses
        if edit is None:  # the end: parse what a lagging tree deferred
            parsed.settle()
        else:
            keystroke, change = edit
            text = _word_typed(text, change) if keystroke else _apply(text, change)
            parsed = trimmer.trees.parse(name, rules, text.encode())
            assert parsed is not None
        got = trimmer._outline(name, parsed)
        if parsed.parses == parses:
            # Not parsed (the same text, or a lagging tree): the last parse's outline.
            assert got is previous, step
        else:
            _assert_fresh_or_kept_through_a_broken_line(got, previous, parsed, rules)
        previous = got


def _assert_fresh_or_kept_through_a_broken_line(
    got: Outline, previous: Outline, parsed: ParsedDocument, rules: LanguageRules
) -> None:
    """A tree that parses cleanly gets its own outline; a broken one may keep the last, moved
    by the rows a line break added or removed."""
    if got == outline(parsed.tree.root_node, rules):
        return
    assert parsed.tree.root_node.has_error
    move = parsed.last_row_move
    if move is not None:
        assert previous.function_with_body_around((move.first, move.last)) is not None
        assert got == previous.shifted(move.first, move.last, move.delta)
        return
    assert got is previous
    assert parsed.last_edited_rows is not None
    assert previous.function_with_body_around(parsed.last_edited_rows) is not None


def test_typing_inside_a_body_reuses_the_outline_and_a_new_definition_does_not() -> None:
    name = "inventory.py"
    rules, trimmer, parsed = _opened(name)
    text = SOURCES[name]
    before = trimmer._outline(name, parsed)
    line = "        parts.append(Part(item"
    text = text.replace(line, line + "  ")  # typing inside load_parts' loop
    parsed = trimmer.trees.parse(name, rules, text.encode())
    assert parsed is not None
    assert trimmer._outline(name, parsed) is before
    text = text.replace("DEFAULT_REORDER_LEVEL = 5\n\n", "DEFAULT_REORDER_LEVEL = 5\nLIMIT = 9\n")
    parsed = trimmer.trees.parse(name, rules, text.encode())
    assert parsed is not None
    assert "LIMIT" in trimmer._outline(name, parsed).by_name


def test_a_keystroke_that_unbalances_its_line_waits_for_the_line_to_balance() -> None:
    rules = rules_for("python")
    assert rules is not None
    language = grammar(rules)
    assert language is not None
    trees = SyntaxTrees()
    text = "def f():\n    return g()\n\n\ndef h():\n    return 1\n"
    parsed = trees.parse("d.py", rules, text.encode())
    assert parsed is not None
    parses = parsed.parses
    typing = text.replace("g()", "g(x")  # an open call: a parse would re-read what follows
    parsed = trees.parse("d.py", rules, typing.encode())
    assert parsed is not None
    assert parsed.deferred and parsed.parses == parses
    assert parsed.last_changed_rows == (1, 1)
    closed = text.replace("g()", "g(x)")
    parsed = trees.parse("d.py", rules, closed.encode())
    assert parsed is not None
    assert not parsed.deferred and parsed.parses == parses + 1
    assert (trees.incremental_parses, trees.deferred_updates) == (1, 1)
    assert str(parsed.tree.root_node) == str(Parser(language).parse(closed.encode()).root_node)


def test_a_line_break_records_how_it_moved_the_rows() -> None:
    rules = rules_for("python")
    assert rules is not None
    trees = SyntaxTrees()
    text = "def f():\n    a = 1\n    return a\n\n\ndef g():\n    return 2\n"
    trees.parse("d.py", rules, text.encode())
    text = text.replace("a = 1", "a = (1,")  # deferred: its row is unbalanced
    parsed = trees.parse("d.py", rules, text.encode())
    assert parsed is not None and parsed.deferred and parsed.last_row_move is None
    text = text.replace("(1,", "(1,\n")
    parsed = trees.parse("d.py", rules, text.encode())
    assert parsed is not None
    # The new line break is found after row 1's own: the edited rows run from 1 to 2.
    assert parsed.last_row_move == RowMove(first=1, last=2, delta=1)
    text = text.replace("(1,\n", "(1,\n 2")
    parsed = trees.parse("d.py", rules, text.encode())
    assert parsed is not None and parsed.last_row_move is None  # parsed, no row moved
    text = text.replace("(1,\n 2", "(1, 2")
    parsed = trees.parse("d.py", rules, text.encode())
    assert parsed is not None
    assert parsed.last_row_move == RowMove(first=1, last=2, delta=-1)


def test_a_shifted_outline_moves_the_rows_after_the_edit_and_keeps_the_parents() -> None:
    text = (
        "import os\n\n\nclass A:\n    def m(self):\n        x = 1\n        return x\n\n"
        "    def n(self):\n        return 2\n\n\nimport sys\n"
    )
    _, trimmer, parsed = _opened("a.py", text)
    found = trimmer._outline("a.py", parsed)
    moved = found.shifted(5, 5, 2)  # two lines added after `x = 1`, inside m's body
    rows = {d.name: (d.start_row, d.header_end_row, d.end_row) for d in moved.definitions}
    assert rows == {"A": (3, 3, 11), "m": (4, 4, 8), "n": (10, 10, 11)}
    assert moved.import_rows == [0, 14]
    n = moved.by_name["n"][0]
    assert n.parent is moved.by_name["A"][0] and n.parent.kind is Kind.CONTAINER
