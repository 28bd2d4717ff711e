"""`wattcode/stats` (custom request): the session's cumulative counters and the model's state.

Keys keep their meaning across versions; new keys may be added.
"""

from __future__ import annotations

import time
from typing import Any

from lsp_server.session import Stat
from lsp_server.wattcode_server import WattcodeServer
from models.energy.carbon import grams_co2e

METHOD = "wattcode/stats"


def _energy(server: WattcodeServer) -> dict[str, Any]:
    """Energy keys: the headline figures flat, the details (for the bench) in `energy`."""
    session = server.session
    ledger = session.energy
    monitor = server.worker.energy
    return {
        "energy_joules": round(ledger.joules, 6),
        "energy_method": ledger.method or (monitor.method if monitor else ""),
        "saved_joules_estimate": round(
            ledger.saved_estimate(
                session.counters[Stat.PROMPT_TOKENS_REUSED], session.suggestion_cache.hits
            ),
            6,
        ),
        "background_joules": round(ledger.background_joules, 6),
        "grams_co2e": grams_co2e(ledger.joules, session.grid()),
        "energy": {
            "by_meter": dict(ledger.by_meter),
            "counter_joules": dict(ledger.counter_joules),
            "window_seconds": ledger.window_seconds,
            "tail_joules": ledger.tail_joules,
            "idle_watts": monitor.idle_watts if monitor else None,
            "idle_joules": ledger.idle_joules,
            "joules_per_prompt_token": ledger.joules_per_prompt_token,
            "accepted": ledger.accepted,
            "accepted_chars": ledger.accepted_chars,
            "grid_grams_per_kwh": session.grid().grams_per_kwh,
            "grid_source": session.grid().source,
        },
    }


def _last_suggestion(server: WattcodeServer) -> dict[str, Any] | None:
    """The suggestion shown last, with its tokens' probabilities (to re-score confidence rules
    without re-running; none for a suggestion served from the cache)."""
    if server.session.last_record is None:
        return None
    uri, record = server.session.last_record
    return {
        "uri": uri,
        "text": record.text,
        "raw_text": record.raw_text,
        "from_cache": record.from_cache,
        "probabilities": [round(p, 5) for p in record.probabilities],
        "ends": list(record.ends),
    }


def stats(server: WattcodeServer, _params: Any = None) -> dict[str, Any]:
    session = server.session
    store = server.worker.kv_store
    counters: dict[str, Any] = {
        key: round(value, 4) if isinstance(value, float) else value
        for key, value in session.counters.items()
    }
    counters[Stat.CPU_SECONDS] = round(float(session.counters[Stat.CPU_SECONDS]), 4)
    counters["suggestion_cache_hits"] = session.suggestion_cache.hits
    counters.update(_energy(server))
    return {
        **counters,
        "last_suggestion": _last_suggestion(server),
        "model": {
            "state": session.model.state.value,
            "name": session.model.name,
            "path": session.model.path,
            "why": session.model.why,
            "error": session.model.error,
            "load_seconds": round(session.model.load_seconds, 3),
            "remote": session.model.remote,
            "remote_error": session.model.remote_error,
        },
        "caches": {
            "suggestion_lookups": session.suggestion_cache.lookups,
            "suggestion_hits": session.suggestion_cache.hits,
            "suggestion_entries": session.suggestion_cache.entries,
            "suggestion_bytes": session.suggestion_cache.nbytes,
            "kv_states": server.worker.kv_states.entries,
            "kv_state_bytes": server.worker.kv_states.nbytes,
            "kv_state_limit_bytes": server.worker.kv_states.max_bytes,
            "kv_states_saved": server.worker.kv_states.saved,
            "kv_states_restored": server.worker.kv_states.restored,
            "kv_states_evicted": server.worker.kv_states.evicted,
            "kv_states_on_disk": store.entries if store else 0,
            "kv_state_disk_bytes": store.nbytes if store else 0,
            "kv_states_loaded_from_disk": store.loaded if store else 0,
        },
        "power": {**server.power.status(), "ladder": server.power.ladder()},
        "uptime_seconds": round(time.time() - session.started_at, 1),
        "handlers_pending": server.protocol.handlers_pending,
    }
