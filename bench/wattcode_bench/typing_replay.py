"""Workload B: real files typed character by character through `wattcode serve` over stdio.

For each span (the first lines of a function body), the file is opened without the span and
the span is typed as an editor sends it: `didChange` with one character, then
`textDocument/inlineCompletion`; when the next key arrives while a request is still open, the
request is cancelled with `$/cancelRequest`. Keys come at a seeded, jittered typing rhythm with
a pause at every line end. A suggestion counts as accepted (the acceptance proxy) when its first
line equals what the user types next on that line. Typing on through an accepted suggestion keeps
it accepted key after key; the report also counts each such run once, as the suggestion a user
would have taken with Tab (`taken`).

In `lockstep` pace each key waits for its answer instead: nothing is cancelled, so which
suggestions arrive no longer depends on the machine's timing, and two configurations differ only
by what they do (e.g. gating), not by which generations happened to beat the next key.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from wattcode_bench.corpus import CorpusFile
from wattcode_bench.lsp_client import LspClient, ServerError

SKIP_PREFIX = "requests_skipped_"

KEY_DELAY = 0.11
KEY_JITTER = 0.04
LINE_END_PAUSE = 0.6
FINAL_WAIT = 240.0
"""Whole-file prompts of a few thousand tokens take 15-20 s on 2 cores: wait for the last."""
NEXT_KEPT = 200
"""Characters of what is typed next kept with each key (enough for any suggestion's lines)."""
BODY_START = re.compile(r"^\s*(def |async def |func |function |\w[\w.]*\s*\(.*\)\s*\{$)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    line: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


def find_spans(source: str, count: int, max_chars: int, seed: int) -> list[Span]:
    """Pick `count` spans: the first non-blank lines of function bodies, in whole lines."""
    lines = source.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    candidates = []
    for index, line in enumerate(lines[:-1]):
        if BODY_START.match(line) and line.rstrip().endswith((":", "{")):
            first = index + 1
            if not lines[first].strip() or lines[first].strip().startswith(('"""', "//", "#")):
                continue
            last = first
            while (
                last + 1 < len(lines)
                and lines[last + 1].strip()
                and offsets[last + 2] - offsets[first] <= max_chars
            ):
                last += 1
            # The span ends before the newline of its last line: that newline stays in the file.
            candidates.append(Span(offsets[first], offsets[last + 1] - 1, first))
    rng = random.Random(seed)
    chosen = rng.sample(candidates, min(count, len(candidates)))
    return sorted(chosen, key=lambda s: s.start)


@dataclass(frozen=True)
class SpanInFile:
    """A span with the file it is typed into: what opening that file and typing it needs."""

    corpus_file: CorpusFile
    source: str
    span: Span


@dataclass(frozen=True)
class SpanChoice:
    """Which spans a replay types, chosen alike for every configuration so they type the same."""

    files: tuple[CorpusFile, ...]
    per_file: int
    max_chars: int
    seed: int

    def each(self) -> Iterator[tuple[int, SpanInFile]]:
        """Every chosen span, with its file's place in `files` (missing files are skipped)."""
        for number, corpus_file in enumerate(self.files):
            source = corpus_file.load()
            if source is None:
                continue
            for span in find_spans(source, self.per_file, self.max_chars, self.seed + number):
                yield number, SpanInFile(corpus_file, source, span)


def utf16_len(text: str) -> int:
    """`text`'s length as LSP positions count it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class KeyRecord:
    index: int
    sent_at: float
    answered_at: float | None = None
    status: str = "pending"
    """"suggestion", "empty", "cancelled" or "error"."""
    suggestion: str = ""
    expected: str = ""
    accepted: bool = False
    from_cache: bool = False
    decode_seconds: float | None = None
    """The decoding time of the one generation that finished while this key was pending,
    when exactly one did: the floor that its latency is compared with."""
    typed: str = ""
    before: str = ""
    """The line left of the cursor after this key (the gating rules' view of the prefix)."""
    right: str = ""
    """The text right of the cursor on its line (the span's typing never changes it)."""
    skipped: str = ""
    """The gating rule that refused this key's request (`wattcode/stats` counters), if any."""
    next_text: str = ""
    """What the user types after this key (the span's rest, then the file's text after it):
    what a suggestion is scored against (`quality.py`)."""
    probabilities: tuple[float, ...] = ()
    """The generated tokens' probabilities, when this key's suggestion ran the model."""
    ends: tuple[int, ...] = ()
    raw_text: str = ""

    def row(self) -> dict[str, Any]:
        """What choosing gating rules from data needs, per request (kept in results.json)."""
        return {
            "typed": self.typed,
            "before": self.before[-24:],
            "right": self.right[:24],
            "status": self.status,
            "from_cache": self.from_cache,
            "accepted": self.accepted,
            "skipped": self.skipped,
            "suggestion": self.suggestion,
            "next": self.next_text[:NEXT_KEPT],
            "raw_text": self.raw_text,
            "probabilities": list(self.probabilities),
            "ends": list(self.ends),
        }

    @property
    def latency(self) -> float | None:
        return None if self.answered_at is None else self.answered_at - self.sent_at


@dataclass
class ReplayResult:
    config: str
    file: str
    language: str
    keys: list[KeyRecord] = field(default_factory=list)
    stats_before: dict[str, Any] = field(default_factory=dict)
    stats_after: dict[str, Any] = field(default_factory=dict)
    evaluated_per_key: list[float] = field(default_factory=list)
    open_latency: float = 0.0
    """From opening the file to the first suggestion at the span's start (cold prompt)."""
    open_evaluated: int = 0
    server_cpu_seconds: float = 0.0


async def _settle(
    client: LspClient, msg_id: int, future: asyncio.Future[Any], record: KeyRecord
) -> None:
    """Wait for one inline-completion answer and score it against what is typed next."""
    try:
        answer = await future
    except ServerError:
        record.status = "cancelled"
        return
    record.answered_at = client.received_at.get(msg_id, time.perf_counter())
    items = (answer or {}).get("items", [])
    text = items[0]["insertText"] if items else ""
    record.status = "suggestion" if text else "empty"
    record.suggestion = text
    first_line = text.split("\n", 1)[0].rstrip()
    record.accepted = bool(first_line) and first_line == record.expected.rstrip()


def _note_key_work(
    result: ReplayResult, record: KeyRecord, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """What the server did while `record`'s key was the latest, from its counters."""
    result.evaluated_per_key.append(
        after["prompt_tokens_evaluated"] - before["prompt_tokens_evaluated"]
    )
    # A cache hit is answered at once, so it shows up in the counters before the next key.
    record.from_cache = after["suggestion_cache_hits"] > before["suggestion_cache_hits"]
    if after.get("generations_completed", 0) - before.get("generations_completed", 0) == 1:
        record.decode_seconds = after["decode_seconds"] - before["decode_seconds"]
    for key, count in after.items():
        if key.startswith(SKIP_PREFIX) and count > before.get(key, 0):
            record.skipped = key.removeprefix(SKIP_PREFIX)
    last = after.get("last_suggestion") or {}
    generated = after.get("generations_completed", 0) > before.get("generations_completed", 0)
    if generated and not last.get("from_cache") and last.get("text") == record.suggestion:
        record.raw_text = last.get("raw_text", "")
        record.probabilities = tuple(last.get("probabilities", ()))
        record.ends = tuple(last.get("ends", ()))


@dataclass(frozen=True)
class Typist:
    """The typist of one replay: its server, the configuration it is scored as, its seeded
    rhythm and its pace, shared by every span it types."""

    client: LspClient
    config: str
    rng: random.Random
    pace: str = "rhythm"

    async def _open(self, uri: str, target: SpanInFile) -> ReplayResult:
        """Open the file without the span and ask at the span's start: the cold prompt."""
        client, source, span = self.client, target.source, target.span
        document = source[: span.start] + source[span.end :]
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": target.corpus_file.language_id,
                    "version": 1,
                    "text": document,
                }
            },
        )
        result = ReplayResult(
            self.config, target.corpus_file.path.name, target.corpus_file.language
        )
        # The user opens the file, puts the cursor at the span and reads before typing: the
        # first suggestion there is the cold prompt, reported on its own. Moving the cursor is
        # not asking for a suggestion, so the request is automatic (budgets and gating may
        # refuse it).
        opened = await client.call("wattcode/stats", {})
        started = time.perf_counter()
        await client.call(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": span.line, "character": 0},
                "context": {"triggerKind": 2},
            },
            timeout=FINAL_WAIT,
        )
        result.open_latency = time.perf_counter() - started
        result.stats_before = await client.call("wattcode/stats", {})
        result.open_evaluated = (
            result.stats_before["prompt_tokens_evaluated"] - opened["prompt_tokens_evaluated"]
        )
        return result

    async def replay_span(self, uri: str, target: SpanInFile) -> ReplayResult:
        """Open the span's file without the span, then type it in, key by key."""
        client, source, span = self.client, target.source, target.span
        typed = span.text(source)
        right = source[span.end :].split("\n", 1)[0]
        line_before = source[: span.start].rsplit("\n", 1)[-1]
        result = await self._open(uri, target)
        line = span.line
        column = 0
        version = 1
        process = psutil.Process(client.pid)
        cpu_before = sum(process.cpu_times()[:2])
        open_request: tuple[int, asyncio.Future[Any], KeyRecord] | None = None
        last_stats = result.stats_before

        pending: list[asyncio.Task[None]] = []
        for index, char in enumerate(typed):
            if open_request is not None and not open_request[1].done():
                client.cancel(open_request[0])
            version += 1
            position = {"line": line, "character": column}
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [
                        {"range": {"start": position, "end": position}, "text": char}
                    ],
                },
            )
            if char == "\n":
                line, column, line_before = line + 1, 0, ""
            else:
                column += utf16_len(char)
                line_before += char
            rest_of_line = typed[index + 1 :].split("\n", 1)[0]
            record = KeyRecord(
                index,
                time.perf_counter(),
                next_text=typed[index + 1 :] + source[span.end : span.end + NEXT_KEPT],
                expected=rest_of_line,
                typed=char,
                before=line_before,
                right=right,
            )
            result.keys.append(record)
            msg_id, future = client.request(
                "textDocument/inlineCompletion",
                {
                    "textDocument": {"uri": uri},
                    "position": {"line": line, "character": column},
                    "context": {"triggerKind": 2},
                },
            )
            open_request = (msg_id, future, record)
            pending.append(asyncio.create_task(_settle(client, msg_id, future, record)))
            if self.pace == "lockstep":
                await asyncio.wait_for(pending[-1], FINAL_WAIT)
            else:
                delay = KEY_DELAY + self.rng.uniform(-KEY_JITTER, KEY_JITTER)
                if char == "\n" or index + 1 == len(typed) or typed[index + 1] == "\n":
                    delay += LINE_END_PAUSE
                await asyncio.sleep(delay)
            stats = await client.call("wattcode/stats", {})
            _note_key_work(result, record, last_stats, stats)
            last_stats = stats
        await asyncio.wait_for(asyncio.gather(*pending), FINAL_WAIT)
        result.stats_after = await client.call("wattcode/stats", {})
        result.server_cpu_seconds = sum(process.cpu_times()[:2]) - cpu_before
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        return result


