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
from lsp_server.wattcode_server import WattcodeServer


def initialize(server: WattcodeServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    server.session.initialization_options = options if isinstance(options, dict) else {}


def initialized(server: WattcodeServer, _params: types.InitializedParams) -> None:
    """Pull the settings, load the model, then start the power controller's battery poll."""

    async def configure() -> None:
        pulled = await pull_configuration(server)
        await apply_settings(server, merged(server.session.initialization_options, pulled))
        server.power.start()

    # In the background: the client answers workspace/configuration only after this
    # notification handler has returned.
    schedule(configure())


async def shutdown(server: WattcodeServer, _params: None) -> None:
    server.power.stop()
    for token in server.session.in_flight.values():
        token.cancel()
    await asyncio.get_running_loop().run_in_executor(None, server.worker.shutdown)
