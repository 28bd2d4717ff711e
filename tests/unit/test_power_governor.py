"""The governor over simulated spending: a fake clock, joules taken out by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from models.power.governor import (
    RESERVE_SECONDS,
    RESUME_FRACTION,
    Governor,
    MeasuredCosts,
    Rung,
    WhenExhausted,
    expected_savings,
    restrictions_for,
    rung_for,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def governor(
    watts: float | None, mode: WhenExhausted = WhenExhausted.ECO
) -> tuple[Governor, Clock]:
    clock = Clock()
    g = Governor(clock)
    g.configure(watts, mode)
    return g, clock


def test_no_budget_means_full_service_whatever_is_spent() -> None:
    g, _ = governor(None)
    g.spend(1e6)
    state = g.state()
    assert state.rung is Rung.FULL and not state.exhausted and not state.restrictions.manual_only
    assert state.spent_last_hour_joules == 1e6


def test_rungs_are_equal_slices_of_the_reserve() -> None:
    assert rung_for(1.0, Rung.SKIP_LOW_VALUE) is Rung.FULL
    assert rung_for(0.5, Rung.SKIP_LOW_VALUE) is Rung.SMALLER_MODEL
    assert rung_for(0.4, Rung.SKIP_LOW_VALUE) is Rung.SHORT_SUGGESTIONS
    assert rung_for(0.01, Rung.SKIP_LOW_VALUE) is Rung.SKIP_LOW_VALUE
    assert rung_for(-3.0, Rung.UNLOAD_WHEN_IDLE) is Rung.UNLOAD_WHEN_IDLE
    assert rung_for(0.2, Rung.UNLOAD_WHEN_IDLE) is Rung.MANUAL_ONLY


def test_each_rung_keeps_the_restrictions_of_the_ones_before() -> None:
    previous = restrictions_for(Rung.FULL)
    assert previous.debounce_seconds == 0 and previous.max_tokens is None
    for rung in list(Rung)[1:]:
        current = restrictions_for(rung)
        assert current.debounce_seconds >= previous.debounce_seconds
        assert current.single_line >= previous.single_line
        assert current.skip_low_value >= previous.skip_low_value
        assert current.manual_only >= previous.manual_only
        previous = current
    assert previous.unload_after_idle_seconds is not None


def test_spending_steps_down_and_refilling_climbs_back() -> None:
    g, clock = governor(1.0)  # 1 W: a 30 J reserve
    capacity = RESERVE_SECONDS * 1.0
    assert g.state().capacity_joules == capacity
    g.spend(capacity * 0.5)
    assert g.state().rung is Rung.SMALLER_MODEL
    g.spend(capacity * 0.12)
    assert g.state().rung is Rung.SHORT_SUGGESTIONS
    g.spend(capacity * 0.37)
    assert g.state().rung is Rung.SKIP_LOW_VALUE
    clock.now += capacity  # the budget refills the whole reserve
    assert g.state().rung is Rung.FULL


def test_climbing_back_needs_a_margin() -> None:
    g, clock = governor(1.0)
    g.spend(30 * 0.2)  # 80 % left: rung 1 under eco's seven slices
    assert g.state().rung is Rung.LONGER_DEBOUNCE
    clock.now += 30 * 0.06  # 86 %: back in rung 0's slice (above 6/7), within the hysteresis
    assert g.state().rung is Rung.LONGER_DEBOUNCE
    clock.now += 30 * 0.05
    assert g.state().rung is Rung.FULL


def test_eco_when_exhausted_lets_automatic_requests_through_as_the_reserve_refills() -> None:
    g, clock = governor(1.0)
    g.spend(31.0)
    state = g.state()
    assert state.exhausted and state.restrictions.manual_only and not state.restrictions.paused
    clock.now += 2.0  # owes 1 J, refills 2 J: 1 J in the reserve
    state = g.state()
    assert not state.exhausted and not state.restrictions.manual_only
    assert state.rung is Rung.SKIP_LOW_VALUE


def test_pause_serves_nothing_until_a_quarter_is_back() -> None:
    g, clock = governor(2.0, WhenExhausted.PAUSE)
    g.spend(60.0)
    assert g.state().restrictions.paused
    clock.now += 60.0 * RESUME_FRACTION / 2.0 - 1.0
    assert g.state().restrictions.paused
    clock.now += 1.0
    state = g.state()
    assert not state.restrictions.paused and state.restrictions.manual_only  # still rung 7


def test_manual_only_mode_ends_on_manual_only_and_unload() -> None:
    g, _ = governor(1.0, WhenExhausted.MANUAL_ONLY)
    g.spend(30.0)
    state = g.state()
    assert state.rung is Rung.UNLOAD_WHEN_IDLE and state.restrictions.manual_only
    assert not state.restrictions.paused


def test_debt_is_repaid_so_the_long_run_average_holds() -> None:
    """Whatever the spending pattern, the energy over a stretch is at most the budget times
    the time plus one reserve plus the last request, when requests run only while the
    governor allows them."""
    watts = 0.5
    g, clock = governor(watts)
    spent = 0.0
    for _ in range(2000):
        clock.now += 0.1
        if not g.state().restrictions.manual_only:
            g.spend(1.5)
            spent += 1.5
    elapsed = 2000 * 0.1
    assert spent <= watts * elapsed + RESERVE_SECONDS * watts + 1.5
    assert spent >= watts * elapsed * 0.9  # and the budget is used, not wasted


def test_a_new_budget_keeps_what_the_reserve_lacked_in_joules() -> None:
    g, _ = governor(1.0)
    g.spend(15.0)
    g.configure(4.0, WhenExhausted.ECO)
    state = g.state()
    assert state.capacity_joules == pytest.approx(120.0)
    assert state.reserve_joules == pytest.approx(105.0)
    assert state.rung is Rung.FULL  # a raise takes the new level's rung with no hysteresis


@pytest.mark.parametrize("mode", [WhenExhausted.PAUSE, WhenExhausted.MANUAL_ONLY])
def test_a_raised_budget_turns_a_debt_into_room_at_once(mode: WhenExhausted) -> None:
    """The issue's case: a 0.3 J reserve, one 30 J suggestion, then 1000 Wh/h."""
    g, _ = governor(0.01, mode)
    g.spend(30.0)
    assert g.state().restrictions.manual_only
    g.configure(1000.0, mode)
    state = g.state()
    assert state.reserve_joules == pytest.approx(30_000.0 - 30.0)
    assert not state.restrictions.paused and not state.restrictions.manual_only
    assert state.resumes_in_seconds is None


