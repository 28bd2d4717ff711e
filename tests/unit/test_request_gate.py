"""Request gating rules, on text and on real syntax trees."""

from __future__ import annotations

import pytest

from models.cursor_text import CursorText
from models.request_gate import SkipReason, open_quote, text_skip_reason
from models.trimming.context_trimmer import ContextTrimmer


def split(text: str) -> tuple[str, str]:
    prefix, suffix = text.split("|")
    return prefix, suffix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = foo|bar()\n", SkipReason.MID_WORD),
        ("x = foo(|a, b)\n", SkipReason.MID_WORD),
        ("x = foo|)\n", None),  # only closers right of the cursor
        ("x = foo|\ny = 1\n", None),  # end of line
        ("    return |\n", None),
        ("x = (|)\n", None),
    ],
)
def test_mid_word_with_text_on_the_right(text: str, expected: SkipReason | None) -> None:
    assert text_skip_reason(*split(text)) is expected


def test_indenting_by_hand_is_skipped_an_auto_indented_line_is_not() -> None:
    assert text_skip_reason("def f():\n   ", "", blank_typed=True) is SkipReason.INDENTING
    assert text_skip_reason("def f():\n    ", "", blank_typed=False) is None  # auto-indent


@pytest.mark.parametrize(
    ("text", "blank_typed", "expected"),
    [
        ("    return |\n", True, SkipReason.AFTER_SPACE),
        ("x = f(a,\t|)\n", True, SkipReason.AFTER_SPACE),  # only closers on the right
        ("if a and |b:\n", True, SkipReason.MID_WORD),  # text on the right decides first
        ("    return |\n", False, None),  # came with other text: a paste, an accepted suggestion
        ("    return x|\n", True, None),  # the cursor is not after a space
    ],
)
def test_a_space_typed_after_code_is_skipped(
    text: str, blank_typed: bool, expected: SkipReason | None
) -> None:
    assert text_skip_reason(*split(text), blank_typed=blank_typed) is expected


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("    re", SkipReason.WORD_START),
        ("x = fo", SkipReason.WORD_START),
        ("ab", SkipReason.WORD_START),  # the document's start
        ("x = _a", SkipReason.WORD_START),
        ("x = 10", None),  # a number's digits narrow no guess among names
        ("f(a, 1e", None),
        ("    r", None),
        ("    ret", None),
        ("x = f(", None),
    ],
)
def test_a_names_second_character_is_skipped(prefix: str, expected: SkipReason | None) -> None:
    assert text_skip_reason(prefix, "\n") is expected


def test_low_value_skips_inside_words_only_when_asked() -> None:
    assert text_skip_reason(*split("    retu|\n")) is None
    assert text_skip_reason(*split("    retu|\n"), low_value=True) is SkipReason.INSIDE_WORD
    assert text_skip_reason(*split("    return |\n"), low_value=True) is None


@pytest.mark.parametrize(
    ("line", "inside"),
    [
        ('x = "abc', True),
        ('x = "abc"', False),
        ('x = "a\\"b', True),
        ("x = 'it''", True),
        ("f(`a${b}", True),
        ("f(`a${b", False),  # a template's substitution is code
        ("f(`a${g({x: 1}).y", False),
        ("f(`a${g({x: 1})}`", False),
        ("f(`a${g({x: 1})} b", True),
        ("x = 1", False),
    ],
)
def test_open_quote_on_the_line(line: str, inside: bool) -> None:
    assert open_quote(line) is inside


@pytest.mark.parametrize(
    ("language", "text", "skipped"),
    [
        ("python", "def f():\n    # say hel|\n    return 1\n", True),
        ("python", 'def f():\n    x = "hel|lo"\n    return x\n', True),
        ("python", 'def f():\n    x = "hello"|\n    return x\n', False),
        ("python", 'def f():\n    """Docs\n    more |\n    """\n', True),
        ("python", 'def f():\n    """Docs |"""\n', True),  # a docstring is prose
        ("python", "def f():\n    ret|\n", False),
        ("javascript", "function f() {\n  // todo |\n}\n", True),
        ("javascript", "function f() {\n  /* a\n  b| */\n}\n", True),
        ("javascript", "function f() {\n  const s = `a ${b}|`;\n}\n", False),  # typed at its end
        ("javascript", "function f() {\n  const s = `a ${b}| c`;\n}\n", True),
        ("javascript", "function f() {\n  const s = `a\n  b |`;\n}\n", True),  # a text block
        ("javascript", "function f() {\n  const s = `a ${b + |}`;\n}\n", False),
        ("python", 'def f():\n    x = f"a {y.|}"\n', False),
        ("python", 'def f():\n    x = f"a {y} b|"\n', False),
        ("python", 'def f():\n    x = f"a {y} b|, c"\n', True),
        ("go", 'func f() {\n\ts := "a|"\n}\n', False),
        ("go", 'func f() {\n\treturn errors.New("remote ne|")\n}\n', False),
        ("go", 'func f() {\n\treturn errors.New("remote ne| here")\n}\n', True),
        ("rust", "fn f<'a>(x: &'a str) {\n    let y = x.le|\n}\n", False),
        ("c", "int f() {\n  return 0; // done|\n}\n", True),
        ("java", "class A {\n  void f() {\n    int x = 1;|\n  }\n}\n", False),
    ],
)
def test_comments_and_strings_from_the_syntax_tree(language: str, text: str, skipped: bool) -> None:
    trimmer = ContextTrimmer(len)
    prefix, suffix = split(text)
    assert trimmer.skips_as_prose(CursorText(prefix, suffix, "file:///a", language)) is skipped


def test_typing_an_open_string_is_seen_before_the_parser_catches_up() -> None:
    trimmer = ContextTrimmer(len)
    before = "def f():\n    x = 1\n"
    assert not trimmer.skips_as_prose(CursorText(before, "", "file:///a.py", "python"))
    # The next keystrokes open a string: the tree's update is deferred, the line tells. At its
    # end the string is being typed (not skipped); with text on its right it is skipped.
    assert not trimmer.skips_as_prose(
        CursorText(before + '    y = "ab', "", "file:///a.py", "python")
    )
    assert not trimmer.skips_as_prose(
        CursorText(before + '    y = f("ab', '")', "file:///a.py", "python")
    )
    assert trimmer.skips_as_prose(
        CursorText(before + '    y = f("ab', ' cd")', "file:///a.py", "python")
    )
    assert trimmer.skips_as_prose(CursorText(before + '    """Docs', "", "file:///a.py", "python"))
    assert not trimmer.skips_as_prose(
        CursorText(before + "    y = (ab", "", "file:///a.py", "python")
    )


def test_unknown_languages_are_never_gated() -> None:
    assert not ContextTrimmer(len).skips_as_prose(
        CursorText("# x", "", "file:///a.txt", "plaintext")
    )