def peak_rss_bytes(pid: int) -> int:
    """The process's peak resident memory (VmHWM on Linux; current RSS elsewhere)."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return int(psutil.Process(pid).memory_info().rss)


@dataclass
class ConfigReplay:
    """One configuration's replay: per-span results, and the whole run as the server saw it
    (openings and pauses included: what a power budget governs)."""

    results: list[ReplayResult]
    peak_rss: int
    seconds: float
    """From the model being ready to the last answer."""
    stats_start: dict[str, Any]
    stats_end: dict[str, Any]


async def replay_config(
    config_name: str,
    settings: dict[str, Any],
    spans: SpanChoice,
    on_key: Any = None,
    pace: str = "rhythm",
) -> ConfigReplay:
    """Replay every file's spans through one server process."""
    client = LspClient(settings)
    await client.start()
    try:
        await client.initialize()
        await client.wait_for_model()
        stats_start = await client.call("wattcode/stats", {})
        started = time.perf_counter()
        results = []
        typist = Typist(client, config_name, random.Random(spans.seed), pace)
        for number, target in spans.each():
            uri = f"file:///bench/{config_name}/{number}/{target.corpus_file.path.name}"
            result = await typist.replay_span(uri, target)
            results.append(result)
            if on_key:
                on_key(len(result.keys))
        seconds = time.perf_counter() - started
        stats_end = await client.call("wattcode/stats", {})
        return ConfigReplay(results, peak_rss_bytes(client.pid), seconds, stats_start, stats_end)
    finally:
        await client.stop()
