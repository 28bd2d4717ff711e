"""The llama.vim path as a peer (`llamavim`): llama-server's `/infill`, asked as llama.vim asks.

The typing replay's spans are typed into a text held here; for each key this module does what
llama.vim (ggml-org/llama.vim, `autoload/llama.vim`, auto FIM on `CursorMovedI`) does, with its
default settings, and scores the suggestion it would show exactly as `typing_replay` scores
wattcode's (the same `KeyRecord`s and `ReplayResult`s, so `typing_summary` reads both alike).

Replicated: the request (256 lines above the cursor line as `input_prefix`, the cursor line's
left part as `prompt`, its right part and 64 lines below as `input_suffix`; a whitespace-only
cursor line sends neither part and `n_indent` 0; `n_predict` 128, `top_k` 40, `top_p` 0.9,
samplers `top_k, top_p, infill`, `cache_prompt`, `t_max_prompt_ms` 500, `t_max_predict_ms` 250
as for a first, non-speculative request); no request when more than 8 characters are right of
the cursor; its suggestion cache (250 responses, LRU, keyed by the context's sha256 and by the
same with one to three prefix lines dropped; a key whose context is cached sends nothing, and one
typed into an earlier suggestion shows that suggestion's rest, looking back up to 128
characters) and the rules that hide a suggestion repeating the text around the cursor.
Omitted: the ring of extra context chunks (`input_extra` is empty: in one file typed in one
place its chunks would come from the same file), the speculative request for the text after a
shown suggestion, and the typist's pace: the peer runs in lockstep only (each key waits for its
answer, so llama.vim's one-request-in-flight rule and its 100 ms retry timer never act).
Offline by construction: the server is started here and bound to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models import paths
from models.energy.cpu_time import cpu_model_name, watts_per_core
from models.model_files import resolve_model_path
from wattcode_bench.llama_server_process import LlamaServer
from wattcode_bench.typing_replay import (
    FINAL_WAIT,
    NEXT_KEPT,
    ConfigReplay,
    KeyRecord,
    ReplayResult,
    Span,
    SpanChoice,
    peak_rss_bytes,
)

NAME = "llamavim"
LLAMA_CPP_PYTHON_VERSION = "0.3.36"
N_PREFIX, N_SUFFIX, N_PREDICT = 256, 64, 128
MAX_LINE_SUFFIX = 8
MAX_CACHE_KEYS = 250
LOOKBACK = 128
TIMINGS = (
    *("prompt_n", "prompt_ms", "prompt_per_token_ms", "prompt_per_second"),
    *("predicted_n", "predicted_ms", "predicted_per_token_ms", "predicted_per_second"),
)
COUNTERS = (
    "requests",
    "requests_skipped",
    "suggestion_cache_hits",
    "prompt_tokens_evaluated",
    "generations_completed",
    "prompt_seconds",
    "decode_seconds",
)
"""The `wattcode/stats` counters the peer keeps, under the same names, for the summaries."""
CURSOR_MARK = "Î"
"""What llama.vim puts between the text before and after the cursor in its cache keys."""


def server_binary(given: str | None = None) -> Path | None:
    """`--llama-server`, else `$WATTCODE_LLAMA_SERVER`, else what `build.sh` left in the cache."""
    named = given or os.environ.get("WATTCODE_LLAMA_SERVER")
    path = (
        Path(named).expanduser()
        if named
        else paths.cache_dir() / "llama-server" / LLAMA_CPP_PYTHON_VERSION / "llama-server"
    )
    return path if path.is_file() and os.access(path, os.X_OK) else None


@dataclass(frozen=True)
class LocalContext:
    prefix: str
    middle: str
    suffix: str
    indent: int
    line_suffix: str


def local_context(text: str, cursor: int) -> LocalContext:
    """llama.vim's `s:fim_ctx_local` for the cursor at offset `cursor` of `text`."""
    lines = text.split("\n")
    row = text.count("\n", 0, cursor)
    column = cursor - (text.rfind("\n", 0, cursor) + 1)
    line = lines[row]
    above = lines[max(0, row - N_PREFIX) : row]
    below = lines[row + 1 : row + 1 + N_SUFFIX]
    if line.strip() == "":
        indent, left, right = 0, "", ""
    else:
        indent, left, right = len(line) - len(line.lstrip()), line[:column], line[column:]
    suffix = right + "\n" + "\n".join(below) + "\n"
    return LocalContext("\n".join(above) + "\n", left, suffix, indent, right)


