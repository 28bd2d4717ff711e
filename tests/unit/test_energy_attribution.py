"""Attribution arithmetic, measurement windows, the session ledger and carbon."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from lsp_server.features.status import Throttle
from lsp_server.settings import parse_settings
from lsp_server.text_format import cost_markdown, energy_summary
from models.energy.attribution import (
    attributed_joules,
    cpu_share,
    idle_joules,
    idle_watts_from_gaps,
    prompt_share_joules,
    saved_joules_estimate,
    tail_joules,
)
from models.energy.carbon import (
    GRAMS_PER_KWH,
    WORLD_GRAMS_PER_KWH,
    grams_co2e,
    grid_intensity,
    watt_hours,
)
from models.energy.ledger import EnergyLedger
from models.energy.window import EnergyMonitor
from models.generation import GenerationStats


def test_cpu_share_is_bounded_and_defaults_to_all() -> None:
    assert cpu_share(1.0, 4.0) == 0.25
    assert cpu_share(1.0, 0.0) == 1.0  # nothing measured busy: the work was ours
    assert cpu_share(1.2, 1.0) == 1.0  # clock ticks disagree: never above 1
    assert cpu_share(0.0, 3.0) == 0.0


def test_machine_wide_counters_are_shared_out_device_counters_not() -> None:
    assert attributed_joules(40.0, machine_wide=True, share=0.25) == 10.0
    assert attributed_joules(40.0, machine_wide=False, share=0.25) == 40.0


def test_idle_baseline_is_the_median_trusted_gap() -> None:
    assert idle_watts_from_gaps([(100.0, 2.0), (60.0, 2.0), (1.0, 0.1)]) == 40.0
    # One counter step (13 J) early or late on 1 s gaps at 130 W: the median stays at idle,
    # where the lowest would be a step low.
    steps = [(130.0, 1.0), (117.0, 1.0), (143.0, 1.0), (130.0, 1.0), (130.0, 1.0)]
    assert idle_watts_from_gaps(steps) == 130.0
    assert idle_watts_from_gaps([(1.0, 0.5)]) is None  # too short to trust
    assert idle_joules(30.0, 0.5) == 15.0
    assert idle_joules(None, 0.5) is None


def test_prompt_share_and_saved_estimate() -> None:
    assert prompt_share_joules(2.0, 0.3, 1.2) == pytest.approx(0.5)
    assert prompt_share_joules(2.0, 0.3, 0.0) == 0.0
    assert saved_joules_estimate(100, 0.01, 3, 0.5) == pytest.approx(2.5)
    assert saved_joules_estimate(100, None, 3, None) == 0.0


@dataclass
class FakeMeter:
    label: str
    measured: bool
    machine_wide: bool
    value: float = 0.0
    update_seconds: float = 0.0

    def read_joules(self) -> float:
        return self.value


class Ticker:
    def __init__(self) -> None:
        self.value = 0.0

    def seconds(self) -> float:
        return self.value

    def __call__(self) -> float:
        return self.value


def make_monitor(*meters: FakeMeter) -> tuple[EnergyMonitor, Ticker, Ticker, Ticker]:
    cpu, busy, wall = Ticker(), Ticker(), Ticker()
    clock: Any = cpu
    return EnergyMonitor(meters, clock=clock, busy_clock=busy, now=wall), cpu, busy, wall


def test_window_shares_rapl_by_cpu_time_and_counts_gpu_whole() -> None:
    rapl = FakeMeter("RAPL package", measured=True, machine_wide=True)
    gpu = FakeMeter("NVML GPU 0", measured=True, machine_wide=False)
    monitor, cpu, busy, wall = make_monitor(rapl, gpu)
    start = monitor.begin()
    rapl.value, gpu.value = 20.0, 30.0
    cpu.value, busy.value, wall.value = 1.0, 2.0, 0.5  # another program used the other half
    window = monitor.end(start)
    assert window.share == 0.5
    assert window.by_meter == {"RAPL package": 10.0, "NVML GPU 0": 30.0}
    assert window.counter_joules == {"RAPL package": 20.0, "NVML GPU 0": 30.0}
    assert window.joules == 40.0
    assert window.method == "measured: RAPL package + measured: NVML GPU 0"
    assert window.idle_joules is None  # no idle gap seen yet


def test_idle_gaps_between_windows_give_the_baseline() -> None:
    gpu = FakeMeter("NVML GPU 0", measured=True, machine_wide=False)
    monitor, _cpu, _busy, wall = make_monitor(gpu)
    monitor.end(monitor.begin())
    wall.value, gpu.value = 10.0, 700.0  # 10 s idle at 70 W
    start = monitor.begin()
    assert monitor.idle_watts == pytest.approx(70.0)
    wall.value, gpu.value = 10.2, 740.0
    window = monitor.end(start)
    assert window.joules == pytest.approx(40.0)
    assert window.idle_joules == pytest.approx(14.0)  # beside the figure, not subtracted


def test_short_gaps_draw_above_idle_is_a_tail() -> None:
    assert tail_joules(12.0, 0.1, idle_watts=70.0) == pytest.approx(5.0)
    assert tail_joules(6.0, 0.1, idle_watts=70.0) == pytest.approx(-1.0)  # no step in it
    assert tail_joules(12.0, 0.1, idle_watts=None) == 0.0  # no floor known yet
    assert tail_joules(900.0, 10.0, idle_watts=70.0) == 0.0  # a long gap is idle, not a tail


def test_next_window_carries_the_devices_tail_not_a_machine_wide_counters() -> None:
    rapl = FakeMeter("RAPL package", measured=True, machine_wide=True)
    gpu = FakeMeter("NVML GPU 0", measured=True, machine_wide=False)
    monitor, cpu, busy, wall = make_monitor(rapl, gpu)
    monitor.end(monitor.begin())
    wall.value, gpu.value, rapl.value = 10.0, 700.0, 100.0  # 10 s idle: GPU at 70 W
    first = monitor.begin()
    wall.value, gpu.value, rapl.value = 10.2, 740.0, 104.0
    assert monitor.end(first).tail_joules == 0.0  # its gap was idle
    wall.value, gpu.value, rapl.value = 10.3, 752.0, 106.0  # 0.1 s gap: 12 J, 7 J of it idle
    second = monitor.begin()
    wall.value, gpu.value, rapl.value = 10.4, 772.0, 108.0
    cpu.value = busy.value = 1.0
    window = monitor.end(second)
    assert window.counter_joules == {"RAPL package": 2.0, "NVML GPU 0": 20.0}
    assert window.by_meter == {"RAPL package": 2.0, "NVML GPU 0": pytest.approx(25.0)}
    assert window.tail_joules == pytest.approx(5.0)
    assert window.seconds == pytest.approx(0.1)  # the tail adds energy, not window time
    ledger = EnergyLedger()
    ledger.add_window(window)
    assert ledger.tail_joules == pytest.approx(5.0)
    assert ledger.joules == pytest.approx(27.0)


def test_tails_below_idle_offset_later_ones_and_never_make_a_window_negative() -> None:
    gpu = FakeMeter("NVML GPU 0", measured=True, machine_wide=False)
    monitor, _cpu, _busy, wall = make_monitor(gpu)
    monitor.end(monitor.begin())
    wall.value, gpu.value = 10.0, 1000.0  # 100 W idle
    tails = []
    # 0.1 s gaps and windows; the counter steps (10 J) in every other gap, never in a window:
    # each gap reads 0 or 20 J against 10 J of idle, so the tails are -10, +10, -10, +10.
    for step in range(4):
        start = monitor.begin()
        wall.value += 0.1
        tails.append(monitor.end(start).tail_joules)
        wall.value += 0.1
        gpu.value += 20.0 if step % 2 == 0 else 0.0
        assert monitor.idle_watts == pytest.approx(100.0)  # short gaps leave the floor alone
    # The first gap's +10 J goes to the second window; the second gap's -10 J is carried and
    # cancels the third's +10 J, which a clipped tail would have charged a second time.
    assert tails == pytest.approx([0.0, 10.0, 0.0, 0.0])
    start = monitor.begin()  # the fourth gap read 0 J: 10 J below idle, carried
    wall.value += 0.1
    assert monitor.end(start).tail_joules == 0.0
    assert monitor._tails["NVML GPU 0"] == pytest.approx(-10.0)


class PowerClock:
    """A GPU drawing 100 W: time passes while anything is read (a /proc scan costs 1 ms)."""

    def __init__(self) -> None:
        self.now = 0.0

    def seconds(self) -> float:
        self.now += 0.001
        return self.now

    def read_joules(self) -> float:
        self.now += 0.003  # an NVML read takes milliseconds too
        return 100.0 * self.now


def test_back_to_back_windows_tile_the_counter() -> None:
    """The counters bracket everything else a window reads, so windows that follow each
    other account for the whole counter, their own bookkeeping included; and a window's time
    is the counter's interval, so its idle share is reckoned on the right time."""
    power = PowerClock()
    gpu: Any = FakeMeter("NVML GPU 0", measured=True, machine_wide=False)
    gpu.read_joules = power.read_joules
    clock: Any = power
    monitor = EnergyMonitor([gpu], clock=clock, busy_clock=power.seconds, now=lambda: power.now)
    started = power.now
    total, seconds = 0.0, 0.0
    for _ in range(5):
        start = monitor.begin()
        power.now += 0.007  # a 7 ms generation
        window = monitor.end(start)
        total += window.counter_joules["NVML GPU 0"]
        seconds += window.seconds
    # The counter's energy and the window's time cover the same span: the idle share
    # (idle watts x time) is reckoned on the time the counter covered.
    assert total == pytest.approx(100.0 * seconds, rel=0.01)
    # Everything between the windows is the reads' own halves: no /proc scan falls outside.
    assert total == pytest.approx(100.0 * (power.now - started - 5 * 0.003), rel=0.01)


