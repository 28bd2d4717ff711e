from __future__ import annotations

import math
import random

import pytest

from wattcode_bench.paired_stats import (
    edit_similarity,
    exact_match,
    first_non_empty_line,
    levenshtein,
    mcnemar_exact_p,
    paired_comparison,
    percentile,
    proportion,
)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("kitten", "sitting", 3),
        ("sitting", "kitten", 3),
        ("", "", 0),
        ("", "abc", 3),
        ("flaw", "lawn", 2),
        ("same", "same", 0),
        ("abc", "xyz", 3),
    ],
)
def test_levenshtein(a: str, b: str, distance: int) -> None:
    assert levenshtein(a, b) == distance


def test_edit_similarity() -> None:
    assert edit_similarity("kitten", "sitting") == pytest.approx(1 - 3 / 7)
    assert edit_similarity("", "") == 1.0
    assert edit_similarity("abc", "abc") == 1.0
    assert edit_similarity("abc", "") == 0.0
    assert edit_similarity("abc", "xyz") == 0.0


def test_exact_match_ignores_surrounding_whitespace() -> None:
    assert exact_match("    return x\n", "return x")
    assert exact_match("\treturn x  ", "    return x\n")
    assert not exact_match("return  x", "return x")
    assert not exact_match("return y", "return x")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("    return x\n    y = 1\n", "    return x"),
        ("\n\n   \n    return x  \nmore", "    return x"),
        ("x = 1\r\ny = 2", "x = 1"),
        ("", ""),
        ("  \n\t\n", ""),
        ("only", "only"),
    ],
)
def test_first_non_empty_line(text: str, line: str) -> None:
    assert first_non_empty_line(text) == line


def test_wilson_interval() -> None:
    half = proportion(50, 100)
    assert half.rate == 0.5
    assert half.low == pytest.approx(0.4038, abs=1e-4)
    assert half.high == pytest.approx(0.5962, abs=1e-4)
    none = proportion(0, 20)
    assert none.low == 0.0
    assert 0.0 < none.high < 0.2
    assert proportion(20, 20).high == 1.0
    assert math.isnan(proportion(0, 0).rate)
    with pytest.raises(ValueError, match="successes"):
        proportion(5, 4)


def test_mcnemar_exact_p() -> None:
    assert mcnemar_exact_p(10, 0) == pytest.approx(0.001953125)
    assert mcnemar_exact_p(0, 10) == pytest.approx(0.001953125)
    assert mcnemar_exact_p(7, 7) == 1.0
    assert mcnemar_exact_p(0, 0) == 1.0
    # Binomial(12, 1/2), two-sided, k = 2: 2 * (1 + 12 + 66) / 4096.
    assert mcnemar_exact_p(2, 10) == pytest.approx(158 / 4096)
    # Big discordant counts stay exact integers until the last step (no overflow).
    assert mcnemar_exact_p(1500, 1500) == 1.0
    assert mcnemar_exact_p(1400, 1600) == pytest.approx(2.7856e-4, rel=1e-4)
    assert mcnemar_exact_p(0, 3000) < 1e-300


def make_paired(seed: int) -> tuple[list[bool], list[bool], list[str]]:
    rng = random.Random(seed)
    a: list[bool] = []
    b: list[bool] = []
    clusters: list[str] = []
    for problem in range(60):
        easy = rng.random()
        for _ in range(rng.randint(1, 10)):
            a.append(rng.random() < easy)
            b.append(rng.random() < easy + 0.1)
            clusters.append(f"HumanEval/{problem}")
    return a, b, clusters


def test_paired_comparison_counts_and_mcnemar() -> None:
    a = [True] * 10 + [False] * 5 + [True] * 5
    b = [False] * 10 + [False] * 5 + [True] * 5
    clusters = [f"p{i}" for i in range(20)]
    result = paired_comparison(a, b, clusters)
    assert (result.n, result.a_only, result.b_only) == (20, 10, 0)
    assert result.difference == pytest.approx(-0.5)
    assert result.mcnemar_p == pytest.approx(0.001953125)
    assert result.ci_high < 0


def test_bootstrap_interval_contains_the_difference_and_is_deterministic() -> None:
    a, b, clusters = make_paired(3)
    result = paired_comparison(a, b, clusters, seed=11)
    assert result.difference == pytest.approx((sum(b) - sum(a)) / len(a))
    assert result.ci_low <= result.difference <= result.ci_high
    assert paired_comparison(a, b, clusters, seed=11) == result
    assert paired_comparison(a, b, clusters, seed=12) != result


def test_bootstrap_resamples_problems_not_tasks() -> None:
    # One problem with many tasks all won by b, many problems of one tie each: resampling
    # tasks would call b's gain certain; resampling problems sees it hinges on one problem.
    a = [False] * 40 + [True] * 40
    b = [True] * 40 + [True] * 40
    clusters = ["big"] * 40 + [f"small{i}" for i in range(40)]
    result = paired_comparison(a, b, clusters, seed=0)
    assert result.difference == pytest.approx(0.5)
    assert result.ci_low == 0.0
    assert paired_comparison(a, b, [f"t{i}" for i in range(80)], seed=0).ci_low > 0.3


def test_paired_comparison_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        paired_comparison([True], [True, False], ["p", "p"])
    with pytest.raises(ValueError, match="nothing"):
        paired_comparison([], [], [])


def test_percentile() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 0) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 100) == 4.0
    assert percentile([10.0, 20.0], 25) == pytest.approx(12.5)
    assert percentile([5.0], 90) == 5.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="q must be"):
        percentile([1.0], 101)
