"""`wattcode/stats` (custom request): the session's cumulative counters and the model's state.

Keys keep their meaning across versions; new keys may be added.
"""

from __future__ import annotations

import time
from typing import Any

from lsp_server.server import WattcodeServer

METHOD = "wattcode/stats"


def register(server: WattcodeServer) -> None:
    @server.feature(METHOD)
    def stats(_params: Any = None) -> dict[str, Any]:
        session = server.session
        store = server.worker.kv_store
        counters: dict[str, Any] = {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in session.counters.items()
        }
        counters["cpu_seconds"] = round(float(session.counters["cpu_seconds"]), 4)
        counters["suggestion_cache_hits"] = session.suggestion_cache.hits
        return {
            **counters,
            "model": {
                "state": session.model.state,
                "name": session.model.name,
                "path": session.model.path,
                "error": session.model.error,
                "load_seconds": round(session.model.load_seconds, 3),
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
            "uptime_seconds": round(time.time() - session.started_at, 1),
        }