def test_estimates_have_no_idle_baseline() -> None:
    model = FakeMeter("CPU time × 7.5 W/core", measured=False, machine_wide=False)
    monitor, _cpu, _busy, wall = make_monitor(model)
    monitor.end(monitor.begin())
    wall.value = 5.0
    monitor.begin()
    assert monitor.idle_watts is None
    assert monitor.method == "estimated: CPU time × 7.5 W/core"


def test_ledger_totals_and_per_token_cost() -> None:
    gpu = FakeMeter("NVML GPU 0", measured=True, machine_wide=False)
    monitor, _cpu, _busy, wall = make_monitor(gpu)
    ledger = EnergyLedger()
    start = monitor.begin()
    gpu.value, wall.value = 2.0, 1.0
    window = monitor.end(start)
    ledger.add_window(window)
    ledger.add_finished(
        window, prompt_tokens=10, generated_tokens=4, prompt_seconds=0.5, total_seconds=1.0
    )
    cancelled = monitor.begin()
    gpu.value = 3.0
    ledger.add_window(monitor.end(cancelled))  # cancelled work costs too
    assert ledger.joules == pytest.approx(3.0)
    assert ledger.joules_per_prompt_token == pytest.approx(0.1)
    assert ledger.joules_per_generation == pytest.approx(2.0)
    assert ledger.saved_estimate(reused_prompt_tokens=50, cache_hits=2) == pytest.approx(9.0)
    assert ledger.joules_per_accepted_char is None
    ledger.add_accepted(30)
    assert ledger.joules_per_accepted_char == pytest.approx(0.1)


