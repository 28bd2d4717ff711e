"""`textDocument/hover`: what the last suggestion on the hovered line cost: energy (with how it
was obtained), tokens, time and carbon."""

from __future__ import annotations

from lsprotocol import types

from lsp_server.server import WattcodeServer
from lsp_server.text_format import cost_markdown


def register(server: WattcodeServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        record = server.session.record_at(params.text_document.uri, params.position.line)
        if record is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value=cost_markdown(record.stats, record.energy, server.session.grid()),
            )
        )
