"""A typing storm: keystrokes at a fixed rate across several documents, each followed by an
inline-completion request and a `$/cancelRequest` for the previous one (what VS Code does).

Used by `test_typing_storm.py` (10 s) and the soak tool (60 s and more). It records what a
user would see: which suggestions arrived, for which document version, and when the next
keystroke of that document had been sent, plus the server's RSS once a second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.reliability.raw_client import RawClient

BODY = (
    "import math\n\n\n"
    "def area_{n}(radius):\n"
    '    """The area of a circle."""\n'
    "    return math.pi * radius ** 2\n\n\n"
    "def perimeter_{n}(radius):\n"
    "    return "
)
TYPED = "2 * math.pi * radius\n\n\ndef diameter(radius):\n    return 2 * radius\n" * 40
LATE_MARGIN = 0.25
"""Seconds after the next keystroke's didChange was written beyond which a delivered suggestion
counts as outdated: by then the server had read the change, so it must have dropped it."""


@dataclass
class StormResult:
    keystrokes: int = 0
    requests: int = 0
    answered: int = 0
    suggestions: int = 0
    outdated: list[dict[str, Any]] = field(default_factory=list)
    rss_samples: list[tuple[float, int]] = field(default_factory=list)
    seconds: float = 0.0
    last_keystroke_at: float = 0.0


@dataclass(frozen=True)
class Storm:
    """How a storm types: `seconds` at `rate` keys a second, round-robin over `documents`
    documents under `prefix`, in bursts of `burst_seconds` with a pause of `pause_seconds` after
    each, because at a steady 30 keys/s over 5 documents every generation is cancelled by the
    next key and the outdated-version check would have nothing to check."""

    seconds: float
    rate: float = 30.0
    documents: int = 5
    prefix: str = "storm"
    burst_seconds: float = 5.0
    pause_seconds: float = 1.0


def run_storm(client: RawClient, storm: Storm) -> StormResult:
    """Type `storm` into `client`'s server, recording what a user would see."""
    documents = storm.documents
    result = StormResult()
    uris = [f"file:///{storm.prefix}/doc{i}.py" for i in range(documents)]
    texts = [BODY.format(n=i) for i in range(documents)]
    versions = [1] * documents
    typed = [0] * documents
    for uri, text in zip(uris, texts, strict=True):
        client.open(uri, text)
    pending: dict[int, tuple[int, int, float]] = {}  # id -> (document, version, sent at)
    last_request: list[int | None] = [None] * documents
    next_change_at: dict[tuple[int, int], float] = {}  # (document, version) -> next didChange
    started = time.monotonic()
    next_rss = started
    key = 0
    while (now := time.monotonic()) - started < storm.seconds:
        doc = key % documents
        char = TYPED[typed[doc] % len(TYPED)]
        typed[doc] += 1
        lines = texts[doc].split("\n")
        position = {"line": len(lines) - 1, "character": len(lines[-1])}
        texts[doc] += char
        versions[doc] += 1
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uris[doc], "version": versions[doc]},
                "contentChanges": [{"range": {"start": position, "end": position}, "text": char}],
            },
        )
        next_change_at[(doc, versions[doc] - 1)] = time.monotonic()
        result.keystrokes += 1
        if (previous := last_request[doc]) is not None and previous in pending:
            client.notify("$/cancelRequest", {"id": previous})
        lines = texts[doc].split("\n")
        msg_id = client.request(
            "textDocument/inlineCompletion",
            client.inline_params(uris[doc], len(lines) - 1, len(lines[-1])),
        )
        pending[msg_id] = (doc, versions[doc], time.monotonic())
        last_request[doc] = msg_id
        result.requests += 1
        _collect(client, pending, next_change_at, result, wait=0.0)
        if now >= next_rss:
            result.rss_samples.append((round(now - started, 2), client.rss_bytes()))
            next_rss += 1.0
        key += 1
        if storm.burst_seconds and key % int(storm.rate * storm.burst_seconds) == 0:
            pause_until = time.monotonic() + storm.pause_seconds
            while time.monotonic() < pause_until:
                _collect(client, pending, next_change_at, result, wait=0.0)
                time.sleep(0.02)
            started += storm.pause_seconds  # the pause is not typing time
        time.sleep(max(0.0, started + key / storm.rate - time.monotonic()))
    result.last_keystroke_at = time.monotonic()
    _collect(client, pending, next_change_at, result, wait=60.0)
    result.seconds = time.monotonic() - started  # typing time, pauses excluded
    return result


def _collect(
    client: RawClient,
    pending: dict[int, tuple[int, int, float]],
    next_change_at: dict[tuple[int, int], float],
    result: StormResult,
    wait: float,
) -> None:
    """Take the answers that have arrived (all of them, waiting up to `wait` s, if wait > 0)."""
    for msg_id in list(pending):
        try:
            answer = client.response(msg_id, timeout=wait) if wait else client.take(msg_id)
        except AssertionError:
            raise AssertionError(f"request {msg_id} was never answered") from None
        if answer is None:
            continue
        doc, version, _sent = pending.pop(msg_id)
        arrived = answer["_arrived_at"]
        result.answered += 1
        items = (answer.get("result") or {}).get("items") or []
        if not items:
            continue
        result.suggestions += 1
        changed = next_change_at.get((doc, version))
        if changed is not None and arrived - changed > LATE_MARGIN:
            result.outdated.append(
                {"document": doc, "version": version, "late_by": round(arrived - changed, 3)}
            )
