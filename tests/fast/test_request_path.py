"""A keystroke's request through the real server to the scripted model and back."""

from __future__ import annotations

from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from models.model_table import DEFAULT_MODEL
from tests.fast.conftest import (
    PROMPT_ENDS_AT_THE_CURSOR,
    at,
    client_fixture,
    edit,
    end_of,
    events,
    open_document,
    rule,
    script,
    send,
    stats,
    suggestion_at,
)

pytestmark = pytest.mark.fast

ADD = "def add(a, b):\n    return "


async def test_the_model_sees_the_document_and_its_text_is_shown(client: LanguageClient) -> None:
    # Token healing cuts the space after `return`: the model writes it again (" a + b").
    await script(client, rule(" a + b", prefixEndsWith="return"))
    open_document(client, "file:///add.py", ADD + "\n\nprint(add(1, 2))\n")
    assert await suggestion_at(client, "file:///add.py", end_of(ADD)) == "a + b"

    [prompt] = await events(client, "prompt")
    assert prompt["prefix"] == ADD.rstrip(" ")  # the healed prefix
    assert prompt["suffix"] == "\n\nprint(add(1, 2))\n"
    assert prompt["order"] == "spm"
    info = await stats(client)
    assert info["requests"] == info["suggestions"] == 1
    assert info["generations_started"] == info["generations_completed"] == 1
    assert info["generations_cancelled"] == info["requests_skipped"] == 0
    # The FIM markers, the suffix and the prefix, one byte a token; " a + b" is six tokens.
    expected = 3 + len(prompt["suffix"]) + len(prompt["prefix"])
    assert info["prompt_tokens_evaluated"] == prompt["evaluated"] == expected
    assert info["generated_tokens"] == 6
    assert info["model"]["state"] == "ready" and info["model"]["name"] == DEFAULT_MODEL.display_name
    assert info["energy_method"]


@PROMPT_ENDS_AT_THE_CURSOR
async def test_the_next_keystroke_reuses_the_prompt(
    client: LanguageClient, settings: dict[str, Any]
) -> None:
    await script(client, rule(" a + b", prefixEndsWith="return"), rule(" - a", prefixEndsWith="b"))
    open_document(client, "file:///reuse.py", ADD)
    assert await suggestion_at(client, "file:///reuse.py", end_of(ADD)) == "a + b"
    before = await stats(client)
    edit(client, "file:///reuse.py", 2, end_of(ADD), "b")  # not what was suggested
    assert await suggestion_at(client, "file:///reuse.py", end_of(ADD + "b")) == " - a"
    after = await stats(client)
    reused = after["prompt_tokens_reused"] - before["prompt_tokens_reused"]
    evaluated = after["prompt_tokens_evaluated"] - before["prompt_tokens_evaluated"]
    assert reused >= 3 + len(ADD.rstrip(" "))  # the markers and the unchanged prefix
    assert evaluated <= 2  # " b"


async def test_a_model_with_nothing_to_say_shows_nothing(client: LanguageClient) -> None:
    open_document(client, "file:///quiet.py", ADD)
    assert await suggestion_at(client, "file:///quiet.py", end_of(ADD)) is None
    info = await stats(client)
    assert info["generations_completed"] == 1 and info["suggestions"] == 0


async def test_the_completion_item_carries_the_same_text(client: LanguageClient) -> None:
    await script(client, rule(" a + b", prefixEndsWith="return"))
    open_document(client, "file:///item.py", ADD)
    position = end_of(ADD)
    answer = await send(
        client,
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri="file:///item.py"), position=position
        ),
    )
    assert isinstance(answer, types.CompletionList) and answer.is_incomplete
    [item] = answer.items
    assert item.text_edit == types.TextEdit(
        range=types.Range(start=position, end=position), new_text="a + b"
    )
    assert item.detail is not None and "6 generated" in item.detail


async def test_a_document_never_opened_reaches_no_model(client: LanguageClient) -> None:
    assert await suggestion_at(client, "file:///never.py", end_of(ADD)) is None
    info = await stats(client)
    assert info["requests"] == 1 and info["generations_started"] == 0
    assert await events(client, "prompt") == []


adding_client = client_fixture("--script", "tests.fast.scripts:adding_model")


async def test_a_model_written_in_python_answers_each_prompt(
    adding_client: LanguageClient,
) -> None:
    client = adding_client
    text = "def add(a, b):\n    return \n\n\ndef add3(x, y, z):\n    return "
    open_document(client, "file:///sums.py", text)
    assert await suggestion_at(client, "file:///sums.py", at(1, 11)) == "a + b"
    assert await suggestion_at(client, "file:///sums.py", end_of(text)) == "x + y + z"
    # The rules come first: a test can still override the script for one prompt.
    await script(client, rule(" sum((x, y, z))", prefixEndsWith="z):\n    return"))
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri="file:///sums.py")
        )
    )
    open_document(client, "file:///sums.py", text)  # a fresh suggestion cache for it
    assert await suggestion_at(client, "file:///sums.py", end_of(text)) == "sum((x, y, z))"


async def test_a_misspelt_rule_is_refused(client: LanguageClient) -> None:
    with pytest.raises(Exception, match="unknown rule keys"):
        await script(client, rule("zzz", prefixEndswith="return"))
