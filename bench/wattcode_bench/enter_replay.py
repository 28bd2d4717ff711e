"""Workload D: Enter at the end of a function's first line, and the ghost text that follows.

What a user of VS Code does many times an hour: type `def f(x):` (or `func F() {`), press Enter;
the editor indents the new line in the same edit, and the suggestion that comes is usually the
body. For each span of the typing replay (the first lines of a function body) the file is opened
without the span, a request at the end of the function's first line warms the cache (the user
just typed it; not measured), then the Enter is sent as an editor sends it (a newline plus the
body's indentation) and the answer is awaited. Reported per configuration: Enter-to-ghost-text
latency, whether the suggestion's first line is what the file has there (taken with Tab),
whether the file with the whole suggestion accepted still parses (CPython for Python,
tree-sitter elsewhere), suggestions that start with whitespace (deeper than the user's
indentation), and what the guards changed.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass
from typing import Any

from tree_sitter import Parser

from models.trimming.languages import grammar, rules_for
from wattcode_bench.corpus import CorpusFile
from wattcode_bench.lsp_client import LspClient
from wattcode_bench.paired_stats import percentile
from wattcode_bench.typing_replay import FINAL_WAIT, SpanInFile, find_spans

GUARD_COUNTERS = (
    "guard_indentation",
    "guard_complete_lines",
    "guard_syntax",
    "generations_time_limited",
    "generations_completed",
    "guard_seconds",
)


@dataclass(frozen=True)
class EnterRecord:
    file: str
    language: str
    latency: float
    suggestion: str
    expected: str
    parses: bool | None
    """None when the file as the Enter left it did not parse either (nothing to compare)."""

    @property
    def taken(self) -> bool:
        first = self.suggestion.split("\n", 1)[0].rstrip()
        return bool(first) and first == self.expected.strip()

    def row(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "language": self.language,
            "latency": self.latency,
            "suggestion": self.suggestion,
            "expected": self.expected,
            "parses": self.parses,
            "taken": self.taken,
        }


def _parses(text: str, name: str, language_id: str) -> bool | None:
    if language_id == "python":
        try:
            ast.parse(text)
        except SyntaxError:
            return False
        return True
    rules = rules_for(language_id, name)
    language = grammar(rules) if rules is not None else None
    if language is None:
        return None
    return not Parser(language).parse(text.encode()).root_node.has_error


def _position(text: str) -> dict[str, int]:
    line = text.count("\n")
    column = len(text) - (text.rfind("\n") + 1)
    return {"line": line, "character": len(text[len(text) - column :].encode("utf-16-le")) // 2}


async def _ask(client: LspClient, uri: str, position: dict[str, int]) -> str:
    answer = await client.call(
        "textDocument/inlineCompletion",
        {"textDocument": {"uri": uri}, "position": position, "context": {"triggerKind": 2}},
        timeout=FINAL_WAIT,
    )
    items = (answer or {}).get("items", [])
    return str(items[0]["insertText"]) if items else ""


async def replay_enter(client: LspClient, uri: str, target: SpanInFile, warm: bool) -> EnterRecord:
    """Open the file without the span, ask at the end of the line before it (`warm`: the user
    typed that line, and its suggestion may continue after the Enter), press Enter."""
    corpus_file, source, span = target.corpus_file, target.source, target.span
    head = source[: span.start - 1]  # up to the end of the function's first line
    tail = source[span.end :]  # from the newline that ended the span
    body = span.text(source)
    indent = body[: len(body) - len(body.lstrip(" \t"))]
    client.notify(
        "textDocument/didOpen",
        {
            "textDocument": {
                "uri": uri,
                "languageId": corpus_file.language_id,
                "version": 1,
                "text": head + tail,
            }
        },
    )
    if warm:
        await _ask(client, uri, _position(head))
    enter = _position(head)
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": enter, "end": enter}, "text": "\n" + indent}],
        },
    )
    started = time.perf_counter()
    suggestion = await _ask(client, uri, _position(head + "\n" + indent))
    latency = time.perf_counter() - started
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    name = corpus_file.path.name
    # Judged where the file as the Enter left it parses: the span's removal can break it alone.
    before = _parses(head + "\n" + indent + tail, name, corpus_file.language_id)
    after = _parses(head + "\n" + indent + suggestion + tail, name, corpus_file.language_id)
    return EnterRecord(
        name,
        corpus_file.language,
        latency,
        suggestion,
        body.split("\n", 1)[0],
        after if before else None,
    )


async def replay_config(
    name: str, settings: dict[str, Any], files: list[CorpusFile], spans: int, seed: int
) -> dict[str, Any]:
    """Every file's spans through one server process; the summary and the rows."""
    client = LspClient(settings)
    await client.start()
    try:
        await client.initialize()
        await client.wait_for_model()
        stats_before = await client.call("wattcode/stats", {})
        results: dict[str, Any] = {}
        for mode in ("cold", "warm"):
            records = []
            for number, corpus_file in enumerate(files):
                source = corpus_file.load()
                if source is None:
                    continue
                for index, span in enumerate(find_spans(source, spans, 80, seed + number)):
                    uri = f"file:///enter/{name}/{mode}/{number}/{index}/{corpus_file.path.name}"
                    target = SpanInFile(corpus_file, source, span)
                    record = await replay_enter(client, uri, target, warm=mode == "warm")
                    records.append(record)
            stats_after = await client.call("wattcode/stats", {})
            results[mode] = {
                **summary(records, stats_before, stats_after),
                "rows": [r.row() for r in records],
            }
            stats_before = stats_after
    finally:
        await client.stop()
    return results


