"""Human-readable cost lines shared by hover, completion items and the CLI."""

from __future__ import annotations

from lsp_server.session import SUGGESTION_CACHE
from models.confidence import Confidence
from models.energy.carbon import GridIntensity, grams_co2e, watt_hours
from models.energy.window import WindowEnergy
from models.generation import GenerationStats


def _sig(value: float) -> str:
    """Two significant digits, never in exponent form."""
    if value == 0:
        return "0"
    if abs(value) >= 10:
        return f"{value:.0f}"
    digits = 1
    while abs(value) * 10**digits < 10 and digits < 12:
        digits += 1
    return f"{value:.{digits}f}"


def _scaled(value: float, unit: str) -> str:
    """`value` in the unit, or its milli/micro form when small (0.00012 Wh → 0.12 mWh)."""
    if value == 0:
        return f"0 {unit}"
    for factor, prefix in ((1.0, ""), (1e-3, "m"), (1e-6, "µ")):
        if abs(value) >= factor / 100 or prefix == "µ":
            return f"{_sig(value / factor)} {prefix}{unit}"
    raise AssertionError("unreachable")


def joules_text(joules: float) -> str:
    return _scaled(joules, "J")


def energy_summary(joules: float, grid: GridIntensity) -> str:
    """≈0.42 J (0.12 mWh, 56 µgCO2e)."""
    return (
        f"≈{joules_text(joules)} ({_scaled(watt_hours(joules), 'Wh')}, "
        f"{_scaled(grams_co2e(joules, grid), 'gCO2e')})"
    )


def cost_summary(stats: GenerationStats) -> str:
    return (
        f"{stats.prompt_tokens_evaluated} new / {stats.prompt_tokens_reused} reused prompt tokens"
        f" · {stats.generated_tokens} generated · {stats.total_seconds * 1000:.0f} ms"
    )


def drafts_line(stats: GenerationStats) -> str:
    """Speculative decoding's share: how many drafted tokens the model confirmed."""
    return (
        f"- drafts: {stats.drafted_tokens} drafted, {stats.accepted_drafts} accepted, "
        f"{stats.rejected_drafts} rejected"
    )


def cost_line(
    stats: GenerationStats, energy: WindowEnergy | None, grid: GridIntensity | None
) -> str:
    """One line: energy, tokens, time and how the energy was obtained."""
    if energy is None or grid is None:
        return cost_summary(stats)
    return f"{energy_summary(energy.joules, grid)} · {cost_summary(stats)} · {energy.method}"


def _energy_lines(energy: WindowEnergy) -> list[str]:
    lines = [f"- energy: {joules_text(energy.joules)}, {energy.method}"]
    if len(energy.by_meter) > 1:
        lines[0] += " (" + ", ".join(f"{k} {joules_text(v)}" for k, v in energy.by_meter.items())
        lines[0] += ")"
    if energy.share < 1 and any(
        energy.by_meter[k] != energy.counter_joules[k] for k in energy.by_meter
    ):
        lines.append(
            f"- shared out by CPU time: this process had {energy.share:.0%} of the machine's "
            "busy CPU time"
        )
    if energy.idle_joules is not None:
        lines.append(
            f"- idle baseline over the same time: {joules_text(energy.idle_joules)} "
            "(what the machine draws anyway; included above, shown for comparison)"
        )
    return lines


def confidence_line(confidence: Confidence) -> str:
    """The model's confidence in what it showed: all tokens right, and the weakest token."""
    return (
        f"- confidence: {confidence.joint:.0%} that all {confidence.tokens} tokens are right "
        f"(weakest token {confidence.lowest:.0%})"
    )


def cost_markdown(
    stats: GenerationStats,
    energy: WindowEnergy | None = None,
    grid: GridIntensity | None = None,
    confidence: Confidence | None = None,
) -> str:
    title = "**wattcode** · last suggestion on this line"
    if stats.stop_reason == SUGGESTION_CACHE:
        return "\n".join(
            (
                title,
                "",
                "≈0 J · served from the suggestion cache: no inference, no prompt tokens",
                "",
                f"- time: {stats.total_seconds * 1000:.1f} ms",
            )
        )
    lines = [
        title,
        "",
        cost_line(stats, energy, grid),
        "",
        f"- prompt: {stats.prompt_tokens_evaluated} tokens evaluated, "
        f"{stats.prompt_tokens_reused} reused from the cache",
        f"- generated: {stats.generated_tokens} tokens (stopped: {stats.stop_reason})",
        *([drafts_line(stats)] if stats.drafted_tokens else []),
        *([confidence_line(confidence)] if confidence is not None else []),
        f"- time: {stats.total_seconds * 1000:.0f} ms "
        f"(prompt {stats.prompt_seconds * 1000:.0f} ms) · CPU {stats.cpu_seconds:.2f} s",
    ]
    if energy is not None:
        lines += _energy_lines(energy)
    if grid is not None and energy is not None:
        lines.append(f"- carbon: {grid.grams_per_kwh:g} gCO2e/kWh ({grid.source})")
    return "\n".join(lines)
