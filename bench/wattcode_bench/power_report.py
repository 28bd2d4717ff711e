"""Request gating and power budgets in the typing replay: what was skipped, what it cost in
accepted suggestions, and whether each budget held over the whole run."""

from __future__ import annotations

import math
from typing import Any

from models.power.governor import RESERVE_SECONDS
from models.request_gate import SkipReason
from wattcode_bench.typing_replay import ConfigReplay

SKIP_KEYS = {
    reason.value: f"requests_skipped_{reason.value.replace('-', '_')}" for reason in SkipReason
}


def power_summary(replay: ConfigReplay, budget_watts: float | None) -> dict[str, Any]:
    """Whole-run figures from the server's counters (openings and pauses included)."""
    start, end = replay.stats_start, replay.stats_end

    def delta(key: str) -> float:
        return float(end.get(key, 0)) - float(start.get(key, 0))

    joules = delta("energy_joules") + delta("background_joules")
    seconds = replay.seconds
    watts = joules / seconds if seconds > 0 else math.nan
    allowance = budget_watts * (seconds + RESERVE_SECONDS) if budget_watts else None
    return {
        "run_seconds": seconds,
        "run_joules": joules,
        "run_watt_hours_per_hour": watts,
        "budget_watt_hours_per_hour": budget_watts,
        "budget_held": None if allowance is None else joules <= allowance,
        "requests": delta("requests"),
        "requests_skipped": delta("requests_skipped"),
        "requests_from_cache": delta("suggestion_cache_hits"),
        "skipped_by_reason": {reason: delta(key) for reason, key in SKIP_KEYS.items()},
        "requests_debounced": delta("requests_debounced"),
        "prompt_tokens_warmed": delta("prompt_tokens_warmed"),
        "requests_refused": delta("requests_refused_paused")
        + delta("requests_refused_manual_only"),
    }


def _share(part: float, whole: float) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "–"


def _cache_misses(summary: dict[str, Any]) -> float:
    """The requests that the suggestion cache could not answer: the only ones gating decides
    (a cached suggestion costs no inference and is shown whatever the rules say)."""
    return float(summary["requests"] - summary.get("requests_from_cache", 0))


def gating_headline(configs: dict[str, Any]) -> list[str]:
    gated, ungated = configs.get("wattcode"), configs.get("no-gate")
    if not gated or not ungated or "requests" not in gated:
        return []
    skipped, misses = gated["requests_skipped"], _cache_misses(gated)
    taken = ""
    if "taken" in gated and "taken" in ungated:
        taken = (
            f"; taken (one per run of accepted keys, as a user pressing Tab) {gated['taken']} vs "
            f"{ungated['taken']} ({_change(gated['taken'], ungated['taken'])})"
        )
    return [
        f"Request gating: {_share(skipped, gated['requests'])} of requests skipped "
        f"({skipped:.0f} of {gated['requests']:.0f}), {_share(skipped, misses)} of those "
        f"the suggestion cache could not answer ({misses:.0f}); accepted keys "
        f"{gated['accepted']} vs {ungated['accepted']} without gating "
        f"({_change(gated['accepted'], ungated['accepted'])}){taken}; energy "
        f"{gated['run_joules']:.0f} J vs {ungated['run_joules']:.0f} J."
    ]


def _change(value: float, reference: float) -> str:
    if not reference:
        return "–"
    change = value / reference - 1
    return f"{abs(change) * 100:.1f}% {'fewer' if change < 0 else 'more'}"


def power_section(typing: dict[str, Any]) -> list[str]:
    configs = {n: s for n, s in typing.get("configs", {}).items() if "requests" in s}
    if not configs:
        return []
    reference = configs.get("wattcode", {}).get("accepted")
    lines = [
        "### Request gating and power budgets",
        "",
        "Whole replay runs as the server counted them (openings and pauses included). A "
        "budget holds when the run spent at most budget × (run time + the "
        f"{RESERVE_SECONDS:.0f} s reserve it starts with). Cache misses: requests that the "
        "suggestion cache could not answer, the only ones that gating and the budget decide. "
        "Skipped: gating rules (comments/strings, mid-word, a word's second character, "
        "a space after code, indenting by hand, after deletion, and the governor's inside-word "
        "rung), as a share of all requests and of cache misses; warmed: prompt tokens "
        "evaluated for skipped requests (no generation) to keep the KV cache current; "
        "debounced: superseded during the governor's wait; refused: the budget allowed only "
        "manual requests or paused.",
        "",
        "| config | budget (Wh/h) | spent (Wh/h) | held | run (s) | requests | cache misses | "
        "skipped | of misses | skipped by reason | warmed | debounced | refused | suggestions | "
        "accepted keys (taken) | accepted vs wattcode |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
        "| --- | --- |",
    ]
    for name, s in configs.items():
        budget = s["budget_watt_hours_per_hour"]
        held = "–" if s["budget_held"] is None else ("yes" if s["budget_held"] else "**no**")
        reasons = ", ".join(f"{k} {v:.0f}" for k, v in s["skipped_by_reason"].items() if v)
        lines.append(
            f"| {name} | {'none' if budget is None else f'{budget:g}'} | "
            f"{s['run_watt_hours_per_hour']:.2f} | {held} | {s['run_seconds']:.0f} | "
            f"{s['requests']:.0f} | {_cache_misses(s):.0f} | {s['requests_skipped']:.0f} "
            f"({_share(s['requests_skipped'], s['requests'])}) | "
            f"{_share(s['requests_skipped'], _cache_misses(s))} | {reasons or '–'} | "
            f"{s.get('prompt_tokens_warmed', 0):.0f} | {s['requests_debounced']:.0f} | "
            f"{s['requests_refused']:.0f} | "
            f"{s['suggestions']} | {s['accepted']} ({s.get('taken', '–')}) | "
            f"{_share(s['accepted'], reference) if reference else '–'} |"
        )
    lines.append("")
    return lines
