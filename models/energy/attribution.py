"""The arithmetic of attribution: pure functions, unit-tested on their own.

A machine-wide counter (RAPL) is shared out to this process by its share of the machine's busy
CPU time between the window's two edges, as Scaphandre and PowerJoular do. The idle baseline
(what the machine draws doing nothing) is reported beside the figure, never added to it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

import psutil

MIN_IDLE_GAP_SECONDS = 1.0
"""Gaps between windows shorter than this say little about idle power (counter steps); a
device's draw above idle in them is the tail of the work around them (see `tail_joules`)."""


def cpu_share(process_cpu_seconds: float, machine_busy_seconds: float) -> float:
    """This process's part of the machine's busy CPU time, in [0, 1].

    Nothing else measured busy (or clocks that disagree by a tick) means the work was ours.
    """
    if machine_busy_seconds <= 0 or process_cpu_seconds >= machine_busy_seconds:
        return 1.0
    return max(0.0, process_cpu_seconds / machine_busy_seconds)


def attributed_joules(counter_joules: float, machine_wide: bool, share: float) -> float:
    return counter_joules * share if machine_wide else counter_joules


def idle_joules(idle_watts: float | None, seconds: float) -> float | None:
    return None if idle_watts is None else idle_watts * seconds


def idle_watts_from_gaps(gaps: Iterable[tuple[float, float]]) -> float | None:
    """The idle floor: the median mean power over gaps (joules, seconds) long enough to trust.

    Gaps between generations include other programs' load, and each carries a read error of up
    to one counter step (NVML steps every ~100 ms: ±13 W over a 1 s gap on a 130 W GPU). The
    lowest of many gaps is biased low by that error; the median is robust to both.
    """
    powers = [j / s for j, s in gaps if s >= MIN_IDLE_GAP_SECONDS and j >= 0]
    return statistics.median(powers) if powers else None


def tail_joules(gap_joules: float, gap_seconds: float, idle_watts: float | None) -> float:
    """A device's draw above its idle floor in a short gap between two windows.

    A GPU keeps its clocks and power up for a while after its work ends, and its counter steps
    every ~100 ms, so the draw between two generations a few milliseconds apart is theirs, not
    idle (bench/experiments/gpu-latency-and-energy/README.md). Signed: a gap the counter did
    not step in reads below idle, one it stepped in reads far above, and only their sum is
    right. Longer gaps teach the idle floor
    instead; without one, nothing is charged.
    """
    if idle_watts is None or gap_seconds >= MIN_IDLE_GAP_SECONDS:
        return 0.0
    return gap_joules - idle_watts * gap_seconds


def machine_busy_seconds() -> float:
    """All CPUs' non-idle time since boot (psutil), for the CPU-time share."""
    times = psutil.cpu_times()
    # On Linux guest time is already inside user time, and steal is the hypervisor's.
    not_busy = ("idle", "iowait", "steal", "guest", "guest_nice")
    return sum(times) - sum(getattr(times, name, 0.0) for name in not_busy)


def prompt_share_joules(joules: float, prompt_seconds: float, total_seconds: float) -> float:
    """The part of a generation's energy spent on its prompt, split by time."""
    if total_seconds <= 0:
        return 0.0
    return joules * min(1.0, max(0.0, prompt_seconds / total_seconds))


def saved_joules_estimate(
    reused_prompt_tokens: float,
    joules_per_prompt_token: float | None,
    cache_hits: float,
    joules_per_generation: float | None,
) -> float:
    """What the caches spared: reused prompt tokens at the session's measured cost per
    evaluated prompt token, and suggestion-cache hits at its mean cost per generation."""
    saved = 0.0
    if joules_per_prompt_token is not None:
        saved += reused_prompt_tokens * joules_per_prompt_token
    if joules_per_generation is not None:
        saved += cache_hits * joules_per_generation
    return saved
