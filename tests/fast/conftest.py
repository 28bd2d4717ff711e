"""The fast tier: the real server over stdio (pytest-lsp, as in tests/lsp), on a scripted model.

`python -m tests.fake_server` is `wattcode serve` with `tests/scripted_model.py` in place of
llama.cpp: no native build, no model file, and a model whose every answer, delay and cancel
point a test chooses (`script`). A test module sets the server's settings by overriding the
`settings` fixture (or parametrizing it, the test then naming `settings` among its
arguments). Waits poll with a deadline (`TIMEOUT`); no fixed sleeps.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.fake_server import EVENTS_METHOD, SCRIPT_METHOD, plain

REPO = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "tests.fake_server"]
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.getenv("PYTHONPATH")])),
}
TIMEOUT = 10.0
"""Seconds any wait in this tier may take before it fails (the work itself takes ms)."""


@pytest.fixture
def settings() -> dict[str, Any]:
    """The `wattcode` section the client answers `workspace/configuration` with."""
    return {}


PROMPT_ENDS_AT_THE_CURSOR = pytest.mark.parametrize(
    "settings", [{"experimental": {"healWords": False}}]
)
"""For a test whose rules match the prompt's end at the cursor: word healing would end the
prompt before a typed word (a one-byte-a-token script cannot show it; tests/lsp does)."""


def client_fixture(*server_args: str, env: dict[str, str] | None = None) -> Any:
    """A fixture: a VS Code-like client of `python -m tests.fake_server *server_args`,
    initialized with the `settings` fixture's section, the scripted model loaded; `env` adds
    to the server's environment (read when each test starts the server)."""

    config = ClientServerConfig(
        server_command=[*SERVER, *server_args], server_env={**ENV, **(env or {})}
    )

    @pytest_lsp.fixture(config=config)  # type: ignore[untyped-decorator]
    async def fixture(
        lsp_client: LanguageClient, settings: dict[str, Any]
    ) -> AsyncIterator[LanguageClient]:
        lsp_client.set_configuration(settings, section="wattcode")
        lsp_client.feature("wattcode/status")(lambda _params: None)  # the status bar's updates
        await lsp_client.initialize_session(
            types.InitializeParams(capabilities=client_capabilities("visual_studio_code"))
        )
        await wait_for_model(lsp_client)
        yield lsp_client
        await asyncio.wait_for(lsp_client.shutdown_session(), timeout=TIMEOUT)

    return fixture


client = client_fixture()
"""The server on a model that says nothing until a test scripts it (`script`)."""


# -- requests ------------------------------------------------------------------------------


def send(client: LanguageClient, method: str, params: Any) -> asyncio.Future[Any]:
    """Send a request now, before any later notification, and await its answer later.
    (pytest-lsp's `send_request_async` sends only once awaited: a didChange sent meanwhile
    would overtake it.)"""
    return asyncio.wrap_future(client.protocol.send_request(method, params))


async def stats(client: LanguageClient) -> dict[str, Any]:
    result = plain(await asyncio.wait_for(send(client, "wattcode/stats", {}), TIMEOUT))
    assert isinstance(result, dict)
    return result


async def wait_for_model(client: LanguageClient) -> dict[str, Any]:
    current = await until(client, lambda s: s["model"]["state"] in ("ready", "failed"))
    assert current["model"]["state"] == "ready", current["model"]
    return current


async def until(
    client: LanguageClient, condition: Callable[[dict[str, Any]], bool], timeout: float = TIMEOUT
) -> dict[str, Any]:
    """Poll wattcode/stats until `condition(stats)` holds; the stats that satisfied it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition(current := await stats(client)):
        if loop.time() > deadline:
            raise TimeoutError(f"condition still false after {timeout} s: {current}")
        await asyncio.sleep(0.02)
    return current


def delta(before: dict[str, Any], after: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: after[key] - before[key] for key in keys}


def inline_request(
    client: LanguageClient, uri: str, position: types.Position, manual: bool = False
) -> asyncio.Future[Any]:
    """Send textDocument/inlineCompletion now: as typing does (automatic), or as the user
    asking (`manual`: invoked)."""
    trigger = (
        types.InlineCompletionTriggerKind.Invoked
        if manual
        else types.InlineCompletionTriggerKind.Automatic
    )
    return send(
        client,
        types.TEXT_DOCUMENT_INLINE_COMPLETION,
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position,
            context=types.InlineCompletionContext(trigger_kind=trigger),
        ),
    )


def shown(result: Any) -> str | None:
    """The suggested text of an inlineCompletion answer; None when it has no item."""
    assert isinstance(result, types.InlineCompletionList), result
    if not result.items:
        return None
    assert len(result.items) == 1
    text = result.items[0].insert_text
    assert isinstance(text, str)
    return text


async def suggestion_at(
    client: LanguageClient, uri: str, position: types.Position, manual: bool = False
) -> str | None:
    return shown(await asyncio.wait_for(inline_request(client, uri, position, manual), TIMEOUT))


async def hover_text(client: LanguageClient, uri: str, line: int) -> str | None:
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=0),
        )
    )
    if hover is None:
        return None
    assert isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


# -- documents -----------------------------------------------------------------------------


def open_document(client: LanguageClient, uri: str, text: str, language: str = "python") -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )


def edit(
    client: LanguageClient,
    uri: str,
    version: int,
    where: types.Position | types.Range,
    text: str,
) -> None:
    """One incremental didChange: insert `text` at a position, or replace a range with it."""
    span = where if isinstance(where, types.Range) else types.Range(start=where, end=where)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=span, text=text)],
        )
    )


def end_of(text: str) -> types.Position:
    """The position after the last character, in UTF-16 code units."""
    lines = text.split("\n")
    return types.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2)


def at(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


# -- the scripted model --------------------------------------------------------------------


def rule(text: str, **conditions: Any) -> dict[str, Any]:
    """A script rule: the model writes `text` for a prompt that matches `conditions`
    (prefixEndsWith, prefixContains, suffixStartsWith: the prompt's text, whose prefix token
    healing has cut trailing whitespace from), with `tokenSeconds` and `holdBefore`."""
    return {"text": text, **conditions}


async def script(client: LanguageClient, *rules: dict[str, Any]) -> None:
    """Replace the scripted model's rules (the first that matches a prompt wins; none: the
    model writes nothing)."""
    answer = plain(await send(client, SCRIPT_METHOD, {"rules": list(rules)}))
    assert answer == {"rules": len(rules)}


async def events(client: LanguageClient, kind: str | None = None) -> list[dict[str, Any]]:
    """The scripted model's journal: load, prompt, warm, hold, release, stop, close."""
    result = plain(await send(client, EVENTS_METHOD, {"event": kind}))
    assert isinstance(result, list)
    return result


async def wait_for_event(
    client: LanguageClient, kind: str, count: int = 1, timeout: float = TIMEOUT
) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(found := await events(client, kind)) < count:
        if loop.time() > deadline:
            raise TimeoutError(f"{len(found)} of {count} {kind!r} events after {timeout} s")
        await asyncio.sleep(0.01)
    return found
