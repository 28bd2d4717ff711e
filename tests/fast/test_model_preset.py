"""`wattcode.model.preset` through the real server: which model file it loads, the message when
the 1.5B is missing (the 0.5B serves), `auto` from measured speeds (cached) and the battery,
and `wattcode.model.path` winning over any preset.

The scripted server's models are placeholder files in its data dir (tests/fake_server.py): the
0.5B's is written when first chosen, the 1.5B's only "installed" when a test put it there, and
`auto`'s measurement returns the speeds in `WATTCODE_TEST_SPEEDS`, journalled as "calibrate".
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from pytest_lsp import LanguageClient

from lsp_server.power import smaller_model_share
from lsp_server.session import ModelStatus
from models.model_table import QWEN25_CODER_05B, QWEN25_CODER_15B
from tests.fast.conftest import (
    client_fixture,
    end_of,
    events,
    open_document,
    rule,
    script,
    stats,
    suggestion_at,
    until,
    wait_for_model,
)
from tests.fast.test_settings import change_settings, messages

pytestmark = pytest.mark.fast

HOME = Path(tempfile.mkdtemp(prefix="wattcode-preset-"))
BATTERY = HOME / "battery.json"
LARGE_FILE = HOME / "data" / "models" / QWEN25_CODER_15B.file_name
SMALL_NAME, LARGE_NAME = QWEN25_CODER_05B.display_name, QWEN25_CODER_15B.display_name


def machine(speeds: dict[str, float]) -> dict[str, str]:
    return {
        "WATTCODE_TEST_HOME": str(HOME),
        "WATTCODE_TEST_BATTERY": str(BATTERY),
        "WATTCODE_TEST_SPEEDS": json.dumps(speeds),
    }


client = client_fixture(env=machine({"0.5b": 47.0, "1.5b": 18.0}))
"""A 2-core laptop: the 1.5B takes 2.6x the 0.5B's time per token."""
fast_client = client_fixture(env=machine({"0.5b": 300.0, "1.5b": 230.0}))
"""A GPU: 1.3x."""


@pytest.fixture
def preset() -> str:
    return "1.5b"


@pytest.fixture
def large_installed() -> bool:
    return True


@pytest.fixture
def on_battery() -> bool:
    return False


@pytest.fixture
def settings(preset: str, large_installed: bool, on_battery: bool) -> dict[str, Any]:
    """The machine as the server will find it (set before it starts), and the preset."""
    (HOME / "cache" / "calibration.json").unlink(missing_ok=True)
    if large_installed:
        LARGE_FILE.parent.mkdir(parents=True, exist_ok=True)
        LARGE_FILE.write_bytes(b"the scripted 1.5B\n")
    else:
        LARGE_FILE.unlink(missing_ok=True)
    battery = {"percent": 80.0, "plugged": False} if on_battery else None
    BATTERY.write_text(json.dumps(battery), encoding="utf-8")
    return {"model": {"preset": preset}}


async def loaded(client: LanguageClient) -> dict[str, Any]:
    model: dict[str, Any] = (await wait_for_model(client))["model"]
    [load] = (await events(client, "load"))[-1:]
    assert load["path"] == model["path"]
    return model


@pytest.mark.parametrize("large_installed", [False])
async def test_a_missing_1_5b_says_how_to_fetch_it_and_the_0_5b_serves(
    client: LanguageClient, large_installed: bool
) -> None:
    [message] = await messages(client, "wattcode model fetch 1.5b")
    assert "0.5B model serves meanwhile" in message
    model = await loaded(client)
    assert model["name"] == SMALL_NAME and model["path"].endswith(QWEN25_CODER_05B.file_name)

    await script(client, rule(" 42", prefixEndsWith="answer ="))
    open_document(client, "file:///a.py", "answer = ")
    assert await suggestion_at(client, "file:///a.py", end_of("answer = ")) == "42"
    assert len([m for m in client.messages if "1.5b" in m.message]) == 1


async def test_an_installed_1_5b_is_loaded(client: LanguageClient) -> None:
    model = await loaded(client)
    assert model["name"] == LARGE_NAME and model["path"] == str(LARGE_FILE)
    assert model["why"] == "wattcode.model.preset: 1.5b"
    assert not [m for m in client.messages if "1.5b" in m.message]


@pytest.mark.parametrize("preset", ["0.5b"])
async def test_changing_the_preset_reloads_the_other_model(
    client: LanguageClient, preset: str
) -> None:
    assert (await loaded(client))["name"] == SMALL_NAME
    await change_settings(client, {"model": {"preset": "1.5b"}})
    await until(client, lambda s: s["model"]["name"] == LARGE_NAME)
    assert (await loaded(client))["path"] == str(LARGE_FILE)


@pytest.mark.parametrize("preset", ["auto"])
async def test_auto_on_a_slow_cpu_keeps_the_0_5b_and_measures_once(
    client: LanguageClient, preset: str
) -> None:
    model = await loaded(client)
    assert model["name"] == SMALL_NAME
    assert "2.6x" in model["why"] and "over 1.5x" in model["why"]
    assert sorted(e["model"] for e in await events(client, "calibrate")) == ["0.5b", "1.5b"]

    await change_settings(client, {"model": {"preset": "1.5b"}})
    await until(client, lambda s: s["model"]["name"] == LARGE_NAME)
    await change_settings(client, {"model": {"preset": "auto"}})
    await until(client, lambda s: s["model"]["name"] == SMALL_NAME)
    assert len(await events(client, "calibrate")) == 2  # the cached measurements


@pytest.mark.parametrize("preset", ["auto"])
async def test_auto_takes_the_1_5b_where_it_is_nearly_as_fast(
    fast_client: LanguageClient, preset: str
) -> None:
    model = await loaded(fast_client)
    assert model["name"] == LARGE_NAME and "within 1.5x" in model["why"]


@pytest.mark.parametrize(("preset", "on_battery"), [("auto", True)])
async def test_auto_on_battery_takes_the_0_5b_without_measuring(
    fast_client: LanguageClient, preset: str, on_battery: bool
) -> None:
    model = await loaded(fast_client)
    assert model["name"] == SMALL_NAME and "on battery" in model["why"]
    assert await events(fast_client, "calibrate") == []


async def test_the_path_wins_over_the_preset(client: LanguageClient) -> None:
    own = HOME / "my-own-model.gguf"
    own.write_bytes(b"GGUF\x03\x00\x00\x00")
    await change_settings(client, {"model": {"preset": "1.5b", "path": str(own)}})
    model = await until(client, lambda s: s["model"]["path"] == str(own))
    assert model["model"]["name"] == "my-own-model.gguf"
    assert model["model"]["why"] == "wattcode.model.path"


@pytest.mark.parametrize("preset", ["1.5b", "0.5b"])
async def test_the_ladder_has_the_smaller_model_rung(client: LanguageClient, preset: str) -> None:
    model = await loaded(client)
    [rung] = [r for r in (await stats(client))["power"]["ladder"] if r["rung"] == 3]
    assert rung["name"] == "smaller-model"
    assert "0.5B answers" in rung["label"]
    status = ModelStatus(name=model["name"])
    share = smaller_model_share(status)
    assert share == (QWEN25_CODER_05B.size / QWEN25_CODER_15B.size if preset == "1.5b" else None)
