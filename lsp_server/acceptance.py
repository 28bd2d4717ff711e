"""Which shown suggestions the user took: counted for `wattcode/status` (joules per accepted
character).

A suggestion counts as accepted when, after a later `didChange`, the document holds its whole
text at the position where it was shown: the editor inserted it (Tab on ghost text) or the user
typed it through. Only the last few model-made suggestions of a document are checked, each
once; the rests served from the suggestion cache while typing through are parts of those, not
new suggestions. An edit earlier on the same line moves the text away from the recorded column
and is not recognised: the count errs low, never high.
"""

from __future__ import annotations

from lsprotocol import types

from lsp_server.open_documents import open_document
from lsp_server.wattcode_server import WattcodeServer

RECENT = 8


def note_acceptances(server: WattcodeServer, uri: str) -> None:
    """Check the recent suggestions against the document after an edit."""
    session = server.session
    records = session.records.get(uri)
    if not records:
        return
    # pygls keys documents by the unquoted URI: looked up by the URI as sent, a `%20` (a space,
    # as VS Code sends it) or `c%3A` never matched and no acceptance was counted.
    document = open_document(server.workspace, uri)
    if document is None:
        return
    line_count = len(document.lines)
    source = document.source
    changed = False
    for record in records[-RECENT:]:
        if record.accepted or record.energy is None or record.start_line >= line_count:
            continue
        offset = document.offset_at_position(
            types.Position(line=record.start_line, character=record.start_character)
        )
        if source.startswith(record.text, offset):
            record.accepted = True
            session.energy.add_accepted(len(record.text))
            changed = True
    if changed:
        server.on_energy_changed()
