"""Token healing's pure parts: where the prompt is cut, and which tokens may regrow the cut."""

from __future__ import annotations

import pytest

from models.token_healing import HealingMode, VocabIndex, consume, heal_prefix, healing_mode

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


def test_horizontal_whitespace_at_the_end_is_cut_whole() -> None:
    healed = heal_prefix("def f():\n    ")
    assert (healed.prefix, healed.removed) == ("def f():\n", "    ")
    assert heal_prefix("return ").removed == " "
    assert heal_prefix("x = 1\n").removed == ""  # a line break ends a token
    assert heal_prefix("name", HealingMode.WHITESPACE).removed == ""
    assert heal_prefix("    ", HealingMode.OFF).removed == ""


@pytest.mark.parametrize(
    ("prefix", "kept", "removed"),
    [
        ("        ret", "       ", " ret"),  # the word takes one space; the rest is a token
        ("x = p.meth", "x = p", ".meth"),
        ("if self.headers i", "if self.headers", " i"),
        ("return x is n", "return x is", " n"),
        ("if x ==", "if x", " =="),
        ("print(", "print", "("),
        ("x = 12", "x =", " 12"),
        ("snake_case", "", "snake_case"),
        ("a\nname", "a\n", "name"),  # never across a line break
        ("é", "", "é"),
        ("", "", ""),
        ("x = " + "a" * 40, "x = " + "a" * 40, ""),  # too long to regrow: left alone
    ],
)
def test_a_partial_word_or_operator_is_cut_at_its_pre_token_start(
    prefix: str, kept: str, removed: str
) -> None:
    healed = heal_prefix(prefix)
    assert (healed.prefix, healed.removed) == (kept, removed)
    assert healed.prefix + healed.removed == prefix


def test_the_two_settings_select_the_mode() -> None:
    assert healing_mode(enabled=False, words=True) is HealingMode.OFF
    assert healing_mode(enabled=True, words=False) is HealingMode.WHITESPACE
    assert healing_mode(enabled=True, words=True) is HealingMode.TOKENS


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
