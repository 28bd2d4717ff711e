"""Bad settings and unusable models: one clear message, and the server keeps serving."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import end_of, inline, open_document, stats, wait_for_model


async def wait_for_message(
    client: LanguageClient, needle: str, timeout: float = 30
) -> types.ShowMessageParams:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for message in client.messages:
            if needle in message.message:
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"no message containing {needle!r}: {client.messages}")


async def change_settings(client: LanguageClient, settings: dict[str, object]) -> None:
    client.set_configuration(settings, section="wattcode")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))


async def test_bad_setting_is_reported_once_and_default_kept(client: LanguageClient) -> None:
    await wait_for_model(client)
    await change_settings(
        client,
        {"completion": {"maxTokens": "lots", "enabled": True}, "context": {"maxPromptTokens": 5}},
    )
    message = await wait_for_message(client, "maxTokens")
    assert message.type == types.MessageType.Warning
    assert "maxPromptTokens" in message.message  # both problems in the one message
    assert sum("invalid settings" in m.message for m in client.messages) == 1

    text = "def add(a, b):\n    return "
    await open_document(client, "file:///still.py", text)
    position = end_of(text)
    result = await inline(client, "file:///still.py", position.line, position.character)
    assert result is not None and result.items, "defaults kept: suggestions still work"


async def test_a_document_never_opened_gets_an_empty_answer(client: LanguageClient) -> None:
    await wait_for_model(client)
    result = await inline(client, "file:///never/opened.py", 0, 0)
    assert result is not None and not result.items
    info = await stats(client)
    assert info["model"]["state"] == "ready"  # and the server is still serving


async def test_disabling_completion_answers_empty(client: LanguageClient) -> None:
    await wait_for_model(client)
    await change_settings(client, {"completion": {"enabled": False}})
    text = "def add(a, b):\n    return "
    await open_document(client, "file:///off.py", text)
    for _ in range(50):
        await asyncio.sleep(0.05)
        position = end_of(text)
        result = await inline(client, "file:///off.py", position.line, position.character)
        if result is not None and not result.items:
            break
    assert result is not None and not result.items


@pytest.mark.parametrize("kind", ["missing", "not-gguf"])
async def test_unusable_model_path_keeps_the_server_running(
    client: LanguageClient, tmp_path: Path, kind: str
) -> None:
    await wait_for_model(client)
    if kind == "missing":
        path = tmp_path / "nope.gguf"
        needle = "not found"
    else:
        path = tmp_path / "notes.gguf"
        path.write_text("this is not a model\n")
        needle = "Not a GGUF"
    await change_settings(client, {"model": {"path": str(path)}})
    message = await wait_for_message(client, needle)
    assert message.type == types.MessageType.Error
    assert str(path) in message.message

    info = await wait_for_model(client)
    assert info["model"]["state"] == "failed"
    assert needle in info["model"]["error"]
    text = "def add(a, b):\n    return "
    await open_document(client, "file:///no-model.py", text)
    position = end_of(text)
    result = await inline(client, "file:///no-model.py", position.line, position.character)
    assert result is not None and not result.items  # empty, not an error, not a hang

    # Pointing back at a good model recovers without a restart.
    await change_settings(client, {"model": {"path": None}})
    for _ in range(200):
        info = await stats(client)
        if info["model"]["state"] == "ready":
            break
        await asyncio.sleep(0.05)
    assert info["model"]["state"] == "ready"
    result = await inline(client, "file:///no-model.py", position.line, position.character)
    assert result is not None and result.items
