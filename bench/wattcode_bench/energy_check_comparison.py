"""The energy check's arithmetic, pure (no server, no counter): the sum of the server's
per-suggestion window energies against what the whole-run counter gained, both above the idle
floor (`compare`), judged against `TARGET_PERCENT`; the GPU verdict over the mean of the floors
measured before and after the run, with the difference each floor alone gives beside it
(`gpu_verdict`); the steady middle of a back-to-back load from its checkpoints (`interior`);
the CPU-time estimate's share of the server's CPU energy that fell inside its windows
(`cpu_estimate`); and one field's change between two `wattcode/stats` answers (`stats_delta`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TARGET_PERCENT = 5.0


@dataclass(frozen=True)
class Readings:
    """The two sides of the check over one stretch of the run, each with its own seconds: the
    server's summed windows and what the whole-run counter gained."""

    windows_joules: float
    window_seconds: float
    counter_joules: float
    run_seconds: float


@dataclass(frozen=True)
class IdleFloors:
    """The idle power measured before the run and after it, kept apart because a GPU warmed by
    the run idles a little higher."""

    before: float
    after: float


def percent_difference(value: float, reference: float) -> float | None:
    return None if reference == 0 else (value - reference) / reference * 100


def compare(readings: Readings, idle_watts: float) -> dict[str, float | None]:
    """Both sides above the idle baseline: what the windows add over idle against what the
    whole run added over idle (the GPU is assumed idle outside the windows)."""
    windows_above = readings.windows_joules - idle_watts * readings.window_seconds
    run_above = readings.counter_joules - idle_watts * readings.run_seconds
    return {
        "windows_joules": readings.windows_joules,
        "windows_above_idle_joules": windows_above,
        "run_counter_joules": readings.counter_joules,
        "run_above_idle_joules": run_above,
        "difference_percent": percent_difference(windows_above, run_above),
        "windows_incl_idle_vs_run_above_idle_percent": percent_difference(
            readings.windows_joules, run_above
        ),
    }


def target_met(difference: float | None) -> bool:
    return difference is not None and abs(difference) <= TARGET_PERCENT


def stats_delta(after: dict[str, Any], before: dict[str, Any], *keys: str) -> float:
    a: Any = after
    b: Any = before
    for key in keys:
        a, b = a.get(key, {}), b.get(key, {})
    return float(a or 0) - float(b or 0)


def interior(
    points: list[dict[str, float]], idle_watts: float, start: float, end: float
) -> dict[str, Any] | None:
    """The comparison between the first checkpoint at or after `start` and the last at or
    before `end`: the load's steady middle, without the run's two edges."""
    inside = [p for p in points if start <= p["at"] <= end]
    if len(inside) < 2:
        return None
    first, last = inside[0], inside[-1]
    readings = Readings(
        last["windows_joules"] - first["windows_joules"],
        last["window_seconds"] - first["window_seconds"],
        last["counter_joules"] - first["counter_joules"],
        last["at"] - first["at"],
    )
    result: dict[str, Any] = compare(readings, idle_watts)
    result["seconds"] = last["at"] - first["at"]
    result["target_met"] = target_met(result["difference_percent"])
    return result


def cpu_estimate(
    after: dict[str, Any], before: dict[str, Any], server_cpu: float
) -> dict[str, Any] | None:
    labels = [k for k in after.get("energy", {}).get("by_meter", {}) if k.startswith("CPU time")]
    if not labels:
        return None
    label = labels[0]
    watts = float(label.split("×")[1].split("W")[0])
    windows = stats_delta(after, before, "energy", "by_meter", label)
    whole = server_cpu * watts
    return {
        "label": label,
        "windows_joules": windows,
        "server_process_cpu_seconds": server_cpu,
        "server_process_cpu_joules": whole,
        "share_inside_windows_percent": windows / whole * 100 if whole else None,
    }


def gpu_verdict(readings: Readings, floors: IdleFloors) -> dict[str, Any]:
    """The comparison against the mean of the idle floors measured before and after the run,
    with the difference that each floor alone gives beside it: how much the verdict hangs on
    the floor (a GPU warmed by the run idles a little higher)."""
    idle = (floors.before + floors.after) / 2
    result: dict[str, Any] = compare(readings, idle)
    alone = [
        compare(readings, watts)["difference_percent"] for watts in (floors.before, floors.after)
    ]
    result.update(
        idle_watts=idle,
        difference_percent_idle_before=alone[0],
        difference_percent_idle_after=alone[1],
        target_met=target_met(result["difference_percent"]),
        target_met_with_either_idle=all(
            target_met(d) for d in (result["difference_percent"], *alone)
        ),
    )
    return result
