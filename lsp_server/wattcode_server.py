"""`WattcodeServer`: the pygls server that carries wattcode's session, model worker and power
controller. `server.py::create_server()` builds one and registers its handlers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.exceptions import FeatureRequestError
from pygls.lsp.server import LanguageServer

from lsp_server import __version__
from lsp_server.model_worker import ModelWorker
from lsp_server.power import PowerController
from lsp_server.protocol import WattcodeProtocol
from lsp_server.session import Session

SERVER_NAME = "wattcode"
ERROR_MESSAGE_INTERVAL = 60.0
"""Seconds between two popups about messages the server could not handle (each is logged)."""

log = logging.getLogger(__name__)


class WattcodeServer(LanguageServer):
    """A pygls server that carries wattcode's session and model worker."""

    protocol: WattcodeProtocol

    def __init__(self, worker: ModelWorker) -> None:
        super().__init__(
            SERVER_NAME,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=WattcodeProtocol,
        )
        self.session = Session()
        self.worker = worker
        self.power = PowerController(self.session, worker.unload, self._power_changed)
        self.model_settled = asyncio.Event()
        """Set once a model load has finished, loaded or failed; requests wait for it."""
        self._problem_shown_at: dict[str, float] = {}
        self.on_energy_changed: Callable[[], None] = lambda: None
        """Called on the loop after work was counted (`features/status.py` sends the status)."""

    def _power_changed(self) -> None:
        self.on_energy_changed()  # looked up at each call: `create_server` replaces it

    def notify_user(
        self, message: str, kind: types.MessageType = types.MessageType.Warning
    ) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=f"wattcode: {message}"))

    def notify_problem(self, kind: str, message: str) -> None:
        """An error message that may repeat (a flood of bad messages, a failing generation):
        logged each time, shown at most once a minute per kind."""
        log.error("%s", message)
        now = time.monotonic()
        if now - self._problem_shown_at.get(kind, -ERROR_MESSAGE_INTERVAL) < ERROR_MESSAGE_INTERVAL:
            return
        self._problem_shown_at[kind] = now
        self.notify_user(f"{message} (details in the log)", types.MessageType.Error)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls shows every failure of a notification handler as its own popup, which a
        misbehaving client turns into a flood."""
        if source is FeatureRequestError:
            return  # the error response already tells the client, and pygls logged it
        self.notify_problem(
            "protocol",
            f"ignored a message it could not handle ({error}); the server keeps running",
        )
