"""A budget that changes live, through the real server: raised in the settings or by plugging
in, service resumes within a second; lowered by unplugging, it restricts at once; while paused,
`wattcode/stats` and hover say why and for how long. The model (`costly_model`) spends about
1 J a suggestion, hundreds of times a 0.01 Wh/h budget's reserve."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.fast.conftest import (
    TIMEOUT,
    client_fixture,
    end_of,
    hover_text,
    inline_request,
    open_document,
    shown,
    stats,
    suggestion_at,
    until,
)

pytestmark = pytest.mark.fast

BATTERY = Path(tempfile.mkdtemp(prefix="wattcode-battery-")) / "battery.json"
client = client_fixture(
    "--script", "tests.fast.scripts:costly_model", env={"WATTCODE_TEST_BATTERY": str(BATTERY)}
)
URI = "file:///budget.py"
TEXT = "def f():\n    value = "  # healing cuts only the space: the prompt ends at `=`
BASE = {
    "cache": {"suggestions": False},  # every request asks the model
    "completion": {"skipUnlikely": False},
}


def set_battery(percent: float | None, plugged: bool = True) -> None:
    state = None if percent is None else {"percent": percent, "plugged": plugged}
    BATTERY.write_text(json.dumps(state), encoding="utf-8")


set_battery(None)  # the server starts on a machine without a battery: mains


@pytest.fixture
def settings() -> dict[str, Any]:
    return {**BASE, "power": {"batteryPollSeconds": 1}}


def configure(client: LanguageClient, power: dict[str, Any]) -> None:
    client.set_configuration(
        {**BASE, "power": {"batteryPollSeconds": 1, **power}}, section="wattcode"
    )
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))


async def power(client: LanguageClient) -> dict[str, Any]:
    result: dict[str, Any] = (await stats(client))["power"]
    return result


async def served_within(client: LanguageClient, seconds: float, manual: bool) -> float:
    """Ask again and again until a suggestion comes; the seconds it took (fails past
    `seconds`)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not shown(await asyncio.wait_for(inline_request(client, URI, end_of(TEXT), manual), 5)):
        assert loop.time() - started < seconds, await power(client)
        await asyncio.sleep(0.02)
    return loop.time() - started


async def overspend(client: LanguageClient, manual: bool) -> dict[str, Any]:
    """One suggestion on a full 0.3 J reserve: deep in debt afterwards."""
    assert await suggestion_at(client, URI, end_of(TEXT), manual) == "1"
    state = await until(client, lambda s: s["power"]["reserveJoules"] < -0.1)
    return dict(state["power"])


@pytest.mark.parametrize("mode", ["pause", "manual-only"])
async def test_a_raised_budget_serves_again_within_a_second(
    client: LanguageClient, mode: str
) -> None:
    open_document(client, URI, TEXT)
    configure(client, {"ac": {"maxWattHoursPerHour": 0.01}, "whenExhausted": mode})
    await until(client, lambda s: s["power"]["budgetWattHoursPerHour"] == 0.01)
    spent = await overspend(client, manual=mode == "pause")
    assert spent["reserveCapacityJoules"] == pytest.approx(0.3)
    assert spent["resumesInSeconds"] > 30, spent  # a debt of ~100 reserves at 0.01 W
    assert "suggestions again in" in spent["why"]
    if mode == "pause":
        assert spent["paused"] and "paused" in spent["why"]
        assert await suggestion_at(client, URI, end_of(TEXT), manual=True) is None
        hover = await hover_text(client, URI, 1)
        assert hover is not None and "paused" in hover and "suggestions again in" in hover
    else:
        assert await suggestion_at(client, URI, end_of(TEXT)) is None  # automatic: refused

    loop = asyncio.get_running_loop()
    raised_at = loop.time()
    configure(client, {"ac": {"maxWattHoursPerHour": 1000}, "whenExhausted": mode})
    await served_within(client, 1.0, manual=False)
    assert loop.time() - raised_at < 1.0
    now = await power(client)
    assert now["budgetWattHoursPerHour"] == 1000 and not now["paused"]
    assert now["resumesInSeconds"] is None and now["rungName"] == "full"


async def test_plugging_in_serves_again_and_unplugging_restricts_at_once(
    client: LanguageClient,
) -> None:
    open_document(client, URI, TEXT)
    set_battery(80, plugged=False)
    budgets = {"battery": {"maxWattHoursPerHour": 0.01}, "ac": {"maxWattHoursPerHour": 1000}}
    configure(client, {**budgets, "whenExhausted": "pause"})
    await until(client, lambda s: s["power"]["tier"] == "battery", timeout=TIMEOUT)
    await until(client, lambda s: s["power"]["budgetWattHoursPerHour"] == 0.01)
    assert (await overspend(client, manual=True))["paused"]

    set_battery(80, plugged=True)
    await until(client, lambda s: s["power"]["tier"] == "ac", timeout=TIMEOUT)
    assert await served_within(client, 1.0, manual=False) < 1.0
    assert not (await power(client))["paused"]

    # Unplugged again: the battery's 0.3 J reserve at once, not mains' 30 kJ in any share.
    set_battery(80, plugged=False)
    state = await until(client, lambda s: s["power"]["tier"] == "battery", timeout=TIMEOUT)
    assert state["power"]["reserveJoules"] <= 0.3 and state["power"]["budgetWattHoursPerHour"]
    assert (await overspend(client, manual=True))["paused"]
    assert await suggestion_at(client, URI, end_of(TEXT), manual=True) is None