def infill_request(context: LocalContext) -> dict[str, Any]:
    """The JSON body llama.vim posts to `/infill` for a first (non-speculative) request."""
    return {
        "id_slot": 0,
        "input_prefix": context.prefix,
        "input_suffix": context.suffix,
        "input_extra": [],
        "prompt": context.middle,
        "n_predict": N_PREDICT,
        "stop": [],
        "n_indent": context.indent,
        "top_k": 40,
        "top_p": 0.90,
        "samplers": ["top_k", "top_p", "infill"],
        "stream": False,
        "cache_prompt": True,
        "t_max_prompt_ms": 500,
        "t_max_predict_ms": 250,
        "response_fields": [
            "content",
            *(f"timings/{key}" for key in TIMINGS),
            "truncated",
            "tokens_cached",
        ],
    }


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def context_keys(context: LocalContext) -> list[str]:
    """The cache keys a response is stored under: the context, and up to three with the
    prefix's first lines dropped (the same place after the window scrolled down)."""
    tail = context.middle + CURSOR_MARK + context.suffix
    keys, prefix = [_sha(context.prefix + tail)], context.prefix
    for _ in range(3):
        prefix = prefix.split("\n", 1)[1] if "\n" in prefix else ""
        if not prefix:
            break
        keys.append(_sha(prefix + tail))
    return keys


class SuggestionCache:
    """llama.vim's `g:cache_data`: responses' contents by context key, least recently used out."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, str] = OrderedDict()

    def get(self, key: str) -> str | None:
        if key in self._entries:
            self._entries.move_to_end(key)
        return self._entries.get(key)

    def insert(self, keys: list[str], content: str) -> None:
        for key in keys:
            if key not in self._entries and len(self._entries) >= MAX_CACHE_KEYS:
                self._entries.popitem(last=False)
            self._entries[key] = content
            self._entries.move_to_end(key)

    def lookup(self, context: LocalContext) -> str | None:
        """`s:fim_try_hint`: this context's response, else the rest of one cached up to 128
        characters back whose start is what was typed since (its quirky pick kept)."""
        found = self.get(context_keys(context)[0])
        if found is not None:
            return found
        typed_so_far = context.prefix + context.middle
        best = 0
        for back in range(1, LOOKBACK + 1):
            if back > len(typed_so_far):
                break
            removed = typed_so_far[-back:]
            cached = self.get(_sha(typed_so_far[:-back] + CURSOR_MARK + context.suffix))
            if not cached or cached[:back] != removed or not cached[back:]:
                continue
            rest = cached[back:]
            if found is None:
                found = rest
            elif len(rest) > best:
                best, found = len(rest), rest
        return found


def shown(content: str, text: str, cursor: int) -> str:
    """`s:fim_render`: what llama.vim shows of `content` at the cursor ("" when nothing)."""
    lines = text.split("\n")
    row = text.count("\n", 0, cursor)
    column = cursor - (text.rfind("\n", 0, cursor) + 1)
    parts = content.split("\n")
    while parts and parts[-1] == "":
        parts.pop()
    if not parts:
        return ""
    line = lines[row]
    if line.strip() == "":
        lead = min(len(parts[0]) - len(parts[0].lstrip()), len(line))
        line, parts[0] = parts[0][:lead], parts[0][lead:]
    left, right = line[:column], line[column:]
    below = lines[row + 1 :]
    if parts[0] == "" and (len(parts) == 1 or parts[1:] == below[: len(parts) - 1]):
        return ""
    if parts == [right]:
        return ""
    next_row = row + 1
    while next_row < len(lines) - 1 and lines[next_row].strip() == "":
        next_row += 1
    after = lines[next_row + 1 :]
    if next_row < len(lines) and left + parts[0] == lines[next_row]:
        repeats = (
            len(parts) == 1
            or (len(parts) == 2 and parts[1] == (after[0] if after else "")[: len(parts[1])])
            or (len(parts) > 2 and parts[1:] == after[: len(parts) - 1])
        )
        if repeats:
            return ""
    suggestion = "\n".join(parts)
    return "" if suggestion.strip() == "" else suggestion


def _timing(answer: dict[str, Any], key: str) -> float:
    """A `timings` figure, flattened by `response_fields` ("timings/prompt_n") or not."""
    timings = answer.get("timings") or {}
    return float(answer.get(f"timings/{key}", timings.get(key, 0)) or 0)


class PeerSpan:
    """One span typed through the peer, keeping `wattcode/stats`-like counters."""

    def __init__(self, server: LlamaServer, cache: SuggestionCache, counters: dict[str, Any]):
        self.server, self.cache, self.counters = server, cache, counters
        self.joules_per_cpu_second = watts_per_core(cpu_model_name())[0]
        self.last_decode_seconds: float | None = None
        """The decoding time of the last key's generation (None: it sent no request)."""

    def snapshot(self) -> dict[str, Any]:
        cpu = self.server.cpu_seconds()
        return {
            **self.counters,
            "energy_joules": cpu * self.joules_per_cpu_second,
            "energy_method": f"CPU time × {self.joules_per_cpu_second:g} W/core (llama-server)",
        }

    async def ask(self, text: str, cursor: int) -> tuple[str, bool, int]:
        """One key's (suggestion shown, from the client's cache, prompt tokens evaluated)."""
        context = local_context(text, cursor)
        self.counters["requests"] += 1
        self.last_decode_seconds = None
        cached = self.cache.lookup(context)
        hint = shown(cached, text, cursor) if cached is not None else ""
        self.counters["suggestion_cache_hits"] += bool(hint)
        keys = context_keys(context)
        if any(self.cache.get(key) is not None for key in keys):
            return hint, bool(hint), 0
        if len(context.line_suffix.encode()) > MAX_LINE_SUFFIX:
            self.counters["requests_skipped"] += 1
            return hint, bool(hint), 0
        answer = await self.server.infill(infill_request(context))
        evaluated = int(_timing(answer, "prompt_n"))
        self.counters["prompt_tokens_evaluated"] += evaluated
        self.counters["generations_completed"] += 1
        self.counters["prompt_seconds"] += _timing(answer, "prompt_ms") / 1000
        self.last_decode_seconds = _timing(answer, "predicted_ms") / 1000
        self.counters["decode_seconds"] += self.last_decode_seconds
        content = str(answer.get("content", ""))
        self.cache.insert(keys, content)
        # A shown suggestion stays; the answer is shown only where there is none.
        return (hint, True, evaluated) if hint else (shown(content, text, cursor), False, evaluated)


