"""`textDocument/hover`: what the last suggestion on the hovered line cost: energy (with how it
was obtained), tokens, time and carbon, and the power budget's state. A suggestion's rest served
from the cache while the user typed through it shows the generation it came from. While the
budget has paused or restricted completions, hover says so on any line."""

from __future__ import annotations

from lsprotocol import types

from lsp_server.text_format import cost_markdown
from lsp_server.wattcode_server import WattcodeServer
from models.power.governor import Rung


def hover(server: WattcodeServer, params: types.HoverParams) -> types.Hover | None:
    record = server.session.record_at(params.text_document.uri, params.position.line)
    power = server.power.summary()
    if record is None:
        state = server.power.state()
        if state.rung is Rung.FULL and not state.exhausted:
            return None
        value = f"**wattcode** · no suggestion on this line\n\n- {power}"
    else:
        value = cost_markdown(record.stats, record.energy, server.session.grid())
        newest = server.session.newest_at(params.text_document.uri, params.position.line)
        if newest is not None and newest is not record:
            value += "\n- then typed through: its rest served from the suggestion cache"
        value += f"\n- {power}"
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value))
