"""Hypothesis strategies for adversarial LSP traffic: what a buggy or hostile client might send.

Each strategy yields a `Frame`: the bytes to write and, when the frame is a request the server
must answer, its id. Four kinds are mixed:

- LSP messages with the right shape and wild values (negative, huge and mid-surrogate
  positions, impossible ranges, NUL and lone-surrogate text, unopened documents);
- known methods with random JSON as params;
- random JSON values as whole messages;
- framing garbage (random bytes, headers without a length), always ending on a line break so
  that the next frame starts clean.

Requests use ids from TRACKED_ID_BASE on, so that random JSON (whose ids are small) cannot
answer for them. `shutdown`, `exit` and `initialize` are never sent: they end or reset the
session being fuzzed. Settings never touch `wattcode.model`: the fuzzed server runs without a
model, so that generation answers at once.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.reliability.raw_client import frame

TRACKED_ID_BASE = 1_000_000_000
URIS = (*tuple(f"file:///fuzz/doc{i}.py" for i in range(4)), "file:///fuzz/with%20space.py")
FORBIDDEN = frozenset({"shutdown", "exit", "initialize"})
REQUESTS = (
    "textDocument/inlineCompletion",
    "textDocument/completion",
    "textDocument/hover",
    "wattcode/stats",
)
NOTIFICATIONS = (
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/didSave",
    "workspace/didChangeConfiguration",
    "$/cancelRequest",
    "$/setTrace",
    "window/workDoneProgress/cancel",
    "workspace/didChangeWorkspaceFolders",
)

_ids = itertools.count(TRACKED_ID_BASE)


@dataclass(frozen=True)
class Frame:
    data: bytes
    expects_answer_to: int | None = None
    """The id of the request in this frame, when the server must answer it."""
    kind: str = "lsp"


def _encode(message: dict[str, Any]) -> bytes:
    return frame(json.dumps(message).encode())


# Integers where the bugs live: negatives, zero, the edges of 32 bits, and beyond.
wild_ints = st.one_of(
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=-(2**31), max_value=2**31),
    st.sampled_from([-1, 2**31 - 1, 2**31, 2**32, 2**53, -(2**63), 10**30]),
)
positions = st.fixed_dictionaries({"line": wild_ints, "character": wild_ints})

# Text with the characters that break offset arithmetic: astral (surrogate pairs in UTF-16),
# combining marks, NUL and other controls, CR/LF mixes, and lone surrogates (legal in JSON
# escapes, illegal in UTF-8).
tricky_chars = st.sampled_from(
    [
        "😀",
        "\U0001d518",
        "é",
        "e\u0301",
        "\x00",
        "\r",
        "\r\n",
        "\n",
        "\t",
        "\ufeff",
        "\u2028",
        "\ud800",
    ]
)
texts = st.lists(
    st.one_of(st.text(max_size=40), tricky_chars, st.just("def f(x):\n    return ")),
    max_size=12,
).map("".join)
uris = st.one_of(st.sampled_from(URIS), st.text(max_size=20), st.just("file:///fuzz/unopened.py"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _request(method: str, params: Any) -> Frame:
    msg_id = next(_ids)
    body = {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}
    return Frame(_encode(body), msg_id, "request")


def _notification(method: str, params: Any) -> Frame:
    return Frame(_encode({"jsonrpc": "2.0", "method": method, "params": params}), None, "notify")


@st.composite
def document_requests(draw: st.DrawFn) -> Frame:
    method = draw(st.sampled_from(REQUESTS))
    if method == "wattcode/stats":
        return _request(method, draw(st.none() | st.just({})))
    params: dict[str, Any] = {
        "textDocument": {"uri": draw(uris)},
        "position": draw(positions),
    }
    if method == "textDocument/inlineCompletion":
        params["context"] = {"triggerKind": draw(st.sampled_from([1, 2]))}
    return _request(method, params)


@st.composite
def document_notifications(draw: st.DrawFn) -> Frame:
    method = draw(st.sampled_from(NOTIFICATIONS))
    uri = draw(uris)
    version = draw(wild_ints)
    if method == "textDocument/didOpen":
        params: Any = {
            "textDocument": {
                "uri": uri,
                "languageId": "python",
                "version": version,
                "text": draw(texts),
            }
        }
    elif method == "textDocument/didChange":
        change: dict[str, Any] = {"text": draw(texts)}
        if draw(st.booleans()):
            change["range"] = {"start": draw(positions), "end": draw(positions)}
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
    elif method in ("textDocument/didClose", "textDocument/didSave"):
        params = {"textDocument": {"uri": uri}}
    elif method == "workspace/didChangeConfiguration":
        section = draw(st.sampled_from(["completion", "context", "cache", "experimental", "x"]))
        params = {"settings": {"wattcode": {section: draw(json_values)}}}
    elif method == "$/cancelRequest":
        params = {"id": draw(st.one_of(wild_ints, st.text(max_size=5)))}
    else:
        params = draw(json_values)
    return _notification(method, params)


@st.composite
def random_params(draw: st.DrawFn) -> Frame:
    """A known (or unknown) method with random JSON as params, as request or notification."""
    method = draw(
        st.sampled_from(REQUESTS + NOTIFICATIONS)
        | st.text(max_size=30).filter(lambda m: m not in FORBIDDEN)
    )
    params = draw(json_values)
    return _request(method, params) if draw(st.booleans()) else _notification(method, params)


@st.composite
def random_json(draw: st.DrawFn) -> Frame:
    """A whole message that is any JSON at all (rarely a valid one)."""
    value = draw(json_values)
    return Frame(frame(json.dumps(value).encode()), None, "json")


@st.composite
def garbage(draw: st.DrawFn) -> Frame:
    """Bytes that are not a well-formed frame. Each ends on a blank line, so that the frame
    after it starts on a fresh line and the stream resynchronises."""
    choice = draw(st.sampled_from(["bytes", "no-length", "not-json", "bad-utf8"]))
    if choice == "bytes":
        data = draw(st.binary(max_size=200)).replace(b"\n", b" ")
    elif choice == "no-length":
        data = b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + draw(
            st.binary(max_size=50)
        ).replace(b"\n", b" ")
    elif choice == "not-json":
        return Frame(frame(draw(st.binary(max_size=200))), None, "garbage")
    else:
        return Frame(frame(b'{"jsonrpc": "2.0", "method": "\xff\xfe"}'), None, "garbage")
    return Frame(data + b"\r\n\r\n", None, "garbage")


frames = st.one_of(
    document_requests(),
    document_notifications(),
    document_notifications(),
    random_params(),
    random_json(),
    garbage(),
)
