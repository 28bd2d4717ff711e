from __future__ import annotations

import pytest

from models.postprocess import CursorContext, clean_completion, guess_indent_unit


def clean(prefix: str, suffix: str, raw: str) -> str:
    return clean_completion(raw, CursorContext.from_text(prefix, suffix)).text


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
    ctx = CursorContext.from_text("for i in range(3):", "\n")
    assert ctx.multiline
    assert clean("for i in range(3):", "\n", "\n    print(i)\nprint('done')") == "\n    print(i)"


def test_mid_line_text_right_of_cursor_forces_single_line() -> None:
    ctx = CursorContext.from_text("if ", ":\n")
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
    ctx = CursorContext.from_text("y = ", "\n")
    assert not clean_completion("compute(1", ctx).finished
    assert clean_completion("compute(1)\n", ctx).finished


def test_indent_unit_guess() -> None:
    assert guess_indent_unit("a:\n\tb\n\tc\n") == "\t"
    assert guess_indent_unit("a:\n  b\n  c\n") == "  "
    assert guess_indent_unit("a:\n    b\n") == "    "


def test_forced_single_line_on_an_empty_line_takes_the_first_line_with_content() -> None:
    ctx = CursorContext.from_text("def f(x):\n", "\n")
    assert clean_completion("\n    return x\n    pass", ctx, multiline=False).text == (
        "    return x"
    )
    assert not clean_completion("\n\n", ctx, multiline=False).finished
    mid_line = CursorContext.from_text("x = ", "\n")
    assert clean_completion("\n1", mid_line).text == ""  # a newline first means nothing here
