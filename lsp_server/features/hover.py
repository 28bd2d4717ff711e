"""`textDocument/hover`: what the last suggestion on the hovered line cost: energy (with how it
was obtained), tokens, time and carbon, the model that made it, and the power budget's state. A
suggestion's rest served from the cache while the user typed through it shows the generation it
came from. While the budget has paused or restricted completions, hover says so on any line; in
a document that `wattcode.exclude` matches, hover says so and which pattern matched."""

from __future__ import annotations

from lsprotocol import types

from lsp_server.open_documents import excluded_by
from lsp_server.text_format import cost_markdown
from lsp_server.wattcode_server import WattcodeServer
from models.power.governor import Rung


def hover(server: WattcodeServer, params: types.HoverParams) -> types.Hover | None:
    if (pattern := excluded_by(server.session.settings, params.text_document.uri)) is not None:
        value = (
            f"**wattcode** · this file is excluded by `wattcode.exclude` (pattern `{pattern}`): "
            "no suggestions here, and its text is never part of a prompt"
        )
        return _markdown(value)
    record = server.session.record_at(params.text_document.uri, params.position.line)
    power = server.power.summary()
    if record is None:
        state = server.power.state()
        if state.rung is Rung.FULL and not state.exhausted:
            return None
        value = f"**wattcode** · no suggestion on this line\n\n- {power}"
    else:
        value = cost_markdown(record.stats, record.energy, server.session.grid(), record.confidence)
        newest = server.session.newest_at(params.text_document.uri, params.position.line)
        if newest is not None and newest is not record:
            value += "\n- then typed through: its rest served from the suggestion cache"
        if record.model:
            value += f"\n- model: {record.model}"
        value += f"\n- {power}"
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value))


def _markdown(value: str) -> types.Hover:
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value))
