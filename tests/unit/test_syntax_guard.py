"""The syntax guard on real tree-sitter grammars: suggestions that break the file are cut back."""

from __future__ import annotations

from tree_sitter import Parser

from models.syntax_guard import GuardResult, ParsedText, guard
from models.trimming.languages import grammar, rules_for


def checked(name: str, prefix: str, suggestion: str, suffix: str = "\n") -> GuardResult:
    rules = rules_for(None, name)
    assert rules is not None
    language = grammar(rules)
    assert language is not None
    parser = Parser(language)
    text = (prefix + suffix).encode()
    parsed = ParsedText(parser, parser.parse(text), text, python=name.endswith(".py"))
    return guard(parsed, len(prefix.encode()), suggestion)


def test_a_suggestion_that_parses_passes_unchanged() -> None:
    result = checked("a.py", "def f(n):\n    ", "if n:\n        return 0\n    return 1")
    assert (result.text, result.cut) == ("if n:\n        return 0\n    return 1", False)
    result = checked(
        "a.go",
        "package main\n\nfunc f(x int) int {\n\t",
        "if x > 0 {\n\t\treturn 1\n\t}\n\treturn 2",
        "\n}\n",
    )
    assert not result.cut


def test_python_unexpected_indent_is_cut_back() -> None:
    # Lines at five columns under a block at four: CPython's IndentationError.
    result = checked("a.py", 'def f(n):\n    """Doc."""\n    ', "return n\n     return 1")
    assert (result.text, result.cut) == ("return n", True)
    result = checked("a.py", "def f(n):\n    ", "if n:\n         return 0\n     return 1")
    assert result.text == "if n:\n         return 0"


def test_python_block_left_without_a_body_is_cut() -> None:
    result = checked("a.py", "def f(n):\n    ", "a = 1\n    for k in range(n):")
    assert result.text == "a = 1"


def test_unclosed_braces_are_not_shown() -> None:
    result = checked("a.js", "function f(x) {\n  ", "if (x) {\n    return 1;\n  return 2;", "\n}\n")
    assert (result.text, result.cut) == ("", True)
    result = checked(
        "a.go",
        "package main\n\nfunc f(x int) int {\n\t",
        "if x > 0 {\n\t\treturn 1\n\treturn 2",
        "\n}\n",
    )
    assert result.text == ""


def test_one_line_suggestions_are_not_checked() -> None:
    assert checked("a.py", "x = ", "(((").text == "((("
