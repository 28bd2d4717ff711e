"""`create_server()`: the pygls server, its session, its model worker and its features."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from lsp_server import __version__
from lsp_server.model_worker import ModelWorker
from lsp_server.session import Session

SERVER_NAME = "wattcode"


class WattcodeServer(LanguageServer):
    """A pygls server that carries wattcode's session and model worker."""

    def __init__(self, worker: ModelWorker) -> None:
        super().__init__(
            SERVER_NAME,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.session = Session()
        self.worker = worker
        self.model_settled = asyncio.Event()
        """Set once a model load has finished, loaded or failed; requests wait for it."""
        self.on_energy_changed: Callable[[], None] = lambda: None
        """Called on the loop after work was counted (`features/status.py` sends the status)."""

    def notify_user(
        self, message: str, kind: types.MessageType = types.MessageType.Warning
    ) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=f"wattcode: {message}"))


def create_server(worker: ModelWorker | None = None) -> WattcodeServer:
    # Imported here so that each feature module can import WattcodeServer from this module.
    from lsp_server.features import (  # noqa: PLC0415
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

    server = WattcodeServer(worker or ModelWorker())
    for feature in (
        lifecycle,
        configuration,
        documents,
        inline_completion,
        completion,
        hover,
        stats,
        clear_caches,
        status,
    ):
        feature.register(server)
    return server
