from __future__ import annotations

import ast

import pytest

from models.postprocess import AroundCursor, clean_completion, guess_indent_unit


def clean(prefix: str, suffix: str, raw: str) -> str:
    return clean_completion(raw, AroundCursor.from_text(prefix, suffix)).text


def test_single_line_stops_at_the_first_newline() -> None:
    assert clean("def add(a, b):\n    return ", "\n", "a + b\n\ndef sub(a, b):") == "a + b"


def test_mid_line_never_repeats_what_follows_the_cursor() -> None:
    assert clean("print(", ")\n", '"hello")') == '"hello"'
    assert clean("x = [1, ", "]\n", "2, 3]") == "2, 3"
    assert clean("value = compute(", ")  # done\n", "a, b)  # done") == "a, b"


def test_suggestion_equal_to_the_following_text_is_dropped() -> None:
    assert clean("def f():\n", "    return 1\n", "    return 1\n") == ""
    assert clean("call(", "arg)\n", "arg") == ""


def test_empty_line_gets_a_multi_line_block_cut_at_dedent() -> None:
    prefix = "def fib(n):\n"
    raw = "    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nprint(fib(3))\n"
    assert clean(prefix, "\n", raw) == (
        "    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)"
    )


def test_repetition_of_the_suffix_is_cut() -> None:
    prefix = "def area(w, h):\n"
    suffix = "\n\ndef main():\n    print(area(2, 3))\n"
    raw = "    return w * h\n\n\ndef main():\n    print(area(2, 3))\n"
    assert clean(prefix, suffix, raw) == "    return w * h"


def test_closing_brace_already_in_the_suffix_is_not_repeated() -> None:
    assert clean("function f() {\n", "\n}\n", "  return 1;\n}\n") == "  return 1;"


def test_closing_brace_missing_from_the_suffix_is_kept() -> None:
    prefix = "function f(x) {\n  if (x) {\n"
    raw = "    return 1;\n  }\n  return 0;\n}\n"
    # The inner block is closed; the next statement at the outer level ends the suggestion.
    assert clean(prefix, "\n", raw) == "    return 1;\n  }"


def test_block_opener_at_end_of_line_allows_multiple_lines() -> None:
    ctx = AroundCursor.from_text("for i in range(3):", "\n")
    assert ctx.multiline
    assert clean("for i in range(3):", "\n", "\n    print(i)\nprint('done')") == "\n    print(i)"


def test_mid_line_text_right_of_cursor_forces_single_line() -> None:
    ctx = AroundCursor.from_text("if ", ":\n")
    assert not ctx.multiline


def test_double_indentation_on_an_indented_empty_line_is_removed() -> None:
    prefix = "def f(x):\n    "
    assert clean(prefix, "\n", "    return x * 2\n") == "return x * 2"


def test_tabs_follow_the_document_style() -> None:
    prefix = "func f() {\n\tx := 1\n"
    raw = "    return x\n}\n"
    assert clean(prefix, "\n}\n", raw) == "\treturn x"


@pytest.mark.parametrize("raw", ["", "\n", "   \n\n", "\n\n\nfoo"])
def test_blank_output_gives_nothing(raw: str) -> None:
    assert clean("x = ", "\n", raw) == ""


def test_finished_flag_lets_the_loop_stop_early() -> None:
    ctx = AroundCursor.from_text("y = ", "\n")
    assert not clean_completion("compute(1", ctx).finished
    assert clean_completion("compute(1)\n", ctx).finished


def test_indent_unit_guess() -> None:
    assert guess_indent_unit("a:\n\tb\n\tc\n") == "\t"
    assert guess_indent_unit("a:\n  b\n  c\n") == "  "
    assert guess_indent_unit("a:\n    b\n") == "    "


def test_forced_single_line_on_an_empty_line_takes_the_first_line_with_content() -> None:
    ctx = AroundCursor.from_text("def f(x):\n", "\n")
    assert clean_completion("\n    return x\n    pass", ctx, multiline=False).text == (
        "    return x"
    )
    assert not clean_completion("\n\n", ctx, multiline=False).finished
    mid_line = AroundCursor.from_text("x = ", "\n")
    assert clean_completion("\n1", mid_line).text == ""  # a newline first means nothing here


def guarded(prefix: str, suffix: str, raw: str, truncated: bool = False) -> tuple[str, set[str]]:
    cleaned = clean_completion(raw, AroundCursor.from_text(prefix, suffix), truncated=truncated)
    return cleaned.text, set(cleaned.guards)


def test_a_tokens_leading_space_after_typed_indentation_is_dropped() -> None:
    # The repro: VS Code auto-indented four spaces and the model wrote " return".
    prefix = 'def is_even(n):\n    """True when n is even."""\n    '
    assert guarded(prefix, "\n", " return n % 2 == 0") == ("return n % 2 == 0", {"indentation"})


def test_following_lines_move_left_with_the_first() -> None:
    prefix = "def fibonacci(n):\n    "
    raw = ' """Fib."""\n     if n <= 0:\n         return 0\n     return n'
    text, guards = guarded(prefix, "\n", raw)
    assert text == '"""Fib."""\n    if n <= 0:\n        return 0\n    return n'
    assert guards == {"indentation"}
    ast.parse(prefix + text)


def test_indentation_the_block_still_needs_is_kept() -> None:
    # Typed four spaces under an `if` at four: the block needs eight.
    prefix = "def f(x):\n    if x:\n    "
    assert guarded(prefix, "\n", "    return 1") == ("    return 1", set())


def test_tabs_and_two_space_files_keep_their_unit() -> None:
    text, _ = guarded("func f() {\n\t", "\n}\n", " if x {\n\t\t return 1\n\t }")
    assert text == "if x {\n\t\treturn 1\n\t}"
    text, _ = guarded("function f() {\n  ", "\n}\n", " if (x) {\n     return 1;\n   }")
    assert text == "if (x) {\n    return 1;\n  }"


def test_a_line_cut_by_a_limit_is_not_shown() -> None:
    prefix = "def f(n):\n    "
    raw = "a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a"
    assert guarded(prefix, "\n", raw, truncated=True) == (
        "a, b = 0, 1\n    for _ in range(n):",
        {"complete-lines"},
    )
    assert guarded(prefix, "\n", raw) == (raw, set())
    # Not even the first line is finished: nothing to show.
    assert guarded("x = ", "\n", "compute(a, b", truncated=True) == ("", {"complete-lines"})
