"""Inputs at the edge of sizes and shapes, through the real model: a 10 MB document, a document
of NUL characters, megabyte-long lines, deeply nested code, a cursor inside an emoji. Each gets
a suggestion or an empty answer, and the server keeps serving."""

from __future__ import annotations

import pytest

from tests.reliability.raw_client import RawClient

pytestmark = pytest.mark.model
MB = 1 << 20
TAIL = "\ndef add(a, b):\n    return "

CASES = {
    "10 MB of code": "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(400_000))[
        : 10 * MB
    ]
    + TAIL,
    "10 MB of NUL": "\x00" * (10 * MB) + TAIL,
    "a megabyte line above": "x = '" + "a" * MB + "'" + TAIL,
    "the cursor at the end of a megabyte line": "x = [" + "1, " * (MB // 3),
    "20,000 nested parentheses": "x = " + "(" * 20_000 + "1" + ")" * 19_999,
    "500 nested blocks": "".join("    " * i + f"if x{i}:\n" for i in range(500))
    + "    " * 500
    + "return ",
    "lone surrogates and controls": "s = '\ud800\udfff\x00\x1b[0m\u2028'" + TAIL,
}


@pytest.mark.parametrize("name", list(CASES))
def test_extreme_documents_get_an_answer(with_model: RawClient, name: str) -> None:
    text = CASES[name]
    uri = f"file:///large/{abs(hash(name))}.py"
    with_model.open(uri, text)
    lines = text.split("\n")
    position = (len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2)
    answer = with_model.call(
        "textDocument/inlineCompletion", with_model.inline_params(uri, *position), timeout=120
    )
    assert isinstance(answer["items"], list)
    stats = with_model.assert_alive()
    assert stats["model"]["state"] == "ready"
    with_model.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def test_a_cursor_inside_an_emoji_gets_nothing(with_model: RawClient) -> None:
    uri = "file:///large/emoji.py"
    with_model.open(uri, "x = '😀😀'" + TAIL)
    inside = with_model.call("textDocument/inlineCompletion", with_model.inline_params(uri, 0, 6))
    assert inside == {"items": []}  # an insertion there would split the emoji
    after = with_model.call("textDocument/inlineCompletion", with_model.inline_params(uri, 2, 11))
    assert after["items"], "a valid position in the same document still gets a suggestion"


def test_a_document_uri_with_escapes_gets_suggestions(with_model: RawClient) -> None:
    # VS Code sends a space in a path as %20; pygls keys its documents by the unquoted URI.
    uri = "file:///large/my%20project/add.py"
    with_model.open(uri, "def add(a, b):\n    return ")
    answer = with_model.call("textDocument/inlineCompletion", with_model.inline_params(uri, 1, 11))
    assert answer["items"]
