"""`wattcode.exclude` through the real server: an excluded document gets no suggestion, its
text reaches no prompt that the model sees for another document and no KV state saved on
disk, and hover says it is excluded."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytest_lsp import LanguageClient

from tests.fast.conftest import (
    TIMEOUT,
    client_fixture,
    end_of,
    events,
    hover_text,
    open_document,
    rule,
    script,
    stats,
    suggestion_at,
    wait_for_event,
)
from tests.fast.test_settings import messages
from tests.scripted_model import encode

pytestmark = pytest.mark.fast

HOME = Path(tempfile.mkdtemp(prefix="wattcode-exclude-"))
client = client_fixture(env={"WATTCODE_TEST_HOME": str(HOME)})

SECRET = "sk-live-4242-never-read"
DOTENV_URI = "file:///work/app/.env"
DOTENV = f"API_KEY={SECRET}\nDEBUG="
# `secrets.py` matches the default `**/secrets.*` and is importable: without the exclusion the
# trimmer would lend its signatures to main.py's prompt (the control test shows it does).
SECRETS_URI = "file:///work/app/secrets.py"
SECRETS = f'def token_{SECRET.replace("-", "_")}(scope):\n    return "{SECRET}"\n'
MAIN_URI = "file:///work/app/main.py"
MAIN = (
    "from secrets import token_sk_live_4242_never_read\n\n\n"
    + "".join(f"def helper_{i}(value):\n    return value + {i}\n\n\n" for i in range(40))
    + "def run():\n    key = token_sk_live_4242_never_read(1)\n    value = "
)
SETTINGS = {
    "context": {"maxPromptTokens": 640},  # main.py is trimmed: the trimmer lends signatures
    "completion": {"skipUnlikely": False},
}


@pytest.fixture
def settings() -> dict[str, Any]:
    return SETTINGS


def secret_marker() -> str:
    return SECRET.replace("-", "_")


async def open_all(client: LanguageClient) -> None:
    open_document(client, DOTENV_URI, DOTENV, language="dotenv")
    open_document(client, SECRETS_URI, SECRETS)
    open_document(client, MAIN_URI, MAIN)
    await script(client, rule(" 1"))


def saved_states() -> list[bytes]:
    return [path.read_bytes() for path in (HOME / "cache" / "kv-states").rglob("*.kvstate")]


def holds(data: bytes, text: str) -> bool:
    return np.asarray(encode(text), dtype=np.int32).tobytes() in data


async def test_an_excluded_document_is_never_read(client: LanguageClient) -> None:
    await open_all(client)
    before = await stats(client)
    assert await suggestion_at(client, DOTENV_URI, end_of(DOTENV), manual=True) is None
    assert await suggestion_at(client, SECRETS_URI, end_of(SECRETS), manual=True) is None
    assert await events(client, "prompt") == []  # no model work for either
    assert await suggestion_at(client, MAIN_URI, end_of(MAIN), manual=True) == "1"
    (prompt,) = await wait_for_event(client, "prompt")
    seen = prompt["prefix"] + prompt["suffix"]
    assert "def run():" in seen  # main.py's own text is there
    assert SECRET not in seen and "def token_" + secret_marker() not in seen
    assert "API_KEY" not in seen
    after = await stats(client)
    assert after["suggestions"] - before["suggestions"] == 1

    hover = await hover_text(client, DOTENV_URI, 0)
    assert hover is not None and "excluded by `wattcode.exclude`" in hover and "`.env`" in hover
    hover = await hover_text(client, SECRETS_URI, 0)
    assert hover is not None and "`**/secrets.*`" in hover

    # Shutting down saves every KV state to disk: none holds the excluded texts.
    await asyncio.wait_for(client.shutdown_session(), timeout=TIMEOUT)
    client.capabilities = None  # the fixture's own shutdown has nothing left to do
    states = saved_states()
    assert any(holds(state, "def run():") for state in states), "nothing saved to check"
    for state in states:
        assert not holds(state, SECRET) and not holds(state, "def token_" + secret_marker())


@pytest.mark.parametrize(
    "settings",
    # Control: negation re-includes secrets.py, and then its signature is lent to main.py.
    [{**SETTINGS, "exclude": [".env", "**/secrets.*", "!secrets.py"], "cache": {"persist": False}}],
)
async def test_without_the_exclusion_the_signature_would_be_lent(
    client: LanguageClient, settings: dict[str, Any]
) -> None:
    await open_all(client)
    assert await suggestion_at(client, MAIN_URI, end_of(MAIN), manual=True) == "1"
    (prompt,) = await wait_for_event(client, "prompt")
    assert "def token_" + secret_marker() in prompt["prefix"] + prompt["suffix"]
    assert await suggestion_at(client, DOTENV_URI, end_of(DOTENV), manual=True) is None
    assert await hover_text(client, SECRETS_URI, 0) is None


@pytest.mark.parametrize("settings", [{**SETTINGS, "exclude": "*.env"}])
async def test_a_bad_exclude_setting_warns_once_and_keeps_the_default(
    client: LanguageClient, settings: dict[str, Any]
) -> None:
    [message] = await messages(client, "wattcode.exclude")
    assert "must be a list of strings" in message
    await open_all(client)
    assert await suggestion_at(client, DOTENV_URI, end_of(DOTENV), manual=True) is None
    assert await hover_text(client, DOTENV_URI, 0) is not None
