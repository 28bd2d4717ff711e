"""The typing replay's figures for one configuration (or one language of it), from its
`ReplayResult`s: keys, suggestions and cancellations; acceptance as accepted keys and as
suggestions taken (`taken_suggestions`: a run of accepted keys counted once); latencies (all,
after a line break, without cache hits, against the decode floor); where a finished
generation's server time goes; prompt tokens evaluated; server CPU time, memory, caches and
energy. `runner.py` stores these summaries under results.json's `typing`, where the report's
tables read them."""

from __future__ import annotations

from typing import Any

from wattcode_bench.energy_report import typing_energy
from wattcode_bench.enter_replay import guard_counts
from wattcode_bench.paired_stats import percentile
from wattcode_bench.quality import quality


def _server_time_split(results: list[Any]) -> dict[str, float]:
    """Mean seconds per finished generation spent trimming, reading the prompt and decoding."""

    def delta(key: str) -> float:
        return float(sum(r.stats_after.get(key, 0) - r.stats_before.get(key, 0) for r in results))

    completed = delta("generations_completed")
    if not completed:
        return {}
    return {
        f"{key}_per_generation": delta(key) / completed
        for key in ("context_seconds", "prompt_seconds", "decode_seconds")
    }


def taken_suggestions(keys: list[Any]) -> list[Any]:
    """The accepted keys a user would have pressed Tab at: the first of each run of accepted
    keys. Typing on through a shown suggestion keeps it accepted key after key (the cache
    serves its rest), but in an editor it is one suggestion taken once; counting keys lets one
    generation that won or lost a race against the next key decide a dozen accepted keys."""
    return [
        key
        for index, key in enumerate(keys)
        if key.accepted and not (index and keys[index - 1].accepted)
    ]


def typing_summary(results: list[Any], peak_rss: int) -> dict[str, Any]:
    keys = [k for r in results for k in r.keys]
    suggestions = [k for k in keys if k.status == "suggestion"]
    accepted = [k for k in suggestions if k.accepted]
    taken = [k for r in results for k in taken_suggestions(r.keys)]
    latencies = [k.latency for k in suggestions if k.latency is not None]
    # Enter to ghost text: the suggestion shown after a line break (the 6.5-11 s).
    line_breaks = [k.latency for k in suggestions if k.typed == "\n" and k.latency is not None]
    inferred = [k.latency for k in suggestions if k.latency is not None and not k.from_cache]
    floors = [
        (k.latency, k.decode_seconds)
        for k in suggestions
        if k.latency is not None and not k.from_cache and k.decode_seconds
    ]
    evaluated = [x for r in results for x in r.evaluated_per_key]
    cpu = sum(r.server_cpu_seconds for r in results)
    cache_hits = sum(
        r.stats_after.get("suggestion_cache_hits", 0)
        - r.stats_before.get("suggestion_cache_hits", 0)
        for r in results
    )
    caches = results[-1].stats_after.get("caches", {}) if results else {}
    evaluated_total = sum(
        r.stats_after.get("prompt_tokens_evaluated", 0)
        - r.stats_before.get("prompt_tokens_evaluated", 0)
        for r in results
    )
    accepted_chars = sum(len(k.suggestion.split("\n", 1)[0].rstrip()) for k in accepted)
    energy = typing_energy(results, len(suggestions))
    spans = [[k.row() for k in r.keys] for r in results]
    return {
        **energy,
        **quality(spans, energy["energy_joules"], evaluated_total),
        "keys": len(keys),
        "suggestions": len(suggestions),
        "accepted": len(accepted),
        "accepted_chars": accepted_chars,
        "taken": len(taken),
        "taken_chars": sum(len(k.suggestion.split("\n", 1)[0].rstrip()) for k in taken),
        "cancelled": sum(k.status == "cancelled" for k in keys),
        "latencies": latencies,
        "latency_p50": percentile(latencies, 50),
        "latency_p95": percentile(latencies, 95),
        "line_break_latency_p50": percentile(line_breaks, 50),
        "line_break_latency_p95": percentile(line_breaks, 95),
        "line_break_suggestions": len(line_breaks),
        **guard_counts(results),
        "inferred_latency_p50": percentile(inferred, 50),
        "inferred_suggestions": len(inferred),
        "decode_floor_p50": percentile([floor for _, floor in floors], 50),
        "latency_over_decode_floor_p50": percentile([lat / floor for lat, floor in floors], 50),
        "latency_over_decode_floor_count": len(floors),
        **_server_time_split(results),
        "evaluated_per_key": evaluated,
        "evaluated_tokens_per_key": sum(evaluated) / len(evaluated) if evaluated else 0.0,
        "server_cpu_seconds": cpu,
        "server_cpu_seconds_per_suggestion": cpu / len(suggestions) if suggestions else 0.0,
        "server_cpu_seconds_per_accepted_char": cpu / accepted_chars
        if accepted_chars
        else float("nan"),
        "peak_rss_bytes": peak_rss,
        "suggestion_cache_hits": cache_hits,
        "open_latency_mean": (
            sum(r.open_latency for r in results) / len(results) if results else float("nan")
        ),
        "open_prompt_tokens_evaluated_mean": (
            sum(r.open_evaluated for r in results) / len(results) if results else float("nan")
        ),
        "suggestion_cache_bytes": caches.get("suggestion_bytes", 0),
        "kv_state_bytes": caches.get("kv_state_bytes", 0),
        "kv_state_limit_mb": caches.get("kv_state_limit_bytes", 0) / 2**20,
        "prompt_tokens_evaluated": evaluated_total,
        "prompt_tokens_evaluated_per_suggestion": (
            evaluated_total / len(suggestions) if suggestions else float("nan")
        ),
    }
