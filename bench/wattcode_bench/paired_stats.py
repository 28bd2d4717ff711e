"""Completion metrics and the statistics that compare two configurations on the same tasks.

Every configuration is scored on the same tasks, so comparisons are paired: McNemar's
exact test on the tasks where exactly one side passed, and a bootstrap interval for the
difference in pass rate that resamples whole HumanEval problems, because the tasks cut
from one problem succeed or fail together far more often than independent tasks would.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

# The standard normal's 97.5th percentile, for two-sided 95% intervals.
_Z95 = 1.959963984540054


def levenshtein(a: str, b: str) -> int:
    """The number of single-character insertions, deletions and substitutions from a to b."""
    if len(a) < len(b):
        a, b = b, a  # keep the rows as short as the shorter string
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,  # delete char_a
                    current[j - 1] + 1,  # insert char_b
                    previous[j - 1] + (char_a != char_b),  # substitute (or keep)
                )
            )
        previous = current
    return previous[-1]


def edit_similarity(a: str, b: str) -> float:
    """``1 - levenshtein(a, b) / max(len(a), len(b))``: 1.0 for equal strings, 0.0 for disjoint."""
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    return 1.0 - levenshtein(a, b) / longest


def exact_match(completion: str, reference: str) -> bool:
    """Equal once surrounding whitespace (indentation, the final newline) is ignored."""
    return completion.strip() == reference.strip()


def first_non_empty_line(text: str) -> str:
    """The single-line stop rule: the first line with content, trailing whitespace removed.

    Leading whitespace is kept because in Python it is part of the line's meaning.
    """
    for line in text.split("\n"):
        if line.strip():
            return line.rstrip()
    return ""


@dataclass(frozen=True)
class Proportion:
    successes: int
    total: int
    rate: float
    low: float  # Wilson 95% interval
    high: float


def proportion(successes: int, total: int) -> Proportion:
    """A success rate with its Wilson score 95% interval.

    Wilson rather than the normal approximation because rates near 0 or 1 and small
    subsets are common here. With no trials the rate is nan and the interval is [0, 1].
    """
    if total < 0 or not 0 <= successes <= total:
        raise ValueError(f"need 0 <= successes <= total, got {successes}/{total}")
    if total == 0:
        return Proportion(0, 0, math.nan, 0.0, 1.0)
    rate = successes / total
    z2 = _Z95 * _Z95
    denominator = 1.0 + z2 / total
    centre = (rate + z2 / (2 * total)) / denominator
    half = _Z95 * math.sqrt(rate * (1.0 - rate) / total + z2 / (4 * total * total)) / denominator
    return Proportion(successes, total, rate, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class PairedComparison:
    n: int
    a_only: int  # tasks that passed under a but not b
    b_only: int  # tasks that passed under b but not a
    difference: float  # rate_b - rate_a
    mcnemar_p: float  # exact two-sided binomial test on the discordant pairs
    ci_low: float  # 95% cluster-bootstrap interval of the difference
    ci_high: float


def mcnemar_exact_p(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value: a binomial(n, 1/2) test on the discordant pairs."""
    discordant = a_only + b_only
    if discordant == 0:
        return 1.0
    tail = sum(math.comb(discordant, k) for k in range(min(a_only, b_only) + 1))
    # Integer numerator and denominator keep this exact until the final division.
    return min(1.0, 2 * tail / (1 << discordant))


def paired_comparison(
    a: Sequence[bool],
    b: Sequence[bool],
    clusters: Sequence[str],
    seed: int = 0,
    resamples: int = 2000,
) -> PairedComparison:
    """Compare two configurations' pass/fail results on the same tasks.

    `clusters[i]` names the problem task i was cut from. The bootstrap draws problems
    with replacement and keeps all of each drawn problem's tasks, so the interval
    reflects how few independent problems there really are.
    """
    n = len(a)
    if len(b) != n or len(clusters) != n:
        raise ValueError("a, b and clusters must have the same length")
    if n == 0:
        raise ValueError("nothing to compare")
    if resamples < 1:
        raise ValueError("resamples must be at least 1")

    a_only = sum(1 for x, y in zip(a, b, strict=True) if x and not y)
    b_only = sum(1 for x, y in zip(a, b, strict=True) if y and not x)

    # Per problem: how many tasks, and the sum of (b - a) over them.
    sizes: dict[str, int] = {}
    gains: dict[str, int] = {}
    for x, y, cluster in zip(a, b, clusters, strict=True):
        sizes[cluster] = sizes.get(cluster, 0) + 1
        gains[cluster] = gains.get(cluster, 0) + int(y) - int(x)
    names = list(sizes)  # first-appearance order, so a fixed seed gives fixed draws
    size_list = [sizes[name] for name in names]
    gain_list = [gains[name] for name in names]

    rng = random.Random(seed)
    indices = range(len(names))
    differences: list[float] = []
    for _ in range(resamples):
        drawn = rng.choices(indices, k=len(names))
        differences.append(sum(gain_list[i] for i in drawn) / sum(size_list[i] for i in drawn))

    return PairedComparison(
        n=n,
        a_only=a_only,
        b_only=b_only,
        difference=(b_only - a_only) / n,
        mcnemar_p=mcnemar_exact_p(a_only, b_only),
        ci_low=percentile(differences, 2.5),
        ci_high=percentile(differences, 97.5),
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0 to 100) with linear interpolation between order statistics.

    Matches numpy's default ("linear") method; nan for no values.
    """
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"q must be in [0, 100], got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    fraction = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * fraction
