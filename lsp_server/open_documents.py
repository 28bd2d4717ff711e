"""The one way to find an open document from the URI a client sent.

pygls keys its documents by the unquoted URI (`unquote(uri)`): VS Code sends a space as `%20`
and a Windows drive as `c%3A`, so `uri in workspace.text_documents` with the URI as sent misses
them. `Workspace.get_text_document` unquotes, but when nothing is open under that URI it makes
a document from the file on disk; wattcode works on the editor's text only, so it looks
documents up here, where an unopened URI gives None.

`excluded_by` says which documents `wattcode.exclude` keeps wattcode from reading.

Everything else keyed by URI (the session's records, in-flight requests, the suggestion cache)
keeps the URI as the client sent it: the client sends the same string for the same document.
"""

from __future__ import annotations

from urllib.parse import unquote

from pygls.workspace import TextDocument, Workspace

from lsp_server.exclude_globs import compile_patterns, document_path
from lsp_server.settings import Settings


def document_key(uri: str) -> str:
    """The key pygls stores the document for `uri` under."""
    return unquote(uri)


def open_document(workspace: Workspace, uri: str) -> TextDocument | None:
    """The document the client opened under `uri` (sent quoted or not), or None."""
    documents: dict[str, TextDocument] = workspace.text_documents
    return documents.get(document_key(uri))


def excluded_by(settings: Settings, uri: str) -> str | None:
    """The `wattcode.exclude` pattern that keeps wattcode from reading `uri`'s document (no
    suggestion in it, not in any prompt), or None."""
    return compile_patterns(settings.files.exclude).match(document_path(uri))
