"""Where the power comes from: mains, battery, or a battery running low.

psutil reads `/sys/class/power_supply` (Linux), IOKit (macOS) or the Win32 power status: a cheap
call, polled every few seconds by the server. A machine without a battery, or one whose battery
psutil cannot read, counts as on mains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import psutil


class Tier(Enum):
    AC = "ac"
    BATTERY = "battery"
    LOW_BATTERY = "lowBattery"


@dataclass(frozen=True)
class BatteryState:
    percent: float | None
    """None on a machine without a battery."""
    plugged: bool

    def tier(self, low_threshold_percent: float) -> Tier:
        if self.plugged or self.percent is None:
            return Tier.AC
        if self.percent <= low_threshold_percent:
            return Tier.LOW_BATTERY
        return Tier.BATTERY

    def describe(self) -> str:
        if self.percent is None:
            return "no battery (mains)"
        return f"battery {self.percent:.0f} %, " + ("plugged in" if self.plugged else "unplugged")


NO_BATTERY = BatteryState(percent=None, plugged=True)

BatteryReader = Callable[[], BatteryState]


def read_battery() -> BatteryState:
    """The battery now; `NO_BATTERY` when there is none or it cannot be read."""
    try:
        battery = psutil.sensors_battery()
    except (OSError, RuntimeError, AttributeError):
        # AttributeError: psutil has no sensors_battery on some platforms.
        return NO_BATTERY
    if battery is None:
        return NO_BATTERY
    # power_plugged is None when the OS cannot tell: treat it as plugged only without a charge
    # figure, so that a discharging laptop is never mistaken for one on mains.
    plugged = bool(battery.power_plugged) if battery.power_plugged is not None else False
    return BatteryState(percent=float(battery.percent), plugged=plugged)
