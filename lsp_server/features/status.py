"""`wattcode/status` (server → client notification): the session's energy totals for a status bar.

Sent after the model loads and after each suggestion, at most about once a second (the first
at once; a burst of keystrokes ends with one trailing update, so the last totals always
arrive). Params, camelCase, read by the VS Code extension:

    {"energyJoules", "energyWattHours", "gramsCo2e", "savedJoulesEstimate", "method",
     "suggestions", "accepted", "joulesPerAcceptedChar" (null before an acceptance),
     "idleWatts" (null until measured; never for the CPU-time estimate),
     "power": {"tier" ("ac" | "battery" | "lowBattery"), "battery": {"percent", "plugged"},
               "budgetWattHoursPerHour" (null: no limit), "rung", "rungName", "rungLabel",
               "paused", "exhausted", "reserveJoules", "reserveCapacityJoules",
               "spentWattHoursLastHour", "why"}}

Also sent when the power source changes (plug, unplug, low battery).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from lsp_server.session import Stat
from lsp_server.wattcode_server import WattcodeServer
from models.energy.carbon import grams_co2e, watt_hours

METHOD = "wattcode/status"
MIN_INTERVAL_SECONDS = 1.0


def status_params(server: WattcodeServer) -> dict[str, Any]:
    session = server.session
    ledger = session.energy
    monitor = server.worker.energy
    return {
        "energyJoules": ledger.joules,
        "energyWattHours": watt_hours(ledger.joules),
        "gramsCo2e": grams_co2e(ledger.joules, session.grid()),
        "savedJoulesEstimate": ledger.saved_estimate(
            session.counters[Stat.PROMPT_TOKENS_REUSED], session.suggestion_cache.hits
        ),
        "method": ledger.method or (monitor.method if monitor else ""),
        "suggestions": int(session.counters[Stat.SUGGESTIONS]),
        "accepted": ledger.accepted,
        "joulesPerAcceptedChar": ledger.joules_per_accepted_char,
        "idleWatts": monitor.idle_watts if monitor else None,
        "power": server.power.status(),
    }


class Throttle:
    """Calls `send` at once the first time, then at most once per `interval` seconds, with one
    trailing call for whatever was asked meanwhile. Runs on the asyncio loop."""

    def __init__(
        self,
        send: Callable[[], None],
        interval: float = MIN_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._interval = interval
        self._clock = clock
        self._last: float | None = None
        self._pending: asyncio.TimerHandle | None = None

    def request(self) -> None:
        now = self._clock()
        if self._pending is not None:
            return  # a trailing call is already due
        if self._last is None or now - self._last >= self._interval:
            self._fire()
            return
        loop = asyncio.get_running_loop()
        self._pending = loop.call_later(self._interval - (now - self._last), self._fire)

    def _fire(self) -> None:
        self._pending = None
        self._last = self._clock()
        self._send()


def status_sender(server: WattcodeServer) -> Callable[[], None]:
    """Sends `wattcode/status`, throttled: what `create_server` makes the server's
    `on_energy_changed`."""

    def send() -> None:
        server.protocol.notify(METHOD, status_params(server))

    return Throttle(send).request
