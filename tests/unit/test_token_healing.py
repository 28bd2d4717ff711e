"""Token healing's pure parts: where the prompt is cut, and which tokens may regrow the cut."""

from __future__ import annotations

from models.token_healing import VocabIndex, consume, heal_prefix

PIECES = [
    b"",
    b" ",
    b"  ",
    b"    ",
    b"     ",
    b" return",
    b"\t",
    b"\t\t",
    b"\treturn",
    b"x",
    b"\xff",
]


def test_only_horizontal_whitespace_at_the_end_is_cut() -> None:
    healed = heal_prefix("def f():\n    ")
    assert (healed.prefix, healed.removed) == ("def f():\n", "    ")
    assert heal_prefix("return ").removed == " "
    assert heal_prefix("x = 1\n").removed == ""  # a line break ends a token
    assert heal_prefix("name").removed == ""


def test_continuations_start_with_the_cut_or_are_a_prefix_of_it() -> None:
    index = VocabIndex(PIECES, excluded=frozenset({9}))
    found = {PIECES[t] for t in index.continuations(b"  ").tolist()}
    assert found == {b"  ", b"    ", b"     ", b" "}
    found = {PIECES[t] for t in index.continuations(b"\t").tolist()}
    assert found == {b"\t", b"\t\t", b"\treturn"}
    assert index.continuations(b"x").size == 0  # excluded
    assert {PIECES[t] for t in index.continuations(b"\xff").tolist()} == {b"\xff"}
    assert index.continuations(b"").size == 0


def test_consume_tracks_what_is_left_to_spell() -> None:
    assert consume(b"    ", b"   ") == (b" ", b"")
    assert consume(b" ", b" return") == (b"", b"return")
    assert consume(b"    ", b"     ") == (b"", b" ")