def test_a_raise_smaller_than_the_debt_still_owes_the_rest_in_joules() -> None:
    g, clock = governor(0.01, WhenExhausted.PAUSE)
    g.spend(60.3)  # 60 J owed
    g.configure(1.0, WhenExhausted.PAUSE)  # 29.7 J more room: 30.3 J still owed
    state = g.state()
    assert state.reserve_joules == pytest.approx(-30.3) and state.restrictions.paused
    # Back to automatic service above manual-only's slice (2/9 of the reserve) plus the
    # hysteresis: 30.3 J + 8.17 J at 1 W.
    assert state.resumes_in_seconds == pytest.approx(30.3 + 30 * (2 / 9 + 0.05))
    clock.now += 39.4
    assert not g.state().restrictions.manual_only


def test_removing_the_budget_resumes_at_once() -> None:
    g, _ = governor(0.01, WhenExhausted.PAUSE)
    g.spend(30.0)
    g.configure(None, WhenExhausted.PAUSE)
    state = g.state()
    assert not state.restrictions.paused and not state.restrictions.manual_only
    g.configure(0.01, WhenExhausted.PAUSE)  # a budget in force again starts full
    assert g.state().reserve_fraction == pytest.approx(1.0)


def test_a_lowered_budget_restricts_at_once_but_makes_no_new_debt() -> None:
    g, _ = governor(10.0, WhenExhausted.PAUSE)  # 300 J
    g.spend(100.0)
    g.configure(4.0, WhenExhausted.PAUSE)  # 120 J: 100 J lacking leaves 20 J
    assert g.state().reserve_joules == pytest.approx(20.0)
    g.configure(1.0, WhenExhausted.PAUSE)  # 30 J: 110 J lacking, but no debt made
    state = g.state()
    assert state.reserve_joules == pytest.approx(0.0) and state.restrictions.paused


def test_a_debt_is_kept_in_joules_when_the_budget_is_lowered() -> None:
    g, _ = governor(10.0)
    g.spend(310.0)
    g.configure(1.0, WhenExhausted.ECO)
    state = g.state()
    assert state.reserve_joules == pytest.approx(-10.0)
    assert state.resumes_in_seconds == pytest.approx(10.0)


def test_paused_state_says_when_suggestions_come_back() -> None:
    g, clock = governor(2.0, WhenExhausted.PAUSE)  # 60 J
    g.spend(60.0)
    state = g.state()
    # Automatic requests need 27.2 %: the pause ends at 25 %, manual-only's slice at 2/9 plus
    # the hysteresis.
    assert state.resumes_in_seconds == pytest.approx(60 * (2 / 9 + 0.05) / 2.0)
    assert "paused" in state.why and "suggestions again in 9 s" in state.why
    clock.now += 9.01
    state = g.state()
    assert not state.restrictions.manual_only and state.resumes_in_seconds is None


