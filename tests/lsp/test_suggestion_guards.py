"""Accepted suggestions keep the file's indentation and syntax (the real server and model).

Each test accepts the suggestion as an editor's Tab would (inserts it at the cursor) and checks
the file that results: it parses (Python with `ast`, JavaScript and Go with tree-sitter), its
indentation is the file's own, and a suggestion cut by a limit ends on a complete line.
"""

from __future__ import annotations

import ast

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from tree_sitter import Parser

from models.trimming.languages import grammar, rules_for
from tests.lsp.conftest import (
    edit,
    end_of,
    inline,
    make_client_fixture,
    open_document,
    stats,
    suggest_at_end,
    wait_for_model,
)

pytestmark = pytest.mark.model

# No time budget here: the suggestions must not depend on this machine's speed.
guard_client = make_client_fixture(
    "visual_studio_code", {"completion": {"maxMilliseconds": None, "maxTokens": 64}}
)
short_client = make_client_fixture(
    "visual_studio_code", {"completion": {"maxMilliseconds": None, "maxTokens": 8}}
)
timed_client = make_client_fixture(
    "visual_studio_code", {"completion": {"maxMilliseconds": 50, "maxTokens": 64}}
)


async def accepted(client: LanguageClient, uri: str, text: str, language: str) -> tuple[str, str]:
    """The suggestion at the end of `text`, and the file after accepting it."""
    _, result = await suggest_at_end(client, uri, text, language)
    assert result is not None and result.items, f"no suggestion for {uri}"
    insert = result.items[0].insert_text
    assert isinstance(insert, str)
    return insert, text + insert


def parses_cleanly(name: str, source: str) -> bool:
    rules = rules_for(None, name)
    assert rules is not None
    language = grammar(rules)
    assert language is not None
    return not Parser(language).parse(source.encode()).root_node.has_error


def indents(text: str) -> list[str]:
    return [line[: len(line) - len(line.lstrip())] for line in text.split("\n") if line.strip()]


async def test_after_auto_indent_the_suggestion_starts_at_the_cursor(
    guard_client: LanguageClient,
) -> None:
    # The repro: VS Code puts four spaces on the new line; no fifth may follow.
    text = 'def is_even(n):\n    """True when n is even."""\n    '
    insert, file = await accepted(guard_client, "file:///even.py", text, "python")
    assert not insert[:1].isspace()
    ast.parse(file)


async def test_a_function_body_after_def_parses(guard_client: LanguageClient) -> None:
    text = (
        "import math\n\n\ndef is_prime(n: int) -> bool:\n"
        '    """True when n is a prime number."""\n    if n < 2:\n        return False\n'
        "    for k in range(2, math.isqrt(n) + 1):\n        if n % k == 0:\n"
        "            return False\n    return True\n\n\ndef fibonacci(n):\n    "
    )
    insert, file = await accepted(guard_client, "file:///fib.py", text, "python")
    assert not insert[:1].isspace()
    ast.parse(file)


async def test_javascript_and_go_bodies_parse(guard_client: LanguageClient) -> None:
    js = "// Twice n.\nfunction twice(n) {\n  "
    insert, file = await accepted(guard_client, "file:///twice.js", js, "javascript")
    assert not insert[:1].isspace()
    assert parses_cleanly("twice.js", file + "\n}\n" * ("}" not in insert.split("\n")[-1]))
    go = "package main\n\n// Twice returns 2n.\nfunc Twice(n int) int {\n\t"
    insert, file = await accepted(guard_client, "file:///twice.go", go, "go")
    assert not insert[:1].isspace()
    assert parses_cleanly("twice.go", file + "\n}\n" * ("}" not in insert.split("\n")[-1]))


async def test_tabs_stay_tabs_and_two_spaces_stay_two(guard_client: LanguageClient) -> None:
    tabs = (
        "def sign(x):\n\tif x < 0:\n\t\treturn -1\n\treturn 1\n\n\n"
        'def clamp(x, low, high):\n\t"""x kept between low and high."""\n\t'
    )
    insert, file = await accepted(guard_client, "file:///tabs.py", tabs, "python")
    assert all(" " not in lead for lead in indents(insert)), insert
    ast.parse(file)
    two = (
        "function sign(x) {\n  if (x < 0) {\n    return -1;\n  }\n  return 1;\n}\n\n"
        "// x kept between low and high.\nfunction clamp(x, low, high) {\n  "
    )
    insert, file = await accepted(guard_client, "file:///two.js", two, "javascript")
    assert not insert[:1].isspace()
    assert all(len(lead) % 2 == 0 and "\t" not in lead for lead in indents(insert)), insert


async def test_a_suggestion_cut_by_max_tokens_ends_on_a_complete_line(
    short_client: LanguageClient, guard_client: LanguageClient
) -> None:
    text = "def fibonacci(n):\n    "
    _, short = await suggest_at_end(short_client, "file:///short.py", text)
    _, full = await suggest_at_end(guard_client, "file:///short.py", text)
    assert full is not None and full.items
    whole = str(full.items[0].insert_text)
    assert "\n" in whole  # the untruncated suggestion spans lines
    shown = str(short.items[0].insert_text) if short is not None and short.items else ""
    # Greedy decoding: the 8-token suggestion is the full one's first lines, never a part line.
    lines = shown.split("\n") if shown else []
    assert lines == whole.split("\n")[: len(lines)]


async def test_the_time_budget_shows_the_lines_complete_by_then(
    timed_client: LanguageClient,
) -> None:
    text = "def fibonacci(n):\n    "
    _, result = await suggest_at_end(timed_client, "file:///timed.py", text)
    # The prompt alone takes longer than 50 ms: decoding stops at the first line's end.
    assert result is not None and result.items
    assert "\n" not in str(result.items[0].insert_text)
    assert (await stats(timed_client))["generations_time_limited"] >= 1


async def hover_text(client: LanguageClient, uri: str, line: int) -> str:
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=0),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


async def test_hover_on_any_accepted_line_shows_the_generation(
    guard_client: LanguageClient,
) -> None:
    uri = "file:///accepted.py"
    text = "def fibonacci(n):\n    "
    await open_document(guard_client, uri, text)
    await wait_for_model(guard_client)
    start = end_of(text)
    result = await inline(guard_client, uri, start.line, start.character)
    assert result is not None and result.items
    insert = str(result.items[0].insert_text)
    assert "\n" in insert
    # Accept the first line (VS Code's "accept line"): the rest comes from the suggestion cache.
    first, rest = insert.split("\n", 1)
    at = (start.line, start.character)
    edit(guard_client, uri, 2, at, first + "\n")
    await inline(guard_client, uri, start.line + 1, 0)
    edit(guard_client, uri, 3, (start.line + 1, 0), rest)
    after = end_of(text + insert)
    for line in range(start.line, after.line + 1):
        value = await hover_text(guard_client, uri, line)
        # The generation's own cost, not the cache hit's "≈0 J · served from the cache".
        assert "no inference, no prompt tokens" not in value, (line, value)
        assert "generated:" in value