async def replay_span(
    peer: PeerSpan, source: str, span: Span, label: str, language: str
) -> ReplayResult:
    """One span typed in lockstep: each key waits for what llama.vim would show after it."""
    typed = span.text(source)
    before, after = source[: span.start], source[span.end :]
    right = after.split("\n", 1)[0]
    line_before = before.rsplit("\n", 1)[-1]
    result = ReplayResult(NAME, label, language)
    started = time.perf_counter()
    open_before = peer.counters["prompt_tokens_evaluated"]
    await peer.ask(before + after, len(before))
    result.open_latency = time.perf_counter() - started
    result.open_evaluated = peer.counters["prompt_tokens_evaluated"] - open_before
    result.stats_before = peer.snapshot()
    cpu_before = peer.server.cpu_seconds()
    for index, char in enumerate(typed):
        text = before + typed[: index + 1] + after
        line_before = "" if char == "\n" else line_before + char
        rest_of_line = typed[index + 1 :].split("\n", 1)[0]
        record = KeyRecord(
            index, time.perf_counter(), expected=rest_of_line, typed=char,
            before=line_before, right=right,
            next_text=typed[index + 1 :] + after[:NEXT_KEPT],
        )  # fmt: skip
        result.keys.append(record)
        suggestion, record.from_cache, evaluated = await asyncio.wait_for(
            peer.ask(text, len(before) + index + 1), FINAL_WAIT
        )
        record.decode_seconds = peer.last_decode_seconds
        record.answered_at = time.perf_counter()
        result.evaluated_per_key.append(evaluated)
        record.status = "suggestion" if suggestion else "empty"
        record.suggestion = suggestion
        # As typing_replay._settle scores wattcode's answers.
        first_line = suggestion.split("\n", 1)[0].rstrip()
        record.accepted = bool(first_line) and first_line == record.expected.rstrip()
    result.stats_after = peer.snapshot()
    result.server_cpu_seconds = peer.server.cpu_seconds() - cpu_before
    return result


async def replay_config(
    binary: Path, model: Path, spans: SpanChoice, on_key: Any = None
) -> ConfigReplay:
    """Replay every file's spans through one llama-server, as `typing_replay.replay_config`
    does in lockstep pace."""
    server = LlamaServer(binary, model)
    await server.start()
    try:
        counters = dict.fromkeys(COUNTERS, 0)
        peer = PeerSpan(server, SuggestionCache(), counters)
        stats_start, started = peer.snapshot(), time.perf_counter()
        results = []
        for _, target in spans.each():
            result = await replay_span(
                peer,
                target.source,
                target.span,
                target.corpus_file.path.name,
                target.corpus_file.language,
            )
            results.append(result)
            if on_key:
                on_key(len(result.keys))
        seconds = time.perf_counter() - started
        rss = peak_rss_bytes(server.process.pid) if server.process else 0
        return ConfigReplay(results, rss, seconds, stats_start, peer.snapshot())
    finally:
        await server.stop()


def skip_reason(given: str | None, pace: str) -> str:
    """Why the peer cannot run in this plan ("" when it can)."""
    if pace != "lockstep":
        return "llamavim: skipped (the peer runs in lockstep only: add --typing-pace lockstep)."
    if server_binary(given) is None:
        return (
            "llamavim: skipped (no llama-server binary: build it with "
            "bench/llama_server/build.sh, or name one with --llama-server or "
            "WATTCODE_LLAMA_SERVER)."
        )
    return ""


async def run_peer(plan: Any, spans: SpanChoice, on_key: Any) -> ConfigReplay | str:
    """The peer's replay for a `runner.BenchPlan`, or the one line saying why it was skipped."""
    reason = skip_reason(plan.llama_server, plan.typing_pace)
    binary = server_binary(plan.llama_server)
    if reason or binary is None:
        sys.stderr.write(reason + "\n")
        return reason
    model = resolve_model_path(None)
    return await replay_config(binary, model, spans, on_key)
