"""`create_server()` and the dispatch table: every LSP method the server handles, the handler
in `features/` that answers it, its registration options and where it runs. Read this first.

pygls runs a plain handler inline and an `async` one as a task, both on the asyncio loop; no
handler runs in pygls's thread pool. The model work goes to the single model thread
(`ModelWorker`), which runs one piece of work at a time, in order.

Sent, not handled: `wattcode/status` (server → client, `features/status.py`), throttled, made
the server's `on_energy_changed` below.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from lsprotocol import types

from lsp_server.features import (
    clear_caches,
    completion,
    configuration,
    documents,
    hover,
    inline_completion,
    lifecycle,
    stats,
    status,
)
from lsp_server.model_worker import ModelWorker
from lsp_server.wattcode_server import WattcodeServer

__all__ = ["ROUTES", "Route", "Runs", "WattcodeServer", "create_server"]
# WattcodeServer is re-exported for tests/fake_server.py; the product imports it from
# lsp_server.wattcode_server.


class Runs(Enum):
    """Where a handler's work happens."""

    LOOP = "loop"
    """On the asyncio loop; the answer never waits for the model thread (work handed to it
    without waiting, such as `didClose` forgetting a document's KV state, may queue there)."""
    LOOP_THEN_MODEL_THREAD = "loop, then the model thread"
    """Starts on the loop, then waits for work on the model thread (queued behind any
    generation running there) before it answers."""


@dataclass(frozen=True)
class Route:
    method: str
    handler: Callable[[WattcodeServer, Any], Any]
    """`(server, params)`, plain or `async`; registered with the server bound."""
    runs: Runs
    options: Any = None
    """The registration options pygls advertises in the server's capabilities."""


LOOP, MODEL = Runs.LOOP, Runs.LOOP_THEN_MODEL_THREAD

ROUTES: tuple[Route, ...] = (
    # Lifecycle: `initialized` pulls the settings, loads the model and starts the power
    # controller's battery poll, all in the background; `shutdown` waits for the model thread.
    Route(types.INITIALIZE, lifecycle.initialize, LOOP),
    Route(types.INITIALIZED, lifecycle.initialized, LOOP),
    Route(types.SHUTDOWN, lifecycle.shutdown, MODEL),
    # Settings: a change of model waits for its load on the model thread.
    Route(types.WORKSPACE_DID_CHANGE_CONFIGURATION, configuration.did_change_configuration, MODEL),
    # Document sync (pygls applies the edits itself; these hooks run after it).
    Route(types.TEXT_DOCUMENT_DID_CHANGE, documents.did_change, LOOP),
    Route(types.TEXT_DOCUMENT_DID_CLOSE, documents.did_close, LOOP),
    # Completions: both go through `suggestions.suggest()`, then the model thread.
    Route(
        types.TEXT_DOCUMENT_INLINE_COMPLETION,
        inline_completion.inline_completion,
        MODEL,
        types.InlineCompletionOptions(),
    ),
    Route(types.TEXT_DOCUMENT_COMPLETION, completion.completion, MODEL, types.CompletionOptions()),
    Route(types.TEXT_DOCUMENT_HOVER, hover.hover, LOOP),
    # wattcode's own requests (typed for the VS Code extension in editor-client/src/lsp_ext.ts).
    Route(stats.METHOD, stats.stats, LOOP),
    Route(clear_caches.METHOD, clear_caches.clear_caches, MODEL),
)


def create_server(worker: ModelWorker | None = None) -> WattcodeServer:
    """The server with its session, its worker (a real `ModelWorker` unless a test gives its
    own) and every route of `ROUTES` registered."""
    server = WattcodeServer(worker or ModelWorker())
    for route in ROUTES:
        # A partial keeps the handler's kind: pygls awaits a partial of an `async` handler.
        server.feature(route.method, route.options)(functools.partial(route.handler, server))
    server.on_energy_changed = status.status_sender(server)
    return server