def _allowance(
    changes: list[tuple[float, float]], start: float, end: float, reserve_at_start: float
) -> float:
    """The bound from `start` to `end`: the integral of the budget in force, the reserve at
    `start`, and each raise's extra reserve (the last request's overspend is added by the
    caller)."""
    total, raises = reserve_at_start, 0.0
    for i, (at, watts) in enumerate(changes):
        until = changes[i + 1][0] if i + 1 < len(changes) else end
        total += watts * max(0.0, min(until, end) - max(at, start))
        if i and start < at <= end and watts > changes[i - 1][1]:
            raises += (watts - changes[i - 1][1]) * RESERVE_SECONDS
    return total + raises


@pytest.mark.parametrize("mode", list(WhenExhausted))
def test_the_bound_holds_across_budget_changes(mode: WhenExhausted) -> None:
    """Plugging and unplugging every few seconds while requests run whenever the governor
    allows them: over every stretch, the energy stays within the bound of the module
    docstring (manual requests are not sent, so `manual-only` is bound too)."""
    budgets = [0.5, 0.05, 2.0, 0.01, 1.0, 0.2]
    g, clock = governor(budgets[0], mode)
    changes = [(clock.now, budgets[0])]
    spends: list[tuple[float, float]] = []
    reserves = {clock.now: g.state().reserve_joules}
    cost = 1.5
    for step in range(3000):
        clock.now += 0.1
        if step % 70 == 69:
            watts = budgets[(step // 70) % len(budgets)]
            g.configure(watts, mode)
            changes.append((clock.now, watts))
        state = g.state()
        reserves[clock.now] = state.reserve_joules
        if not state.restrictions.manual_only and not state.restrictions.paused:
            g.spend(cost)
            spends.append((clock.now, cost))
    end = clock.now
    for start in sorted(reserves)[::97]:
        spent = sum(j for at, j in spends if at >= start)
        allowed = _allowance(changes, start, end, max(reserves[start], 0.0))
        assert spent <= allowed + cost + 1e-9, (start, spent, allowed)
    assert sum(j for _, j in spends) >= 0.5 * _allowance(changes, changes[0][0], end, 0.0)


def test_spending_older_than_an_hour_is_forgotten() -> None:
    g, clock = governor(None)
    g.spend(10.0)
    clock.now += 3601
    g.spend(1.0)
    assert g.state().spent_last_hour_joules == 1.0


def test_one_costly_request_is_owed_in_full() -> None:
    """A request dearer than the whole reserve is not partly forgiven: the governor waits
    until time has paid it back."""
    watts = 1.0
    g, clock = governor(watts)
    g.spend(3 * RESERVE_SECONDS * watts)  # three reserves in one go
    clock.now += 1.5 * RESERVE_SECONDS  # half full, had the debt been capped at one reserve
    assert g.state().restrictions.manual_only and g.state().reserve_fraction < 0
    clock.now += 2 * RESERVE_SECONDS
    assert not g.state().restrictions.manual_only


def test_a_typing_storm_keeps_the_hour_small() -> None:
    """Thousands of requests a minute are kept as one entry per second, and the hour's total
    stays exact as entries expire."""
    g, clock = governor(None)
    for _ in range(6000):
        clock.now += 0.01
        g.spend(0.5)
    assert len(g._spending) <= 61
    assert g.state().spent_last_hour_joules == pytest.approx(3000.0)
    clock.now += 3600 - 30  # the first half minute's entries are now older than an hour
    assert g.state().spent_last_hour_joules == pytest.approx(1500.0, rel=0.02)


def test_the_smaller_model_rung_saves_what_the_0_5b_does_not_spend() -> None:
    assert restrictions_for(Rung.SMALLER_MODEL).smaller_model
    assert not restrictions_for(Rung.NO_BACKGROUND_WORK).smaller_model
    assert restrictions_for(Rung.MANUAL_ONLY).smaller_model  # kept by every rung above it
    costs = MeasuredCosts(
        requests=10,
        joules=20.0,
        cancelled_joules=0.0,
        generations=10,
        joules_per_prompt_token=0.01,
        joules_per_generated_token=0.1,
        prompt_tokens_evaluated=500,
        generated_tokens=80,
        inside_word_requests=2,
        max_prompt_tokens=1024,
        smaller_model_share=0.44,
    )
    assert expected_savings(costs)[Rung.SMALLER_MODEL] == pytest.approx(0.56 * 2.0)
    assert expected_savings(replace(costs, smaller_model_share=None))[Rung.SMALLER_MODEL] == 0.0
