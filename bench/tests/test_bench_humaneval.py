from __future__ import annotations

import hashlib

import pytest

from models.token_healing import HealingMode, heal_prefix
from wattcode_bench import humaneval
from wattcode_bench.humaneval import (
    SINGLE_LINE_SHA256,
    BenchDataError,
    InfillTask,
    load_problems,
    padded_task,
    serialise,
    single_line_tasks,
    verified_single_line_tasks,
)


@pytest.fixture(scope="module")
def problems() -> list[dict[str, str]]:
    return load_problems()


@pytest.fixture(scope="module")
def tasks(problems: list[dict[str, str]]) -> list[InfillTask]:
    return single_line_tasks(problems)


def word_count(text: str) -> int:
    return len(text.split())


def test_problems_are_the_164_in_file_order(problems: list[dict[str, str]]) -> None:
    assert [p["task_id"] for p in problems] == [f"HumanEval/{i}" for i in range(164)]


def test_single_line_set_is_rebuilt_byte_exactly(tasks: list[InfillTask]) -> None:
    data = serialise(tasks).encode("utf-8")
    assert len(tasks) == 1033
    assert len(data) == 1_647_941
    assert hashlib.sha256(data).hexdigest() == SINGLE_LINE_SHA256
    assert tasks[0].task_id == "SingleLineInfilling/HumanEval/0/L0"
    assert tasks[0].problem_id == "HumanEval/0"


def test_a_task_fills_back_into_its_problem(problems: list[dict[str, str]]) -> None:
    problem = problems[0]
    task = single_line_tasks([problem])[1]
    assert task.task_id == "SingleLineInfilling/HumanEval/0/L1"
    assert task.prompt + task.canonical_solution + task.suffix == (
        problem["prompt"] + problem["canonical_solution"]
    )


def test_verified_tasks_match_and_a_wrong_hash_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert len(verified_single_line_tasks()) == 1033
    monkeypatch.setattr(humaneval, "SINGLE_LINE_SHA256", "0" * 64)
    with pytest.raises(BenchDataError, match="sha256"):
        verified_single_line_tasks()


def test_missing_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda _name: None)
    with pytest.raises(BenchDataError, match=r"wattcode\[bench\]"):
        load_problems()


@pytest.mark.parametrize("index", [0, 100, 500, 1032])
def test_padded_task_pads_in_front_with_other_problems(
    tasks: list[InfillTask], problems: list[dict[str, str]], index: int
) -> None:
    task = tasks[index]
    own = next(p for p in problems if p["task_id"] == task.problem_id)
    padded = padded_task(task, problems, 800, word_count, seed=7)

    assert padded.task_id == task.task_id + "/padded"
    assert padded.problem_id == task.problem_id
    assert (padded.suffix, padded.test, padded.canonical_solution, padded.entry_point) == (
        task.suffix,
        task.test,
        task.canonical_solution,
        task.entry_point,
    )
    assert padded.prompt.endswith(task.prompt)
    padding = padded.prompt.removesuffix(task.prompt)
    assert any(
        padding.startswith(p["prompt"] + p["canonical_solution"] + "\n\n")
        for p in problems
        if p["task_id"] != task.problem_id
    )
    assert own["prompt"] not in padding
    assert own["canonical_solution"] not in padding
    assert padded.prompt.count(own["prompt"]) == 1
    assert word_count(padding) >= 800


def test_padding_stops_as_soon_as_the_target_is_reached(
    tasks: list[InfillTask], problems: list[dict[str, str]]
) -> None:
    task = tasks[10]
    padding = padded_task(task, problems, 800, word_count, seed=0).prompt.removesuffix(task.prompt)
    # Dropping the last problem added must leave the padding short of the target.
    last = next(
        p["prompt"] + p["canonical_solution"] + "\n\n"
        for p in problems
        if padding.endswith(p["prompt"] + p["canonical_solution"] + "\n\n")
    )
    assert word_count(padding.removesuffix(last)) < 800


def test_padding_is_deterministic_and_depends_on_the_seed(
    tasks: list[InfillTask], problems: list[dict[str, str]]
) -> None:
    task = tasks[42]
    first = padded_task(task, problems, 1500, word_count, seed=1)
    assert padded_task(task, problems, 1500, word_count, seed=1) == first
    assert padded_task(task, problems, 1500, word_count, seed=2).prompt != first.prompt


def test_padding_beyond_all_other_problems_repeats_them(
    tasks: list[InfillTask], problems: list[dict[str, str]]
) -> None:
    task = tasks[0]
    others_words = sum(
        word_count(p["prompt"] + p["canonical_solution"])
        for p in problems
        if p["task_id"] != task.problem_id
    )
    padded = padded_task(task, problems, others_words + 100, word_count)
    padding = padded.prompt.removesuffix(task.prompt)
    assert word_count(padding) >= others_words + 100
    assert problems[0]["canonical_solution"] not in padding


def test_token_healing_leaves_every_single_line_task_alone(tasks: list[InfillTask]) -> None:
    """Each hole is a whole line, so each prompt ends at a line break, where healing cuts
    nothing: the HumanEval figures cannot move with token healing (only the confidence cut
    can change them; bench/experiments/confidence/README.md)."""
    healed = [t.task_id for t in tasks if heal_prefix(t.prompt, HealingMode.TOKENS).removed]
    assert len(tasks) == 1033 and healed == []
