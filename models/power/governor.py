"""The power governor: an energy reserve that the budget refills and suggestions drain, and a
ladder of cheaper behaviour chosen by how full the reserve is.

A budget of W watt-hours per hour is an average power of W watts. The reserve holds
`RESERVE_SECONDS` of that budget and starts full; every joule spent (suggestions, cancelled work,
model loads) is taken out of it, and it refills at the budget's rate. As it empties the governor
steps down the ladder, one rung per equal slice of the reserve, and climbs back as it refills
(with a little hysteresis, so that one suggestion does not flip a rung back and forth). When it
is empty, `whenExhausted` decides: `eco` keeps the cheapest automatic rung and lets a request
run only when the reserve holds what one costs, `manual-only` serves only explicit requests, and
`pause` serves nothing until the reserve is back at `RESUME_FRACTION`. Over any long stretch the
energy spent is then at most the budget times the time, plus one reserve (plus the manual
requests that `manual-only` always serves).

A budget change (settings, plug, unplug) keeps what the reserve lacks of full in joules, not
its fraction (`reserve_after_change`): a raise lends the larger reserve's extra room at once,
so service resumes as soon as that covers what was owed, and a lowering takes room away at
once but never turns a positive reserve into debt. A debt is owed in joules, never rescaled by
the new budget. Over a stretch from t0 to t1 the energy is then at most the integral of the
budget in force, plus the reserve at t0, plus each raise's extra reserve, plus the debt at t1
(what the last request overspent): a lowering only ever tightens the bound.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum, IntEnum
from math import ceil

RESERVE_SECONDS = 30.0
"""The reserve's size as seconds of the budget: room for a burst of typing, small enough that
a budget shows within a minute."""
HYSTERESIS = 0.05
RESUME_FRACTION = 0.25
"""`pause` resumes once the reserve is a quarter full again, not at the first joule back."""

LONGER_DEBOUNCE_SECONDS = 0.3
SHORT_MAX_TOKENS = 16
SMALL_CONTEXT_TOKENS = 256
UNLOAD_IDLE_SECONDS = 120.0


class Rung(IntEnum):
    FULL = 0
    LONGER_DEBOUNCE = 1
    NO_BACKGROUND_WORK = 2
    SMALLER_MODEL = 3
    SHORT_SUGGESTIONS = 4
    SMALL_CONTEXT = 5
    SKIP_LOW_VALUE = 6
    MANUAL_ONLY = 7
    UNLOAD_WHEN_IDLE = 8

    @property
    def label(self) -> str:
        return RUNG_LABELS[self]


RUNG_LABELS = {
    Rung.FULL: "full service",
    Rung.LONGER_DEBOUNCE: f"wait {LONGER_DEBOUNCE_SECONDS * 1000:.0f} ms after a keystroke",
    Rung.NO_BACKGROUND_WORK: "no background work",
    Rung.SMALLER_MODEL: "the embedded 0.5B answers where the 1.5B is loaded",
    Rung.SHORT_SUGGESTIONS: f"single lines of at most {SHORT_MAX_TOKENS} tokens",
    Rung.SMALL_CONTEXT: f"prompts of at most {SMALL_CONTEXT_TOKENS} tokens",
    Rung.SKIP_LOW_VALUE: "only requests at the end of a word or line",
    Rung.MANUAL_ONLY: "only requests you trigger",
    Rung.UNLOAD_WHEN_IDLE: f"model unloaded after {UNLOAD_IDLE_SECONDS:.0f} s idle",
}


class WhenExhausted(Enum):
    ECO = "eco"
    MANUAL_ONLY = "manual-only"
    PAUSE = "pause"

    @property
    def top_rung(self) -> Rung:
        """The last rung stepped down to before the reserve is empty."""
        return Rung.SKIP_LOW_VALUE if self is WhenExhausted.ECO else Rung.UNLOAD_WHEN_IDLE


@dataclass(frozen=True)
class Restrictions:
    """What a rung allows; each rung keeps the restrictions of the rungs before it."""

    rung: Rung = Rung.FULL
    debounce_seconds: float = 0.0
    background_work: bool = True
    smaller_model: bool = False
    """The embedded 0.5B answers instead of a loaded 1.5B (lsp_server/smaller_model.py)."""
    single_line: bool = False
    max_tokens: int | None = None
    max_prompt_tokens: int | None = None
    skip_low_value: bool = False
    manual_only: bool = False
    unload_after_idle_seconds: float | None = None
    paused: bool = False
    """No generation at all, manual requests included."""


def restrictions_for(rung: Rung) -> Restrictions:
    return Restrictions(
        rung=rung,
        debounce_seconds=LONGER_DEBOUNCE_SECONDS if rung >= Rung.LONGER_DEBOUNCE else 0.0,
        background_work=rung < Rung.NO_BACKGROUND_WORK,
        smaller_model=rung >= Rung.SMALLER_MODEL,
        single_line=rung >= Rung.SHORT_SUGGESTIONS,
        max_tokens=SHORT_MAX_TOKENS if rung >= Rung.SHORT_SUGGESTIONS else None,
        max_prompt_tokens=SMALL_CONTEXT_TOKENS if rung >= Rung.SMALL_CONTEXT else None,
        skip_low_value=rung >= Rung.SKIP_LOW_VALUE,
        manual_only=rung >= Rung.MANUAL_ONLY,
        unload_after_idle_seconds=UNLOAD_IDLE_SECONDS if rung >= Rung.UNLOAD_WHEN_IDLE else None,
    )


def rung_for(fraction: float, top: Rung) -> Rung:
    """The rung for a reserve `fraction` full: equal slices of the reserve, one per rung."""
    steps = int(top) + 1
    rung = int((1.0 - max(0.0, min(1.0, fraction))) * steps)
    return Rung(min(rung, int(top)))


def reserve_after_change(level: float, capacity: float, new_capacity: float) -> float:
    """The reserve in joules after the budget's reserve changes from `capacity` to
    `new_capacity`: what it lacked of full is kept in joules (a raise adds the extra room, a
    lowering removes it), but a lowering never makes a positive reserve a debt nor deepens one,
    so that unplugging does not cost more than the reserve it had."""
    moved = level + (new_capacity - capacity)
    if new_capacity >= capacity:
        return moved
    return max(moved, min(level, 0.0))


@dataclass(frozen=True)
class GovernorState:
    budget_watts: float | None
    """The average power allowed (W = Wh per hour); None: no limit."""
    rung: Rung
    restrictions: Restrictions
    reserve_joules: float
    capacity_joules: float
    exhausted: bool
    spent_last_hour_joules: float
    why: str
    resumes_in_seconds: float | None = None
    """While automatic requests are refused: the seconds until the budget's refill lets them
    run again (requests and budget changes aside); None while they run."""

    @property
    def reserve_fraction(self) -> float | None:
        return self.reserve_joules / self.capacity_joules if self.capacity_joules else None


class Governor:
    """Owned by the server's event loop; `clock` is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._budget_watts: float | None = None
        self._mode = WhenExhausted.ECO
        self._capacity = 0.0
        self._level = 0.0
        self._updated = clock()
        self._rung = Rung.FULL
        self._paused = False
        self._settle = False
        """A budget was raised or set: the next step takes the new level's rung at once."""
        self._spending: deque[tuple[float, float]] = deque()
        self._spent_last_hour = 0.0

    def configure(self, budget_watts: float | None, mode: WhenExhausted) -> None:
        """Apply a budget (settings, plug/unplug) and a `whenExhausted` mode; a changed budget
        moves the reserve by `reserve_after_change`, and a budget newly in force starts full."""
        self._refill()
        self._mode = mode
        if budget_watts == self._budget_watts:
            return
        capacity = budget_watts * RESERVE_SECONDS if budget_watts else 0.0
        if budget_watts is None:
            self._level, self._rung, self._paused = 0.0, Rung.FULL, False
        elif self._budget_watts is None:
            self._level = capacity
            self._settle = True
        else:
            self._settle = capacity > self._capacity
            self._level = reserve_after_change(self._level, self._capacity, capacity)
        self._budget_watts = budget_watts
        self._capacity = capacity

    def spend(self, joules: float) -> None:
        if joules <= 0:
            return
        self._refill()
        now = self._clock()
        # One entry per second at most, with a running total: the last hour stays small and
        # cheap to sum however many requests it saw (a typing storm makes thousands).
        if self._spending and now - self._spending[-1][0] < 1.0:
            at, earlier = self._spending.pop()
            self._spending.append((at, earlier + joules))
        else:
            self._spending.append((now, joules))
        self._spent_last_hour += joules
        if self._budget_watts is not None:
            # Spending past empty is owed in full (the reserve goes negative), so the energy
            # over any stretch stays within budget * time + one reserve + the last request.
            self._level -= joules

    def state(self) -> GovernorState:
        self._refill()
        now = self._clock()
        while self._spending and self._spending[0][0] < now - 3600.0:
            self._spent_last_hour -= self._spending.popleft()[1]
        spent = max(0.0, self._spent_last_hour)
        if self._budget_watts is None:
            return GovernorState(
                None, Rung.FULL, Restrictions(), 0.0, 0.0, False, spent, "no power budget"
            )
        fraction = self._level / self._capacity
        self._step(fraction)
        exhausted = self._level <= 0.0
        restrictions = restrictions_for(self._rung)
        if self._paused:
            restrictions = replace(restrictions, paused=True)
        elif exhausted:
            # `eco` with an empty reserve: an automatic request runs again as soon as the
            # reserve has refilled past zero, so suggestions come as often as the budget allows.
            restrictions = replace(restrictions, manual_only=True)
        at = self._automatic_at(restrictions)
        resumes = None if at is None else max(0.0, at * self._capacity - self._level)
        resumes_in = None if resumes is None else resumes / self._budget_watts
        return GovernorState(
            self._budget_watts,
            self._rung,
            restrictions,
            self._level,
            self._capacity,
            exhausted,
            spent,
            self._why(fraction, exhausted, resumes_in),
            resumes_in,
        )

    def _step(self, fraction: float) -> None:
        top = self._mode.top_rung
        target = rung_for(fraction, top)
        if self._settle:
            # The user (or the mains) asked for more: no hysteresis, no wait for a quarter.
            self._settle = False
            self._paused = self._mode is WhenExhausted.PAUSE and fraction <= 0.0
            self._rung = target
            return
        if self._mode is WhenExhausted.PAUSE:
            if fraction <= 0.0:
                self._paused = True
            elif self._paused and fraction >= RESUME_FRACTION:
                self._paused = False
        else:
            self._paused = False
        if target > self._rung:
            self._rung = target
        else:
            # Climb back only once the reserve is clearly above the rung's slice.
            self._rung = max(target, min(self._rung, rung_for(fraction - HYSTERESIS, top)))

    def _automatic_at(self, restrictions: Restrictions) -> float | None:
        """The reserve fraction past which automatic requests run again; None when they do."""
        if not (restrictions.paused or restrictions.manual_only):
            return None
        floor = RESUME_FRACTION if restrictions.paused else 0.0
        if self._rung < Rung.MANUAL_ONLY:
            return floor
        # Climbing from `manual-only` to the rung below needs its slice plus the hysteresis.
        steps = int(self._mode.top_rung) + 1
        return max(floor, 1.0 - int(Rung.MANUAL_ONLY) / steps + HYSTERESIS)

    def _why(self, fraction: float, exhausted: bool, resumes_in: float | None) -> str:
        reserve = f"reserve {max(fraction, 0.0):.0%} of {self._capacity:.3g} J"
        if self._level < 0.0:
            reserve += f", {-self._level:.3g} J owed"
        again = "" if resumes_in is None else f", suggestions again in {ceil(resumes_in)} s"
        if self._paused:
            return (
                f"budget spent: paused until the reserve is {RESUME_FRACTION:.0%} full"
                f"{again} ({reserve})"
            )
        if exhausted:
            return f"budget spent: {self._mode.value}{again} ({reserve})"
        if self._rung is Rung.FULL:
            return f"within budget ({reserve})"
        return f"saving power: {self._rung.label}{again} ({reserve})"

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        if self._budget_watts is not None:
            self._level = min(self._capacity, self._level + elapsed * self._budget_watts)


