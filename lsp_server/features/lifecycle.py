"""`initialize`, `initialized` and `shutdown`: settings first, then the model, then clean exit."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from lsp_server.features.configuration import (
    apply_settings,
    merged,
    pull_configuration,
    schedule,
)
from lsp_server.server import WattcodeServer


def register(server: WattcodeServer) -> None:
    session = server.session

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        options = params.initialization_options
        session.initialization_options = options if isinstance(options, dict) else {}

    @server.feature(types.INITIALIZED)
    def initialized(_params: types.InitializedParams) -> None:
        async def configure() -> None:
            pulled = await pull_configuration(server)
            await apply_settings(server, merged(session.initialization_options, pulled))
            server.power.start()

        # In the background: the client answers workspace/configuration only after this
        # notification handler has returned.
        schedule(configure())

    @server.feature(types.SHUTDOWN)
    async def shutdown(_params: None) -> None:
        server.power.stop()
        for token in session.in_flight.values():
            token.cancel()
        await asyncio.get_running_loop().run_in_executor(None, server.worker.shutdown)
