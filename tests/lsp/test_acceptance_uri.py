"""An accepted suggestion counts when the document's URI is percent-encoded, as VS Code sends a
path with a space (`%20`) or a Windows drive (`c%3A`): pygls keys documents by the unquoted
URI, and the acceptance check once looked them up by the URI as sent (issue 26)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import suggest_at_end
from tests.lsp.test_energy import collect_status, wait_until

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    "uri",
    ["file:///my%20project/accept_uri.py", "file:///c%3A/Users/me/accept_uri.py"],
)
async def test_an_inserted_suggestion_counts_under_a_quoted_uri(
    client: LanguageClient, uri: str
) -> None:
    received = collect_status(client)
    position, shown = await suggest_at_end(client, uri, "def add(a, b):\n    return ")
    assert shown is not None and shown.items
    await wait_until(received, lambda s: s["suggestions"] >= 1)
    assert received[-1]["accepted"] == 0

    # The editor inserts the suggestion (Tab on ghost text), under the same quoted URI.
    inserted = shown.items[0].insert_text
    assert isinstance(inserted, str)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=position, end=position), text=inserted
                )
            ],
        )
    )
    await wait_until(received, lambda s: s["accepted"] == 1)
    assert received[-1]["joulesPerAcceptedChar"] > 0
