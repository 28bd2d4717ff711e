"""Documents are found under the URI a client sends, quoted (`%20`, `c%3A`) or not: pygls keys
them by the unquoted URI. Acceptances are counted for such documents (they never were)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest
from lsprotocol import types
from pygls.workspace import Workspace

from lsp_server.acceptance import note_acceptances
from lsp_server.open_documents import document_key, open_document
from lsp_server.session import Session, SuggestionRecord
from lsp_server.wattcode_server import WattcodeServer
from models.energy.window import WindowEnergy
from models.generation import GenerationStats

QUOTED_URIS = [
    "file:///home/me/my%20project/main.py",
    "file:///c%3A/Users/me/main.py",
    "file:///plain/main.py",
]
TEXT = "def add(a, b):\n    return "
SUGGESTION = "a + b"


def workspace_with(uri: str, text: str = TEXT) -> Workspace:
    workspace = Workspace(None)
    workspace.put_text_document(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
    )
    return workspace


def insert(workspace: Workspace, uri: str, line: int, character: int, text: str) -> None:
    """An incremental didChange as pygls applies it (the editor inserted `text`)."""
    position = types.Position(line=line, character=character)
    workspace.update_text_document(
        types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        types.TextDocumentContentChangePartial(
            range=types.Range(start=position, end=position), text=text
        ),
    )


def record(line: int, character: int, text: str) -> SuggestionRecord:
    energy = WindowEnergy(
        joules=1.0,
        by_meter={"cpu": 1.0},
        counter_joules={"cpu": 1.0},
        seconds=0.1,
        cpu_seconds=0.1,
        share=1.0,
        idle_joules=None,
        method="estimated: test",
    )
    return SuggestionRecord(
        start_line=line,
        end_line=line,
        text=text,
        stats=GenerationStats(10, 0, 10, 3, 0.01, 0.1, 0.1, "stop-token"),
        energy=energy,
        start_character=character,
    )


class FakeServer(SimpleNamespace):
    """What `note_acceptances` uses of the server: the session, the workspace, the callback."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(session=Session(), workspace=workspace, energy_changes=0)
        self.on_energy_changed = self._changed

    def _changed(self) -> None:
        self.energy_changes += 1


@pytest.mark.parametrize("uri", QUOTED_URIS)
def test_open_document_finds_a_document_under_the_uri_the_client_sent(uri: str) -> None:
    workspace = workspace_with(uri)
    document = open_document(workspace, uri)
    assert document is not None
    assert document.source == TEXT
    assert document_key(uri) in workspace.text_documents


def test_the_unquoted_and_the_quoted_uri_find_the_same_document() -> None:
    workspace = workspace_with("file:///home/me/my%20project/main.py")
    assert open_document(workspace, "file:///home/me/my project/main.py") is open_document(
        workspace, "file:///home/me/my%20project/main.py"
    )


def test_open_document_never_reads_an_unopened_file() -> None:
    workspace = workspace_with("file:///home/me/my%20project/main.py")
    assert open_document(workspace, "file:///home/me/my%20project/other.py") is None
    assert open_document(workspace, "file:///c%3A/nowhere.py") is None


@pytest.mark.parametrize("uri", QUOTED_URIS)
def test_an_inserted_suggestion_counts_as_accepted(uri: str) -> None:
    workspace = workspace_with(uri)
    server = FakeServer(workspace)
    session: Session = server.session
    shown = record(1, len("    return "), SUGGESTION)
    session.add_record(uri, shown)

    insert(workspace, uri, 1, len("    return "), SUGGESTION)
    note_acceptances(cast(WattcodeServer, server), uri)

    assert shown.accepted
    assert session.energy.accepted == 1
    assert session.energy.accepted_chars == len(SUGGESTION)
    assert server.energy_changes == 1


def test_a_suggestion_not_taken_is_not_counted() -> None:
    uri = "file:///home/me/my%20project/main.py"
    workspace = workspace_with(uri)
    server = FakeServer(workspace)
    session: Session = server.session
    shown = record(1, len("    return "), SUGGESTION)
    session.add_record(uri, shown)

    insert(workspace, uri, 1, len("    return "), "b - a")
    note_acceptances(cast(WattcodeServer, server), uri)

    assert not shown.accepted
    assert session.energy.accepted == 0
    assert server.energy_changes == 0


def test_no_acceptance_for_a_document_that_is_not_open() -> None:
    uri = "file:///home/me/my%20project/main.py"
    server = FakeServer(Workspace(None))
    session: Session = server.session
    session.add_record(uri, record(1, len("    return "), SUGGESTION))
    note_acceptances(cast(WattcodeServer, server), uri)
    assert session.energy.accepted == 0