def test_carbon_from_setting_country_or_world() -> None:
    assert grid_intensity(100.0, "FR").grams_per_kwh == 100.0  # the user's figure wins
    assert grid_intensity(None, "fr").grams_per_kwh == GRAMS_PER_KWH["FR"]
    assert grid_intensity(None, None).grams_per_kwh == WORLD_GRAMS_PER_KWH
    assert grams_co2e(3.6e6, grid_intensity(369.0, None)) == pytest.approx(369.0)
    assert watt_hours(3600.0) == 1.0
    assert len(GRAMS_PER_KWH) >= 30
    assert all(len(code) == 2 and code.isupper() for code in GRAMS_PER_KWH)


def test_carbon_settings_validate_each_value() -> None:
    parsed = parse_settings({"wattcode": {"carbon": {"country": "se", "gramsPerKwh": 50}}})
    assert parsed.settings.carbon.country == "se"
    assert parsed.settings.carbon.grams_per_kwh == 50.0
    bad = parse_settings({"wattcode.carbon.country": "Narnia", "wattcode.carbon.gramsPerKwh": -1})
    assert bad.settings.carbon.country is None
    assert bad.settings.carbon.grams_per_kwh is None
    assert len(bad.problems) == 2
    assert any("ISO 3166" in p and "'Narnia'" in p for p in bad.problems)
    assert parse_settings({"wattcode.carbon.country": 33}).problems


def test_hover_text_carries_energy_tokens_time_and_method() -> None:
    gpu = FakeMeter("NVML GPU 0", measured=True, machine_wide=False)
    monitor, _cpu, _busy, wall = make_monitor(gpu)
    start = monitor.begin()
    gpu.value, wall.value = 0.42, 0.18
    window = monitor.end(start)
    stats = GenerationStats(826, 812, 14, 9, 0.05, 0.18, 0.3, "finished")
    text = cost_markdown(stats, window, grid_intensity(None, "US"))
    summary = text.splitlines()[2]
    assert summary == (
        "≈0.42 J (0.12 mWh, 0.043 mgCO2e) · 14 new / 812 reused prompt tokens · 9 generated"
        " · 180 ms · measured: NVML GPU 0"
    )
    assert "369 gCO2e/kWh (OWID 2023 (US))" in text


def test_energy_summary_scales_units() -> None:
    grid = grid_intensity(480.0, None)
    assert energy_summary(7200.0, grid) == "≈7200 J (2.0 Wh, 0.96 gCO2e)"
    assert energy_summary(0.0, grid) == "≈0 J (0 Wh, 0 gCO2e)"


async def test_status_throttle_sends_first_at_once_then_one_trailing() -> None:
    sent: list[float] = []
    loop = asyncio.get_running_loop()
    throttle = Throttle(lambda: sent.append(loop.time()), interval=0.2)
    throttle.request()
    assert len(sent) == 1
    for _ in range(5):
        throttle.request()
    assert len(sent) == 1  # held back, one trailing call due
    await asyncio.sleep(0.3)
    assert len(sent) == 2
    assert sent[1] - sent[0] >= 0.19
