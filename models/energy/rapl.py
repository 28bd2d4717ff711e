"""Linux powercap RAPL counters (Intel, and AMD Zen since Linux 5.8): package and DRAM energy.

Each zone under /sys/class/powercap/intel-rapl:* has a `name` ("package-0", "core", "uncore",
"dram", "psys"), a cumulative `energy_uj` and the value it wraps at, `max_energy_range_uj`.
Only package and DRAM zones are summed: core and uncore are parts of the package, and psys
covers the whole platform, package included, so adding either would count energy twice.
Since Linux 5.10 `energy_uj` is readable by root only (the PLATYPUS power side channel), and
VMs and containers usually have no zones at all: both are reported, never guessed around.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from models.energy.meters import MeterProbe

log = logging.getLogger(__name__)

POWERCAP_ROOT = Path("/sys/class/powercap")
SOURCE = "RAPL"
UPDATE_SECONDS = 0.001


def counter_delta(before: int, after: int, max_range: int | None) -> int:
    """Microjoules between two reads of a counter that wraps at `max_range`.

    A counter that went backwards wrapped once (reads are far more frequent than the tens of
    minutes a wrap takes at full load). Without a known range the step cannot be recovered:
    it counts as zero rather than as a wild guess.
    """
    if after >= before:
        return after - before
    if max_range is None or max_range <= 0:
        return 0
    return after + max_range - before


@dataclass
class RaplZone:
    path: Path
    name: str
    max_range: int | None
    last: int
    total_uj: int = 0

    def read_uj(self) -> int:
        return int((self.path / "energy_uj").read_text().strip())


def _zone_kind(name: str) -> str | None:
    if name.startswith("package"):
        return "package"
    if name == "dram":
        return "dram"
    return None


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


class RaplMeter:
    """The sum of the package and DRAM zones, in joules since the meter was made."""

    measured = True
    machine_wide = True
    update_seconds = UPDATE_SECONDS

    def __init__(self, zones: list[RaplZone]) -> None:
        self._zones = zones
        found = {k for z in zones if (k := _zone_kind(z.name))}
        kinds = [k for k in ("package", "dram") if k in found]
        self.label = f"{SOURCE} {'+'.join(kinds)}"

    def read_joules(self) -> float:
        for zone in self._zones:
            try:
                now = zone.read_uj()
            except (OSError, ValueError) as exc:
                log.debug("RAPL zone %s unreadable: %s", zone.name, exc)
                continue
            zone.total_uj += counter_delta(zone.last, now, zone.max_range)
            zone.last = now
        return sum(z.total_uj for z in self._zones) / 1e6


def probe_rapl(root: Path = POWERCAP_ROOT) -> MeterProbe:
    """Find the readable package and DRAM zones under `root` (a fake tree in tests)."""
    if not root.is_dir():
        return MeterProbe(SOURCE, reason=f"no powercap directory ({root}): not Linux, or a VM")
    zones: list[RaplZone] = []
    denied: list[str] = []
    for zone_dir in sorted(root.glob("intel-rapl:*")):
        name = (zone_dir / "name").read_text().strip() if (zone_dir / "name").is_file() else ""
        if _zone_kind(name) is None:
            continue
        energy = zone_dir / "energy_uj"
        try:
            first = int(energy.read_text().strip())
        except PermissionError:
            denied.append(zone_dir.name)
            continue
        except (OSError, ValueError):
            continue  # a zone without a usable counter is skipped, not fatal
        max_range = _read_int(zone_dir / "max_energy_range_uj")
        zones.append(RaplZone(zone_dir, name, max_range, first))
    if not any(_zone_kind(z.name) == "package" for z in zones):
        if denied:
            return MeterProbe(
                SOURCE,
                reason=(
                    f"energy_uj is not readable by this user ({', '.join(denied)}): "
                    "root-only since Linux 5.10"
                ),
            )
        return MeterProbe(SOURCE, reason=f"no RAPL package zone under {root}")
    return MeterProbe(SOURCE, meter=RaplMeter(zones))
