"""Settings: `initializationOptions`, `workspace/configuration` (pulled) and
`workspace/didChangeConfiguration` (pushed or a signal to pull again)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types

from lsp_server.logging_setup import set_level
from lsp_server.model_loading import load_model, model_key
from lsp_server.open_documents import excluded_by
from lsp_server.session import ModelState
from lsp_server.settings import SECTION, flatten, parse_settings
from lsp_server.wattcode_server import WattcodeServer

log = logging.getLogger(__name__)


async def pull_configuration(server: WattcodeServer) -> dict[str, Any]:
    """Ask the client for the `wattcode` section, if it can answer; {} otherwise."""
    workspace = server.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return {}
    try:
        result = await server.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
    except Exception:
        log.warning("workspace/configuration failed; keeping the current settings", exc_info=True)
        return {}
    section = result[0] if result else None
    return section if isinstance(section, dict) else {}


def merged(*sources: Any) -> dict[str, Any]:
    """Later sources win, key by key (each flattened to dotted names first)."""
    out: dict[str, Any] = {}
    for source in sources:
        if isinstance(source, dict):
            for key, value in flatten(source):
                out[key.removeprefix(SECTION + ".")] = value
    return out


async def apply_settings(server: WattcodeServer, raw: dict[str, Any]) -> None:
    session = server.session
    # A failed load is retried on any settings change: the user may have fixed the file.
    loaded_or_loading = session.model.state in (ModelState.READY, ModelState.LOADING)
    old_key = model_key(server) if loaded_or_loading else None
    parsed = parse_settings(raw)
    excluded_before = session.settings.files.exclude
    session.settings = parsed.settings
    if parsed.settings.files.exclude != excluded_before:
        _forget_excluded(server)
    set_level(parsed.settings.log.level)
    cache = parsed.settings.cache
    server.worker.set_cache_limit(cache.max_megabytes << 20)
    server.worker.set_persistence(cache.disk_megabytes << 20 if cache.persist else None)
    server.power.configure()
    server.on_energy_changed()  # the status bar shows the budget in effect
    if not parsed.settings.cache.suggestions:
        session.suggestion_cache.clear()
    if parsed.unknown:
        log.info("ignoring unknown settings: %s", ", ".join(parsed.unknown))
    if parsed.problems:
        for problem in parsed.problems:
            log.warning("setting: %s", problem)
        server.notify_user("invalid settings: " + "; ".join(parsed.problems))
    if model_key(server) != old_key:
        await load_model(server)


def _forget_excluded(server: WattcodeServer) -> None:
    """Drop what wattcode kept of documents that `wattcode.exclude` now matches: their
    suggestions, their KV states, and every parked state (another document's prompt may have
    held their signatures), so that none of it reaches the disk at shutdown."""
    session = server.session
    newly = [
        document.uri
        for document in server.workspace.text_documents.values()
        if excluded_by(session.settings, document.uri) is not None
    ]
    for uri in newly:
        session.suggestion_cache.forget(uri)
        session.records.pop(uri, None)
        server.worker.forget(uri)
    if newly:
        server.worker.clear_saved_states()


async def did_change_configuration(
    server: WattcodeServer, params: types.DidChangeConfigurationParams
) -> None:
    pushed = params.settings if isinstance(params.settings, dict) else {}
    pulled = await pull_configuration(server)
    await apply_settings(server, merged(server.session.initialization_options, pulled, pushed))


def schedule(coro: Any) -> asyncio.Task[Any]:
    """Run a coroutine in the background, logging (never raising) what it fails with."""
    task: asyncio.Task[Any] = asyncio.ensure_future(coro)

    def done(t: asyncio.Task[Any]) -> None:
        if not t.cancelled() and t.exception() is not None:
            log.error("background task failed", exc_info=t.exception())

    task.add_done_callback(done)
    return task
