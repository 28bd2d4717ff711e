"""Energy per suggestion in the typing replay: from the server's own `wattcode/stats`."""

from __future__ import annotations

from typing import Any


def typing_energy(results: list[Any], suggestions: int) -> dict[str, Any]:
    """Energy keys for one configuration's typing summary (cancelled work included)."""

    def delta(key: str) -> float:
        return sum(
            float(r.stats_after.get(key, 0)) - float(r.stats_before.get(key, 0)) for r in results
        )

    joules = delta("energy_joules")
    idle = sum(
        float(r.stats_after.get("energy", {}).get("idle_joules") or 0)
        - float(r.stats_before.get("energy", {}).get("idle_joules") or 0)
        for r in results
    )
    return {
        "idle_joules": idle,
        "energy_joules": joules,
        "energy_joules_per_suggestion": joules / suggestions if suggestions else float("nan"),
        "saved_joules_estimate": delta("saved_joules_estimate"),
        "energy_method": results[-1].stats_after.get("energy_method", "") if results else "",
    }


def energy_section(typing: dict[str, Any]) -> list[str]:
    configs = typing.get("configs", {})
    rows = [(name, s) for name, s in configs.items() if "energy_joules" in s]
    if not rows:
        return []
    lines = [
        "Energy per suggestion while typing (the server's own figures, cancelled generations "
        "included; the method says whether it was measured or estimated):",
        "",
        "| config | J / suggestion | J in all | of which the idle floor's share (J) | saved ≈ J "
        "(estimate) | method |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in rows:
        idle = s.get("idle_joules")
        lines.append(
            f"| {name} | {s['energy_joules_per_suggestion']:.3f} | {s['energy_joules']:.1f} | "
            f"{'–' if idle is None else f'{idle:.1f}'} | "
            f"{s['saved_joules_estimate']:.1f} | {s['energy_method']} |"
        )
    return [*lines, ""]
