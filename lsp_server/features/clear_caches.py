"""`wattcode/clearCaches` (custom request): forget cached suggestions and parked KV states.

For an editor's "clear caches" command: the next suggestion is computed afresh. The live KV
cache and the states on disk stay (the first is the model's working state; the second is
removed by deleting `kv-states/` in the cache directory). Returns what was dropped:
`{"suggestions": n, "kvStates": m}`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsp_server.wattcode_server import WattcodeServer

METHOD = "wattcode/clearCaches"
log = logging.getLogger(__name__)


async def clear_caches(server: WattcodeServer, _params: Any = None) -> dict[str, int]:
    suggestions = server.session.suggestion_cache.entries
    server.session.suggestion_cache.clear()
    kv_states = await asyncio.wrap_future(server.worker.clear_saved_states())
    log.info("cleared %d cached suggestions and %d saved KV states", suggestions, kv_states)
    return {"suggestions": suggestions, "kvStates": kv_states}
