"""Load (or reload) the model on the model thread while reporting `$/progress` to the editor."""

from __future__ import annotations

import asyncio
import logging
import uuid

from lsprotocol import types

from lsp_server.model_work import LoadResult, ModelSpecKey
from lsp_server.session import ModelState
from lsp_server.settings import RemoteSettings
from lsp_server.wattcode_server import WattcodeServer
from models.remote.endpoint import RemoteEndpoint, token_from, url_problem

log = logging.getLogger(__name__)
REPORT_EVERY_PERCENT = 5


def remote_endpoint(remote: RemoteSettings) -> tuple[RemoteEndpoint | None, str | None]:
    """The configured remote server, or None; and what is wrong with it, if anything."""
    if not remote.url:
        return None, None
    token = token_from(remote.token)
    problem = url_problem(remote.url, has_token=token is not None)
    if problem:
        return None, f"wattcode.remote.url {problem}; using the local model"
    endpoint = RemoteEndpoint(
        remote.url,
        remote.model,
        token,
        remote.timeout_seconds,
        remote.retries,
        remote.joules_per_prompt_token,
        remote.joules_per_generated_token,
    )
    return endpoint, None


def model_key(server: WattcodeServer) -> ModelSpecKey:
    settings = server.session.settings
    model = settings.model
    remote, _problem = remote_endpoint(settings.remote)
    return ModelSpecKey(
        model.path,
        model.threads,
        model.context_length,
        model.gpu_layers,
        remote,
        model.preset,
        model.draft,
    )


def _client_shows_progress(server: WattcodeServer) -> bool:
    window = server.client_capabilities.window
    return bool(window and window.work_done_progress)


def _settle(server: WattcodeServer, key: ModelSpecKey, result: LoadResult) -> str:
    """Record a finished load in the session and tell the user what needs telling; the
    progress's closing message."""
    session = server.session
    if not result.ok:
        session.model.state = ModelState.FAILED
        session.model.error = result.error
        server.notify_user(
            f"{result.error} Completions are off until this is fixed; the server keeps running.",
            types.MessageType.Error,
        )
        return "no model loaded"
    session.model.state = ModelState.READY
    session.model.name = result.name
    session.model.path = str(result.path)
    session.model.why = result.why
    session.model.error = None
    session.model.load_seconds = result.seconds
    session.model.remote = key.remote.display if key.remote else None
    session.model.remote_error = result.warning
    for message in (result.warning, result.notice):
        if message:
            server.notify_user(message)
    return f"{result.name} ready ({result.seconds:.1f} s)"


async def load_model(server: WattcodeServer) -> None:
    session = server.session
    key = model_key(server)
    _remote, problem = remote_endpoint(session.settings.remote)
    if problem:
        server.notify_user(problem, types.MessageType.Error)
    progress = server.work_done_progress
    token = f"wattcode-load-{uuid.uuid4()}"
    show = _client_shows_progress(server)
    if show:
        try:
            await progress.create_async(token)
        except Exception:
            log.debug("client refused a progress token", exc_info=True)
            show = False
    if show:
        progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="wattcode", message="loading the model", percentage=0, cancellable=False
            ),
        )

    loop = asyncio.get_running_loop()
    last_percent = -REPORT_EVERY_PERCENT

    def report_assembly(done: int, total: int) -> None:
        # Called on the model thread while the default model is assembled.
        nonlocal last_percent
        percent = int(done * 100 / total) if total else 100
        if show and percent >= last_percent + REPORT_EVERY_PERCENT:
            last_percent = percent
            loop.call_soon_threadsafe(
                progress.report,
                token,
                types.WorkDoneProgressReport(message="assembling the model", percentage=percent),
            )

    session.model.state = ModelState.LOADING
    server.model_settled.clear()
    result = await asyncio.wrap_future(server.worker.load(key, report_assembly))
    if result.energy is not None:
        session.energy.add_background(result.energy)
    message = _settle(server, key, result)
    server.model_settled.set()
    server.on_energy_changed()
    if show:
        progress.end(token, types.WorkDoneProgressEnd(message=message))
    log.info("model: %s", message)
