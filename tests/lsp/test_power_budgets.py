"""Power budgets end to end: the real server (wrapped only to fake the battery psutil reports)
and the real model, driven by pytest-lsp. Settings change live; the battery plugs and unplugs;
bad settings give one message; the gating rules skip what they should."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.conftest import edit, open_document, plain, stats, wait_for_model
from tests.lsp.test_energy import collect_status, wait_until

pytestmark = pytest.mark.model

BATTERY = Path(tempfile.mkdtemp(prefix="wattcode-battery-")) / "battery.json"
WRAPPED = [sys.executable, "-m", "tests.reliability.wrapped_server"]
CODE = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return "


def set_battery(state: dict[str, Any] | None) -> None:
    BATTERY.write_text(json.dumps(state), encoding="utf-8")


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=WRAPPED,
        server_env={
            **os.environ,
            "WATTCODE_TEST_BATTERY": str(BATTERY),
            "WATTCODE_TEST_UNLOAD_IDLE_SECONDS": "2",
        },
    )
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    set_battery({"percent": 90, "plugged": True})
    lsp_client.set_configuration(
        # Skipped requests stay unanswered (the answer after a pause has its own test).
        {
            "power": {"batteryPollSeconds": 1},
            "completion": {"maxTokens": 24, "pauseMilliseconds": None},
        },
        section="wattcode",
    )
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual_studio_code"))
    )
    yield lsp_client
    await asyncio.wait_for(lsp_client.shutdown_session(), timeout=30)


def configure(client: LanguageClient, settings: dict[str, Any]) -> None:
    client.set_configuration(
        {"power": {"batteryPollSeconds": 1, **settings.pop("power", {})}, **settings},
        section="wattcode",
    )
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))


async def ask(
    client: LanguageClient, uri: str, line: int, character: int, manual: bool = False
) -> str:
    kind = types.InlineCompletionTriggerKind
    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
            context=types.InlineCompletionContext(
                trigger_kind=kind.Invoked if manual else kind.Automatic
            ),
        )
    )
    return result.items[0].insert_text if result and result.items else ""  # type: ignore[return-value]


async def power(client: LanguageClient) -> dict[str, Any]:
    return plain((await stats(client))["power"])


async def settle(client: LanguageClient, check: Any, timeout: float = 10) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check(current := await power(client)):
        if loop.time() > deadline:
            raise TimeoutError(f"power state never matched: {current}")
        await asyncio.sleep(0.1)
    return current


async def test_a_spent_budget_pauses_live_and_lifting_it_resumes(client: LanguageClient) -> None:
    received = collect_status(client)
    uri = "file:///power_pause.py"
    await open_document(client, uri, CODE)
    await wait_for_model(client)
    assert (await power(client))["budgetWattHoursPerHour"] is None
    assert await ask(client, uri, 5, 11)  # no budget: a suggestion

    # 0.01 Wh/h is a 0.3 J reserve: the first suggestion spends it, then nothing runs.
    # (Without the suggestion cache, which would answer the same position for free.)
    configure(
        client,
        {
            "power": {"ac": {"maxWattHoursPerHour": 0.01}, "whenExhausted": "pause"},
            "cache": {"suggestions": False},
        },
    )
    await settle(client, lambda p: p["budgetWattHoursPerHour"] == 0.01)
    await ask(client, uri, 5, 11)
    assert (await power(client))["paused"]
    assert await ask(client, uri, 5, 11) == ""
    assert await ask(client, uri, 5, 11, manual=True) == ""  # pause refuses manual requests too
    counters = await stats(client)
    assert counters["requests_refused_paused"] >= 2
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=5, character=4),
        )
    )
    assert hover is not None and "paused" in str(hover.contents)

    await wait_until(received, lambda s: s["power"]["paused"])
    configure(client, {"power": {"ac": {"maxWattHoursPerHour": None}}})
    # A status bar learns of the change from the server, with no request in between.
    await wait_until(
        received,
        lambda s: s["power"]["budgetWattHoursPerHour"] is None and not s["power"]["paused"],
    )
    edit(client, uri, 2, (5, 11), "a")
    assert await ask(client, uri, 5, 12)


async def test_manual_only_serves_what_the_user_asks_for(client: LanguageClient) -> None:
    uri = "file:///power_manual.py"
    await open_document(client, uri, CODE)
    await wait_for_model(client)
    configure(
        client,
        {
            "power": {"ac": {"maxWattHoursPerHour": 0.01}, "whenExhausted": "manual-only"},
            "cache": {"suggestions": False},
        },
    )
    await settle(client, lambda p: p["budgetWattHoursPerHour"] == 0.01)
    await ask(client, uri, 5, 11)  # spends the reserve
    state = await power(client)
    assert state["rungName"] == "unload-when-idle" and state["exhausted"]
    assert await ask(client, uri, 5, 11) == ""
    assert await ask(client, uri, 5, 11, manual=True)
    assert (await stats(client))["requests_refused_manual_only"] >= 1

    # The last rung unloads the model once idle (2 s here, minutes in the product) ...
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while (current := await stats(client))["model"]["state"] != "unloaded":
        assert loop.time() < deadline, current["model"]
        await asyncio.sleep(0.2)
    assert current["model_unloads"] == 1
    # ... and a manual request wakes it, at a measured cost.
    assert await ask(client, uri, 5, 11, manual=True)
    woken = await stats(client)
    assert woken["model"]["state"] == "ready" and woken["model_wakes"] == 1
    assert woken["wake_seconds"] > 0
    assert woken["background_joules"] > current["background_joules"]


async def test_unplugging_and_a_low_battery_switch_budgets_within_one_poll(
    client: LanguageClient,
) -> None:
    received = collect_status(client)
    configure(
        client,
        {
            "power": {
                "battery": {"maxWattHoursPerHour": 8},
                "lowBattery": {"maxWattHoursPerHour": 1.5, "thresholdPercent": 30},
            }
        },
    )
    await wait_for_model(client)
    state = await settle(client, lambda p: p["tier"] == "ac")
    assert state["budgetWattHoursPerHour"] is None and state["battery"]["plugged"]

    set_battery({"percent": 70, "plugged": False})
    await wait_until(received, lambda s: s["power"]["tier"] == "battery")
    assert received[-1]["power"]["budgetWattHoursPerHour"] == 8

    set_battery({"percent": 25, "plugged": False})
    await wait_until(received, lambda s: s["power"]["tier"] == "lowBattery")
    assert received[-1]["power"]["budgetWattHoursPerHour"] == 1.5
    assert received[-1]["power"]["battery"]["percent"] == 25

    set_battery({"percent": 25, "plugged": True})
    await wait_until(received, lambda s: s["power"]["tier"] == "ac")

    set_battery(None)  # a desktop: no battery counts as mains
    await asyncio.sleep(1.5)
    assert (await power(client))["tier"] == "ac"


async def test_bad_power_settings_give_one_message_and_keep_defaults(
    client: LanguageClient,
) -> None:
    await wait_for_model(client)
    configure(
        client,
        {
            "power": {
                "ac": {"maxWattHoursPerHour": "lots"},
                "whenExhausted": "sometimes",
                "lowBattery": {"thresholdPercent": 140},
            }
        },
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not any("invalid settings" in m.message for m in client.messages):
        assert loop.time() < deadline, client.messages
        await asyncio.sleep(0.1)
    [message] = [m.message for m in client.messages if "invalid settings" in m.message]
    assert "wattcode.power.ac.maxWattHoursPerHour" in message
    assert "wattcode.power.whenExhausted" in message
    assert "wattcode.power.lowBattery.thresholdPercent" in message
    state = await power(client)
    assert state["budgetWattHoursPerHour"] is None and state["rung"] == 0


async def test_gating_skips_comments_mid_word_and_deletions(client: LanguageClient) -> None:
    uri = "file:///gating.py"
    text = (
        "def area(r):\n    # the area of a circle of radius r\n    x = compute(r)\n    return \n"
        '    raise ValueError("radius must be ")\n'
    )
    await open_document(client, uri, text)
    await wait_for_model(client)
    before = await stats(client)
    assert await ask(client, uri, 1, 38) == ""  # at the end of the comment
    await ask(client, uri, 4, 37)  # a string typed at its end ("must be |"): not gated
    assert (await stats(client))["generations_started"] == before["generations_started"] + 1
    assert await ask(client, uri, 2, 11) == ""  # "comp|ute(r)": mid-word, text on the right
    edit(client, uri, 2, ((3, 10), (3, 11)), "")
    assert await ask(client, uri, 3, 10) == ""  # right after a deletion
    edit(client, uri, 3, (3, 10), "\n")
    edit(client, uri, 4, (4, 0), " ")
    assert await ask(client, uri, 4, 1) == ""  # indenting a blank line by hand
    edit(client, uri, 5, (4, 1), "re")
    assert await ask(client, uri, 4, 3) == ""  # a word's second character
    edit(client, uri, 6, (4, 3), "turn")
    edit(client, uri, 7, (4, 7), " ")
    assert await ask(client, uri, 4, 8) == ""  # "return |": a space typed after code
    await ask(client, uri, 1, 38, manual=True)  # a manual request is never gated
    after = await stats(client)

    def delta(key: str) -> float:
        return float(after[key] - before[key])

    assert delta("requests_skipped_comment_or_string") == 1
    assert delta("requests_skipped_mid_word") == 1
    assert delta("requests_skipped_after_deletion") == 1
    assert delta("requests_skipped_indenting") == 1
    assert delta("requests_skipped_word_start") == 1
    assert delta("requests_skipped_after_space") == 1
    assert delta("generations_started") == 2  # the string's end and the manual one

    configure(client, {"completion": {"skipUnlikely": False}})
    await asyncio.sleep(0.5)
    await ask(client, uri, 2, 11)
    assert (await stats(client))["requests_skipped"] == after["requests_skipped"]


async def test_a_pause_after_a_skipped_key_gets_an_answer(client: LanguageClient) -> None:
    uri = "file:///pause.py"
    text = "def area(r):\n    return 3.14159 * r * r\n\n\ndef double(x):\n    return"
    await open_document(client, uri, text)
    await wait_for_model(client)
    configure(client, {"completion": {"maxTokens": 24, "pauseMilliseconds": 300}})
    await asyncio.sleep(0.5)
    edit(client, uri, 2, (5, 10), " ")
    before = await stats(client)
    # "return |" is skipped (a space typed after code), but nothing newer comes: answered.
    assert await ask(client, uri, 5, 11) != ""
    paused = await stats(client)
    assert paused["requests_skipped_after_space"] == before["requests_skipped_after_space"] + 1
    assert paused["skipped_answered_after_pause"] == before["skipped_answered_after_pause"] + 1
    assert paused["generations_started"] == before["generations_started"] + 1
    # The next key within the pause cancels the held request before any model work.
    edit(client, uri, 3, (5, 11), "x +")
    edit(client, uri, 4, (5, 14), " ")
    held = asyncio.ensure_future(ask(client, uri, 5, 15))  # "return x + |": skipped, held
    await asyncio.sleep(0.05)
    edit(client, uri, 5, (5, 15), "1")
    assert await held == ""
    after = await stats(client)
    assert after["generations_started"] == paused["generations_started"]
    assert after["skipped_answered_after_pause"] == paused["skipped_answered_after_pause"]


def _module(name: str) -> str:
    """A few hundred tokens of Python, ending where a function body is being typed."""
    helpers = "".join(
        f"def {name}_{i}(value):\n    return value * {i} + {i * 7 % 5}\n\n\n" for i in range(24)
    )
    return helpers + f"def {name}_total(values):\n    re"


async def _after_warming(
    client: LanguageClient, before: dict[str, Any], expected: bool
) -> dict[str, Any]:
    """The counters once the warming started since `before` has ended (it is counted then);
    at once when none is `expected` (it would have been submitted before the answer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    current = await stats(client)
    while expected and current["warmups_started"] == before["warmups_started"]:
        if loop.time() > deadline:
            raise TimeoutError("the skipped request's prompt was never warmed")
        await asyncio.sleep(0.1)
        current = await stats(client)
    return current


async def _evaluated_by_next_key(
    client: LanguageClient, uri: str, warming: bool
) -> tuple[float, float]:
    """Ask at a word's second character (skipped), let any warming finish, type a third
    character and ask again: (prompt tokens warmed, prompt tokens that third key evaluated)."""
    lines = _module("x").count("\n")  # the same shape for every name
    before = await stats(client)
    assert await ask(client, uri, lines, 6) == ""  # "    re|": a word's second character
    warmed = await _after_warming(client, before, warming)
    assert warmed["requests_skipped_word_start"] == before["requests_skipped_word_start"] + 1
    edit(client, uri, 2, (lines, 6), "t")
    await ask(client, uri, lines, 7)
    after = await stats(client)
    assert after["generations_started"] == warmed["generations_started"] + 1
    return (
        float(warmed["prompt_tokens_warmed"] - before["prompt_tokens_warmed"]),
        float(after["prompt_tokens_evaluated"] - warmed["prompt_tokens_evaluated"]),
    )


async def test_a_skipped_request_warms_the_cache_for_the_next_key(
    client: LanguageClient,
) -> None:
    """With `warmSkipped` on, a skipped request's prompt is evaluated in the background (its
    whole chunks, nothing generated), so the next key evaluates only the last few tokens;
    with it off (the default) that key evaluates the whole file."""
    configure(client, {"experimental": {"warmSkipped": True}})
    await asyncio.sleep(0.5)
    # Fresh names each run: a state saved on disk by an earlier run must not warm the cache.
    await open_document(client, "file:///warmed.py", _module(f"warm_{uuid.uuid4().hex[:8]}"))
    await wait_for_model(client)
    warmed, next_key = await _evaluated_by_next_key(client, "file:///warmed.py", True)
    assert warmed > 200
    assert next_key <= 40  # the single steps after the last whole chunk, and the new "t"

    # Back to the defaults, but a skipped request stays unanswered (not answered after a pause).
    configure(client, {"completion": {"pauseMilliseconds": None}})
    await asyncio.sleep(0.5)
    await open_document(client, "file:///cold.py", _module(f"cold_{uuid.uuid4().hex[:8]}"))
    warmed, next_key = await _evaluated_by_next_key(client, "file:///cold.py", False)
    assert warmed == 0
    assert next_key > 200
