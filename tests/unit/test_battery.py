"""The battery reading and its tiers, with psutil's answer faked."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import pytest

from models.power import battery
from models.power.battery import NO_BATTERY, BatteryState, Tier, read_battery

Sensor = namedtuple("Sensor", "percent secsleft power_plugged")


def fake(monkeypatch: pytest.MonkeyPatch, answer: Any) -> None:
    def sensors_battery() -> Any:
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(battery.psutil, "sensors_battery", sensors_battery)


def test_no_battery_counts_as_mains(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, None)
    assert read_battery() == NO_BATTERY
    assert NO_BATTERY.tier(20) is Tier.AC


def test_an_unreadable_battery_counts_as_mains(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, OSError("no /sys/class/power_supply"))
    assert read_battery() == NO_BATTERY


@pytest.mark.parametrize(
    ("percent", "plugged", "tier"),
    [
        (90, True, Tier.AC),
        (10, True, Tier.AC),  # charging at 10 %: mains
        (90, False, Tier.BATTERY),
        (21, False, Tier.BATTERY),
        (20, False, Tier.LOW_BATTERY),
        (3, None, Tier.LOW_BATTERY),  # the OS cannot tell: never mistaken for mains
    ],
)
def test_tiers(monkeypatch: pytest.MonkeyPatch, percent: float, plugged: Any, tier: Tier) -> None:
    fake(monkeypatch, Sensor(percent, -1, plugged))
    state = read_battery()
    assert state.tier(20) is tier
    assert str(round(percent)) in state.describe()


def test_describe_says_what_it_is() -> None:
    assert BatteryState(55.4, False).describe() == "battery 55 %, unplugged"
    assert "no battery" in NO_BATTERY.describe()
