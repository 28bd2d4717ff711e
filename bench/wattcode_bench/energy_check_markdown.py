"""ENERGY-CHECK.md, the energy check's results written for people: `markdown` renders the dict
that `run_check` returns (the one energy-check.json holds): the run and its load, the server's
method and its per-suggestion sum; with NVML, the idle floors and their drift, the whole run's
counter against the summed windows above idle with the verdict against `TARGET_PERCENT`, the
steady middle and what the counter gained while settling; and the CPU-time estimate's
self-consistency."""

from __future__ import annotations

from typing import Any

from wattcode_bench.energy_check_comparison import TARGET_PERCENT


def _fmt(value: Any, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _gpu_lines(data: dict[str, Any], gpu: dict[str, Any]) -> list[str]:
    before, after = data["idle_watts_before"], data["idle_watts_after"]
    verdict = "met" if gpu["target_met"] else "not met"
    lines = [
        "",
        f"GPU ({data['nvml']}): idle floor {_fmt(before)} W before the replay and "
        f"{_fmt(after)} W after it ({after - before:+.2f} W of drift), each the counter's "
        f"delta over {data['idle_seconds']:g} s with the model loaded and nothing to do; the "
        f"comparison uses their mean, {_fmt(gpu['idle_watts'])} W. Over the run the GPU drew "
        f"{_fmt(gpu['run_above_idle_joules'] / data['run_seconds'])} W above it on average.",
        "",
        "| | joules |",
        "| --- | --- |",
        f"| NVML over the whole run ({data['run_seconds']:.1f} s) | "
        f"{_fmt(gpu['run_counter_joules'])} |",
        f"| … minus idle × run time | {_fmt(gpu['run_above_idle_joules'])} |",
        f"| per-suggestion GPU energies, summed | {_fmt(gpu['windows_joules'])} |",
        f"| … minus idle × window time | {_fmt(gpu['windows_above_idle_joules'])} |",
        f"| … of which short gaps' draw above idle (tails) | {_fmt(gpu.get('tail_joules'))} |",
        "",
        f"Difference above idle: **{_fmt(gpu['difference_percent'], 1)} %** (target: within "
        f"{TARGET_PERCENT:g} %: **{verdict}**). With the floor measured before the replay "
        f"alone: {_fmt(gpu['difference_percent_idle_before'], 1)} %; after it alone: "
        f"{_fmt(gpu['difference_percent_idle_after'], 1)} %. Summed windows including their "
        "idle share against the run above idle: "
        f"{_fmt(gpu['windows_incl_idle_vs_run_above_idle_percent'], 1)} %. "
        f"Server used NVML for its windows: {gpu['server_used_nvml']}.",
    ]
    middle = data.get("interior")
    if middle is not None:
        lines += [
            "",
            f"Steady middle of the load ({middle['seconds']:.1f} s between the first and last "
            "of the check's side-by-side reads of the server's sums and the counter, the first "
            f"{data.get('edge_seconds', 10):g} s left out): windows "
            f"{_fmt(middle['windows_above_idle_joules'])} J above idle against the counter's "
            f"{_fmt(middle['run_above_idle_joules'])} J: "
            f"**{_fmt(middle['difference_percent'], 1)} %**.",
        ]
    steps = data.get("counter_steps")
    lines += [
        "",
        f"In the {data['settle_seconds']:g} s after the last answer the counter gained "
        f"{_fmt(data.get('settle_above_idle_joules'))} J above idle."
        + (
            f" The counter moved every {steps['median_seconds'] * 1000:.0f} ms (median; "
            f"longest wait {steps['max_seconds'] * 1000:.0f} ms)."
            if steps
            else ""
        ),
    ]
    return lines


def markdown(data: dict[str, Any]) -> str:
    lines = [
        "# Energy check: per-suggestion energy against a whole-run counter",
        "",
        f"Produced by `{data['command']}` on {data['date']}. Load: {data['mode']}. Files: "
        f"{', '.join(data['files'])}; {data['spans']} spans, {data['keys']} keys "
        f"({data.get('failed_requests', 0)} requests failed), "
        f"{data['suggestions']:.0f} suggestions, {data['replay_seconds']:.1f} s of replay "
        f"(then {data['settle_seconds']:g} s of settling, counted in the run), "
        f"{data['window_seconds']:.1f} s inside generation windows "
        f"({data['window_coverage_percent']:.1f} % of the replay).",
        "",
        f"- server's method: {data['server_method']}",
        f"- sum of per-suggestion energies: {_fmt(data['per_suggestion_energy_sum_joules'])} J "
        f"({_fmt(data['joules_per_suggestion'], 3)} J per suggestion)",
    ]
    gpu = data.get("gpu")
    if gpu is None:
        lines += [
            "",
            f"No NVML counter on this machine ({data['nvml_reason']}): the GPU comparison "
            "was not run.",
        ]
    else:
        lines += _gpu_lines(data, gpu)
    cpu = data.get("cpu_estimate")
    if cpu is not None:
        lines += [
            "",
            f"CPU-time estimate ({cpu['label']}): the windows hold "
            f"{_fmt(cpu['share_inside_windows_percent'], 1)} % of the server process's CPU "
            f"energy over the replay ({_fmt(cpu['windows_joules'])} of "
            f"{_fmt(cpu['server_process_cpu_joules'])} J; the rest is LSP traffic, caches and "
            "the event loop). A self-consistency check, not a validation against hardware.",
        ]
    return "\n".join(lines) + "\n"