@dataclass(frozen=True)
class MeasuredCosts:
    """This session's measured costs, per request that reached the suggestion path."""

    requests: float
    joules: float
    """Every generation's energy, cancelled ones included."""
    cancelled_joules: float
    generations: int
    joules_per_prompt_token: float | None
    joules_per_generated_token: float | None
    prompt_tokens_evaluated: float
    generated_tokens: float
    inside_word_requests: float
    """Requests typed inside a word: what the `skip low-value` rung would refuse."""
    max_prompt_tokens: int
    smaller_model_share: float | None = None
    """The 0.5B's work per token over the loaded model's, where the `smaller-model` rung
    would swap them (the 1.5B loaded); None where it changes nothing."""


def expected_savings(costs: MeasuredCosts) -> dict[Rung, float | None]:
    """Joules per request that each rung saves on top of the rungs before it, estimated from
    the measured per-token costs; None until there is something to estimate from."""
    if not costs.requests or not costs.generations:
        return dict.fromkeys(Rung)
    per_request = costs.generations / costs.requests
    per_prompt = costs.joules_per_prompt_token or 0.0
    per_generated = costs.joules_per_generated_token or 0.0
    generated = costs.generated_tokens / costs.generations
    prompt = costs.prompt_tokens_evaluated / costs.generations
    context_cut = max(0.0, 1.0 - SMALL_CONTEXT_TOKENS / costs.max_prompt_tokens)
    return {
        Rung.FULL: 0.0,
        # A request superseded while it waits never starts: what cancelled work cost.
        Rung.LONGER_DEBOUNCE: costs.cancelled_joules / costs.requests,
        Rung.NO_BACKGROUND_WORK: 0.0,  # wattcode runs no speculative work yet
        Rung.SMALLER_MODEL: (1.0 - costs.smaller_model_share) * costs.joules / costs.requests
        if costs.smaller_model_share is not None
        else 0.0,
        Rung.SHORT_SUGGESTIONS: max(0.0, generated - SHORT_MAX_TOKENS)
        * per_generated
        * per_request,
        Rung.SMALL_CONTEXT: prompt * context_cut * per_prompt * per_request,
        Rung.SKIP_LOW_VALUE: costs.inside_word_requests
        / costs.requests
        * (costs.joules / costs.generations),
        Rung.MANUAL_ONLY: costs.joules / costs.requests,
        Rung.UNLOAD_WHEN_IDLE: 0.0,  # saves memory; each wake costs a model load
    }
