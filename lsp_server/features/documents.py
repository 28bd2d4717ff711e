"""Document sync hooks (`didChange`, `didClose`). pygls applies the edits itself (incremental,
UTF-16 aware); these handlers cancel work that an edit made stale and keep hover records on
their lines."""

from __future__ import annotations

from lsprotocol import types

from lsp_server.acceptance import note_acceptances
from lsp_server.wattcode_server import WattcodeServer


def did_change(server: WattcodeServer, params: types.DidChangeTextDocumentParams) -> None:
    session = server.session
    uri = params.text_document.uri
    if (in_flight := session.in_flight.get(uri)) is not None:
        in_flight.cancel()  # its answer would be for text that no longer exists
    deleted, blank = False, False
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            removed = change.range.end.line - change.range.start.line
            added = change.text.count("\n")
            if added != removed:
                session.shift_records(uri, change.range.end.line, added - removed)
            deleted = not change.text and change.range.start != change.range.end
            blank = bool(change.text) and not change.text.strip(" \t")
        else:
            session.records.pop(uri, None)
            deleted, blank = False, False
    session.typing[uri].last_edit_deleted = deleted
    session.typing[uri].last_edit_blank = blank
    note_acceptances(server, uri)


def did_close(server: WattcodeServer, params: types.DidCloseTextDocumentParams) -> None:
    session = server.session
    uri = params.text_document.uri
    if (in_flight := session.in_flight.pop(uri, None)) is not None:
        in_flight.cancel()
    session.records.pop(uri, None)
    session.typing.pop(uri, None)
    session.suggestion_cache.forget(uri)
    server.worker.forget(uri)
