"""Which shown suggestions the user took: counted for `wattcode/status` (joules per accepted
character).

A suggestion counts as accepted when, after a later `didChange`, the document holds its whole
text at the position where it was shown: the editor inserted it (Tab on ghost text) or the user
typed it through. Only the last few model-made suggestions of a document are checked, each
once; the rests served from the suggestion cache while typing through are parts of those, not
new suggestions. An edit earlier on the same line moves the text away from the recorded column
and is not recognised: the count errs low, never high.

A suggestion is passed over when the user types something it did not predict (or moves back
before it): request gating waits for a pause after a run of those (`suggestions.py`).
"""

from __future__ import annotations

from lsprotocol import types

from lsp_server.server import WattcodeServer
from lsp_server.session import SuggestionRecord

RECENT = 8


def note_acceptances(
    server: WattcodeServer, uri: str, cursor: types.Position | None = None
) -> None:
    """Check the recent suggestions against the document after an edit; `cursor` (where the
    edit left it, when known) tells which ones the user typed past without taking."""
    session = server.session
    records = session.records.get(uri)
    if not records or uri not in server.workspace.text_documents:
        return
    document = server.workspace.get_text_document(uri)
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
            session.typing[uri].passed_over = 0
            changed = True
        elif cursor is not None and not record.passed_over:
            typed = source[offset : document.offset_at_position(cursor)]
            if not record.text.startswith(typed) or cursor < types.Position(
                line=record.start_line, character=record.start_character
            ):
                _passed_over(server, uri, record)
    if changed:
        server.on_energy_changed()


def _passed_over(server: WattcodeServer, uri: str, record: SuggestionRecord) -> None:
    record.passed_over = True
    history = server.session.typing[uri]
    if history.passed_over_line != record.start_line:
        history.passed_over_line, history.passed_over = record.start_line, 0
    history.passed_over += 1
