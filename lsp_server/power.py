"""The power governor's place in the server: the battery poll, the budget for the current power
source, what the governor allows a request, and the model unloaded after idle.

Owned by the asyncio loop. `models/power/` holds the logic; this module feeds it the settings,
the battery and the energy spent, and turns its rung into request options.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from lsp_server.session import ModelState, ModelStatus, Session, Stat
from models.model_choice import LARGE, SMALL
from models.power.battery import NO_BATTERY, BatteryReader, BatteryState, Tier, read_battery
from models.power.governor import (
    Governor,
    GovernorState,
    MeasuredCosts,
    Restrictions,
    Rung,
    WhenExhausted,
    expected_savings,
)

log = logging.getLogger(__name__)
STATE_TICK_SECONDS = 1.0


class PowerController:
    def __init__(
        self,
        session: Session,
        unload_model: Callable[[], Future[None]],
        on_change: Callable[[], None],
        read: BatteryReader = read_battery,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`session`: the settings, counters and model state it reads and counts in;
        `unload_model`: frees the model on the model thread (`ModelWorker.unload`);
        `on_change`: called on the loop when the power state a status bar shows changed."""
        self._session = session
        self._unload_model = unload_model
        self._on_change = on_change
        self._read = read
        self._clock = clock
        self.governor = Governor(clock)
        self.battery: BatteryState = NO_BATTERY
        self.tier = Tier.AC
        self.last_request_at = clock()
        self._poller: asyncio.Task[None] | None = None

    # Settings and battery.

    def budget_watts(self) -> float | None:
        power = self._session.settings.power
        return {
            Tier.AC: power.ac_max_watt_hours_per_hour,
            Tier.BATTERY: power.battery_max_watt_hours_per_hour,
            Tier.LOW_BATTERY: power.low_battery_max_watt_hours_per_hour,
        }[self.tier]

    def configure(self) -> None:
        """Apply the settings and the current tier's budget to the governor."""
        power = self._session.settings.power
        self.tier = self.battery.tier(power.low_battery_threshold_percent)
        self.governor.configure(self.budget_watts(), WhenExhausted(power.when_exhausted))

    def poll(self) -> bool:
        """Read the battery now; True when the power source or tier changed."""
        before = self.tier
        try:
            self.battery = self._read()
        except Exception:  # a broken sensor must not stop completions
            log.warning("reading the battery failed; counting as mains", exc_info=True)
            self.battery = NO_BATTERY
        self.configure()
        if self.tier is not before:
            log.info("power: %s → %s (%s)", before.value, self.tier.value, self.battery.describe())
        return self.tier is not before

    def start(self) -> None:
        """Poll the battery every `wattcode.power.batteryPollSeconds` on the loop."""
        self.poll()
        if self._poller is None:
            self._poller = asyncio.ensure_future(self._poll_forever())

    def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None

    async def _poll_forever(self) -> None:
        """Every second: has the governor's state changed on its own (a pause ended, a rung
        climbed back as the reserve refilled)? Every `batteryPollSeconds`: the battery."""
        last_poll = self._clock()
        shown = self._signature()
        while True:
            await asyncio.sleep(STATE_TICK_SECONDS)
            changed = False
            if self._clock() - last_poll >= self._session.settings.power.battery_poll_seconds:
                last_poll = self._clock()
                changed = self.poll()
                await self._unload_if_idle()
            if changed or self._signature() != shown:
                shown = self._signature()
                self._on_change()

    def _signature(self) -> tuple[object, ...]:
        """What a status bar shows of the power state."""
        state = self.state()
        return (
            self.tier,
            state.budget_watts,
            state.rung,
            state.restrictions.paused,
            state.exhausted,
        )

    # Spending and requests.

    def spend(self, joules: float) -> None:
        self.governor.spend(joules)

    def state(self) -> GovernorState:
        return self.governor.state()

    def admit(self, manual: bool) -> tuple[Stat | None, Restrictions]:
        """What the budget allows a request now: the `wattcode/stats` counter of why it is
        refused (the reason itself is in the status's `why`) or None, and the restrictions
        it runs under."""
        self.last_request_at = self._clock()
        restrictions = self.state().restrictions
        if restrictions.paused:
            return Stat.REQUESTS_REFUSED_PAUSED, restrictions
        if restrictions.manual_only and not manual:
            return Stat.REQUESTS_REFUSED_MANUAL_ONLY, restrictions
        return None, restrictions

    async def _unload_if_idle(self) -> None:
        idle_limit = self.state().restrictions.unload_after_idle_seconds
        session = self._session
        if idle_limit is None or session.model.state is not ModelState.READY:
            return
        if self._clock() - self.last_request_at < idle_limit or session.in_flight:
            return
        await asyncio.wrap_future(self._unload_model())
        session.model.state = ModelState.UNLOADED
        session.count(Stat.MODEL_UNLOADS)
        log.info("power: model unloaded after %.0f s idle (budget rung)", idle_limit)

    def status(self) -> dict[str, Any]:
        """The power part of `wattcode/status` and `wattcode/stats` (camelCase)."""
        state = self.state()
        return {
            "tier": self.tier.value,
            "battery": {"percent": self.battery.percent, "plugged": self.battery.plugged},
            "budgetWattHoursPerHour": state.budget_watts,
            "rung": int(state.rung),
            "rungName": state.rung.name.lower().replace("_", "-"),
            "rungLabel": state.rung.label,
            "paused": state.restrictions.paused,
            "exhausted": state.exhausted,
            "reserveJoules": round(state.reserve_joules, 3),
            "reserveCapacityJoules": round(state.capacity_joules, 3),
            "spentWattHoursLastHour": round(state.spent_last_hour_joules / 3600.0, 6),
            "resumesInSeconds": _rounded(state.resumes_in_seconds),
            "why": state.why,
        }

    def ladder(self) -> list[dict[str, Any]]:
        """Each rung with the joules per request it is expected to save (for `wattcode/stats`)."""
        session = self._session
        counters, ledger = session.counters, session.energy
        costs = MeasuredCosts(
            requests=counters[Stat.REQUESTS],
            joules=ledger.joules,
            cancelled_joules=max(0.0, ledger.joules - ledger.generation_joules),
            generations=ledger.generations,
            joules_per_prompt_token=ledger.joules_per_prompt_token,
            joules_per_generated_token=ledger.joules_per_generated_token,
            prompt_tokens_evaluated=ledger.prompt_tokens_evaluated,
            generated_tokens=ledger.generated_tokens,
            inside_word_requests=counters[Stat.REQUESTS_INSIDE_WORD],
            max_prompt_tokens=session.settings.context.max_prompt_tokens,
            smaller_model_share=smaller_model_share(session.model),
        )
        savings = expected_savings(costs)
        return [
            {
                "rung": int(rung),
                "name": rung.name.lower().replace("_", "-"),
                "label": rung.label,
                "savedJoulesPerRequestEstimate": savings[rung],
            }
            for rung in Rung
        ]

    def summary(self) -> str:
        """One line for hover: source, budget and what it does now."""
        state = self.state()
        source = {
            Tier.AC: "mains",
            Tier.BATTERY: "battery",
            Tier.LOW_BATTERY: "low battery",
        }[self.tier]
        if self.battery.percent is not None:
            source += f" ({self.battery.percent:.0f} %)"
        if state.budget_watts is None:
            return f"power: {source}, no budget"
        return f"power: {source}, budget {state.budget_watts:g} Wh/h · {state.why}"


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def smaller_model_share(model: ModelStatus) -> float | None:
    """The 0.5B's work per token over the loaded model's, where the `smaller-model` rung would
    swap them (the 1.5B loaded locally); None where it changes nothing. Work per token scales
    with the weights read: the files' sizes (an estimate)."""
    if model.name == LARGE.display_name and model.remote is None:
        return SMALL.size / LARGE.size
    return None
