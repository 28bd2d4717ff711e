"""Document sync hooks (`didChange`, `didClose`). pygls applies the edits itself (incremental,
UTF-16 aware); these handlers cancel work that an edit made stale and keep hover records on
their lines."""

from __future__ import annotations

from lsprotocol import types

from lsp_server.acceptance import note_acceptances
from lsp_server.server import WattcodeServer


def register(server: WattcodeServer) -> None:
    session = server.session

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if (in_flight := session.in_flight.get(uri)) is not None:
            in_flight.cancel()  # its answer would be for text that no longer exists
        cursor, deleted, indented = None, False, False
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                removed = change.range.end.line - change.range.start.line
                added = change.text.count("\n")
                if added != removed:
                    session.shift_records(uri, change.range.end.line, added - removed)
                cursor = _after(change)
                deleted = not change.text and change.range.start != change.range.end
                indented = bool(change.text) and not change.text.strip(" \t")
            else:
                session.records.pop(uri, None)
                cursor, deleted, indented = None, False, False
        session.typing[uri].last_edit_deleted = deleted
        session.typing[uri].last_edit_indented = indented
        note_acceptances(server, uri, cursor)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if (in_flight := session.in_flight.pop(uri, None)) is not None:
            in_flight.cancel()
        session.records.pop(uri, None)
        session.typing.pop(uri, None)
        session.suggestion_cache.forget(uri)
        server.worker.forget(uri)


def _after(change: types.TextDocumentContentChangePartial) -> types.Position:
    """Where the cursor is after an edit: at the end of the inserted text."""
    start = change.range.start
    lines = change.text.split("\n")
    last = len(lines[-1].encode("utf-16-le")) // 2
    if len(lines) == 1:
        return types.Position(line=start.line, character=start.character + last)
    return types.Position(line=start.line + len(lines) - 1, character=last)