def summary(
    records: list[EnterRecord], before: dict[str, Any], after: dict[str, Any]
) -> dict[str, Any]:
    shown = [r for r in records if r.suggestion]
    checked = [r for r in shown if r.parses is not None]
    latencies = [r.latency for r in shown]
    return {
        "enters": len(records),
        "shown": len(shown),
        "taken": sum(r.taken for r in shown),
        "multi_line": sum("\n" in r.suggestion for r in shown),
        "parse_checked": len(checked),
        "parses": sum(bool(r.parses) for r in checked),
        "starts_with_whitespace": sum(r.suggestion[:1] in (" ", "\t") for r in shown),
        "latency_p50": percentile(latencies, 50),
        "latency_p95": percentile(latencies, 95),
        "from_cache": after.get("suggestion_cache_hits", 0)
        - before.get("suggestion_cache_hits", 0),
        "lines_shown_mean": (
            sum(r.suggestion.count("\n") + 1 for r in shown) / len(shown) if shown else 0.0
        ),
        **{key: after.get(key, 0) - before.get(key, 0) for key in GUARD_COUNTERS},
    }


def guard_counts(results: list[Any]) -> dict[str, float]:
    """How many finished generations each suggestion guard changed in a typing replay."""
    return {
        key: sum(r.stats_after.get(key, 0) - r.stats_before.get(key, 0) for r in results)
        for key in GUARD_COUNTERS
    }


def guard_table(configs: dict[str, Any]) -> list[str]:
    """The typing replay's guard counts and its line-break latency, per configuration."""
    lines = [
        "Suggestion guards and the time budget: finished generations, how many each guard "
        "changed, how many the time budget stopped, and the latency after a typed line break:",
        "",
        "| config | generations | indentation | complete lines | syntax | time-limited | "
        "guard ms / generation | taken | line-break latency p50 / p95 (ms, keys) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in configs.items():
        done = s.get("generations_completed", 0)
        guard_ms = s.get("guard_seconds", 0) * 1000 / done if done else float("nan")
        lines.append(
            f"| {name} | {done} | {s.get('guard_indentation', 0)} | "
            f"{s.get('guard_complete_lines', 0)} | {s.get('guard_syntax', 0)} | "
            f"{s.get('generations_time_limited', 0)} | {guard_ms:.2f} | "
            f"{s.get('taken', '–')} | {s.get('line_break_latency_p50', float('nan')) * 1000:.0f}"
            f" / {s.get('line_break_latency_p95', float('nan')) * 1000:.0f} "
            f"({s.get('line_break_suggestions', 0)}) |"
        )
    return [*lines, ""]


def enter_section(enter: dict[str, Any]) -> list[str]:
    configs = enter.get("configs", {})
    if not configs:
        return []
    lines = [
        "### Enter in a function body",
        "",
        f"{enter['note']}",
        "",
        "| config (cold: no request before the Enter; warm: one at the line's end) | Enters "
        "(answered from the suggestion cache) | shown | taken | multi-line | parses after Tab "
        "(checked) | start with whitespace | lines shown (mean) | latency p50 / p95 (ms) | "
        "indentation / complete-lines / syntax guards | time-limited | guard ms / generation |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, modes in configs.items():
        for mode, s in modes.items():
            lines.append(_enter_row(f"{name} ({mode})", s))
    lines.append("")
    return lines


def _enter_row(name: str, s: dict[str, Any]) -> str:
    done = s.get("generations_completed", 0)
    guard_ms = s.get("guard_seconds", 0) * 1000 / done if done else float("nan")
    return (
        f"| {name} | {s['enters']} ({s['from_cache']}) | {s['shown']} | {s['taken']} | "
        f"{s['multi_line']} | "
        f"{s['parses']} ({s['parse_checked']}) | {s['starts_with_whitespace']} | "
        f"{s['lines_shown_mean']:.1f} | {s['latency_p50'] * 1000:.0f} / "
        f"{s['latency_p95'] * 1000:.0f} | {s['guard_indentation']} / "
        f"{s['guard_complete_lines']} / {s['guard_syntax']} | "
        f"{s['generations_time_limited']} | {guard_ms:.2f} |"
    )
