"""Hostile and broken protocol input, sent as raw bytes to the real server: each gets a JSON-RPC
error or an empty result, never a crash or a hang, and a valid request after it is answered."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.reliability.raw_client import RawClient, encode, frame

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
EMOJI_TEXT = "x = '😀😀'\nprint(x)\n"


def request(msg_id: int, method: str, params: Any) -> bytes:
    return encode({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})


def inline(msg_id: int, uri: str, line: int, character: int) -> bytes:
    return request(
        msg_id,
        "textDocument/inlineCompletion",
        {
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": character},
            "context": {"triggerKind": 2},
        },
    )


def still_serving(client: RawClient) -> None:
    stats = client.assert_alive(timeout=10)
    assert stats["model"]["state"] == "failed"  # the fixture's server runs without a model


# (name, bytes, id of the request to expect an error for, its code). An id of None means the
# message cannot be answered by id (a notification, or a body whose id cannot be read).
ERRORS = [
    ("truncated JSON", frame(b'{"jsonrpc": "2.0", "id": 7001, "method": '), None, PARSE_ERROR),
    ("not UTF-8", frame(b'{"jsonrpc": "2.0", "method": "\xff"}'), None, PARSE_ERROR),
    ("an array", frame(b"[1, 2, 3]"), None, INVALID_REQUEST),
    ("a number", frame(b"5"), None, INVALID_REQUEST),
    (
        "no jsonrpc",
        frame(json.dumps({"id": 7002, "method": "wattcode/stats"}).encode()),
        7002,
        INVALID_REQUEST,
    ),
    (
        "jsonrpc 1.0",
        frame(json.dumps({"jsonrpc": "1.0", "id": 7003, "method": "x"}).encode()),
        7003,
        INVALID_REQUEST,
    ),
    ("unknown request", request(7004, "wattcode/nonsense", {}), 7004, METHOD_NOT_FOUND),
    (
        "wrong param type",
        request(7005, "textDocument/hover", {"textDocument": 5}),
        7005,
        INVALID_PARAMS,
    ),
    ("params missing", request(7006, "textDocument/inlineCompletion", None), 7006, INVALID_PARAMS),
    ("negative position", inline(7007, "file:///a.py", -1, -5), 7007, INVALID_PARAMS),
    ("position beyond 32 bits", inline(7008, "file:///a.py", 2**40, 0), 7008, INVALID_PARAMS),
    ("deeply nested JSON", frame(b"[" * 100_000 + b"]" * 100_000), None, PARSE_ERROR),
]


@pytest.mark.parametrize(("name", "data", "msg_id", "code"), ERRORS, ids=[e[0] for e in ERRORS])
def test_malformed_messages_get_a_json_rpc_error(
    modelless: RawClient, name: str, data: bytes, msg_id: int | None, code: int
) -> None:
    modelless.forget(msg_id)
    modelless.send_bytes(data)
    answer = modelless.response(msg_id, timeout=10)
    assert answer["error"]["code"] == code, answer
    still_serving(modelless)


def test_an_unknown_notification_is_ignored(modelless: RawClient) -> None:
    modelless.notify("wattcode/nonsense", {"a": 1})
    modelless.notify("$/somethingOptional", None)
    still_serving(modelless)
    assert not any("nonsense" in m["message"] for m in modelless.messages)


FRAMING = [
    ("garbage bytes", b"\x00\xff\xfe garbage \x01\x02\r\n\r\n"),
    ("garbage without a line end", b"\x89PNG\x00\x00 no newline here"),
    ("header without a length", b"Content-Type: application/json\r\n\r\n{}"),
    ("length too short", b"Content-Length: 10\r\n\r\n" + json.dumps({"jsonrpc": "2.0"}).encode()),
    ("length of 10**14", b"Content-Length: 100000000000000\r\n\r\n{}"),
    ("length of 10**40", b"Content-Length: " + b"9" * 40 + b"\r\n\r\n{}"),
    ("length zero", b"Content-Length: 0\r\n\r\n"),
    ("megabyte header line", b"X-Junk: " + b"a" * (1 << 20) + b"\r\n\r\n"),
]


@pytest.mark.parametrize(("name", "data"), FRAMING, ids=[f[0] for f in FRAMING])
def test_broken_framing_costs_only_itself(modelless: RawClient, name: str, data: bytes) -> None:
    modelless.send_bytes(data)
    still_serving(modelless)  # the next well-framed request is answered


def test_a_huge_length_is_refused_with_a_message(modelless: RawClient) -> None:
    modelless.send_bytes(b"Content-Length: 99999999999\r\n\r\n")
    still_serving(modelless)
    assert any("over the limit" in m["message"] for m in modelless.messages) or (
        "over the limit" in _log(modelless)
    )


def _log(client: RawClient) -> str:
    from tests.reliability.conftest import log_of  # noqa: PLC0415

    return log_of(client)


def test_document_edge_cases_answer_empty(modelless: RawClient) -> None:
    uri = "file:///edge/emoji.py"
    modelless.open(uri, EMOJI_TEXT)
    cases = [
        (uri, 0, 6),  # between the two halves of the first emoji
        (uri, 99, 0),  # past the last line
        (uri, 0, 10**9),  # past the end of the line
        ("file:///edge/never-opened.py", 0, 0),
    ]
    for target, line, character in cases:
        answer = modelless.response(
            modelless.request(
                "textDocument/inlineCompletion", modelless.inline_params(target, line, character)
            ),
            timeout=10,
        )
        assert answer["result"] == {"items": []}, (target, line, character, answer)
    still_serving(modelless)


def test_impossible_edits_leave_the_server_serving(modelless: RawClient) -> None:
    uri = "file:///edge/edits.py"
    modelless.open(uri, "a = 1\nb = 2\n")
    impossible = [
        {"start": {"line": 50, "character": 3}, "end": {"line": 2, "character": 0}},  # reversed
        {"start": {"line": 0, "character": 99}, "end": {"line": 99, "character": 99}},
        {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 0}},
    ]
    for version, change in enumerate(impossible, start=2):
        modelless.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": change, "text": "zz\n"}],
            },
        )
    # An edit to a document that was never opened, and a close of one.
    modelless.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": "file:///edge/ghost.py", "version": 2},
            "contentChanges": [{"text": "x"}],
        },
    )
    modelless.notify("textDocument/didClose", {"textDocument": {"uri": "file:///edge/ghost.py"}})
    still_serving(modelless)
    answer = modelless.call(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
    )
    assert answer is None
    # The ghost edit is reported once, as a message that says the server keeps running.
    shown = [m for m in modelless.messages if "could not handle" in m["message"]]
    assert len(shown) <= 1
    assert all("keeps running" in m["message"] for m in shown)


def test_a_flood_of_bad_messages_shows_at_most_one_popup(modelless: RawClient) -> None:
    before = len(modelless.messages)
    for _ in range(50):
        modelless.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": "file:///edge/ghost2.py", "version": 1},
                "contentChanges": [{"text": "x"}],
            },
        )
    still_serving(modelless)
    assert len(modelless.messages) - before <= 1
