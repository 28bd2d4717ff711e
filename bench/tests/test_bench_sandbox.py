from __future__ import annotations

import time

import pytest

from wattcode_bench.humaneval import InfillTask, single_line_tasks
from wattcode_bench.sandbox import ExecutionResult, check_completion, check_many


@pytest.fixture(scope="module")
def tasks() -> list[InfillTask]:
    return single_line_tasks()


def run_first(task: InfillTask, statement: str) -> str:
    """A completion that runs `statement` and then the task's own line."""
    line = task.canonical_solution
    return line[: len(line) - len(line.lstrip())] + statement + "\n" + line


def task_ending_in_return(tasks: list[InfillTask]) -> InfillTask:
    # HumanEval/0 L7 is "    return False": a wrong value there must fail a test.
    task = next(t for t in tasks if t.task_id == "SingleLineInfilling/HumanEval/0/L7")
    assert task.canonical_solution == "    return False\n"
    return task


def test_canonical_solutions_pass(tasks: list[InfillTask]) -> None:
    results = check_many([(t, t.canonical_solution) for t in tasks[:10]], workers=4)
    assert all(r.passed for r in results), results
    assert {r.status for r in results} == {"passed"}


def test_wrong_completion_fails(tasks: list[InfillTask]) -> None:
    result = check_completion(task_ending_in_return(tasks), "    return True\n")
    assert not result.passed
    assert result.status == "failed"
    assert result.detail.startswith("AssertionError")


def test_broken_completion_is_an_error(tasks: list[InfillTask]) -> None:
    result = check_completion(task_ending_in_return(tasks), "    return (\n")
    assert result.status == "error"
    assert "SyntaxError" in result.detail


def test_endless_loop_times_out(tasks: list[InfillTask]) -> None:
    task = tasks[0]
    start = time.monotonic()
    result = check_completion(task, run_first(task, "while True: pass"), timeout=1)
    assert result == ExecutionResult(False, "timeout", result.detail)
    assert time.monotonic() - start < 10


def test_network_is_refused(tasks: list[InfillTask]) -> None:
    task = tasks[0]
    connect = 'import socket; socket.create_connection(("127.0.0.1", 9))'
    result = check_completion(task, run_first(task, connect))
    assert not result.passed
    assert result.status in {"failed", "error"}
    assert "PermissionError" in result.detail


@pytest.mark.parametrize(
    "statement",
    [
        'import os; os.system("true")',
        'import subprocess; subprocess.run(["true"])',
        'import os; os.remove("x")',
        'import shutil; shutil.rmtree(".")',
    ],
)
def test_processes_and_deletion_are_refused(tasks: list[InfillTask], statement: str) -> None:
    task = tasks[0]
    result = check_completion(task, run_first(task, statement))
    assert result.status == "error"
    assert "PermissionError" in result.detail


def test_memory_is_limited(tasks: list[InfillTask]) -> None:
    pytest.importorskip("resource")
    task = tasks[0]
    result = check_completion(task, run_first(task, "x = bytearray(3 * 1024**3)"))
    assert result.status == "error"
    assert "MemoryError" in result.detail


def test_check_many_keeps_the_order(tasks: list[InfillTask]) -> None:
    task = task_ending_in_return(tasks)
    items = [
        (task, "    return True\n"),
        (task, task.canonical_solution),
        (task, "    return (\n"),
        (task, task.canonical_solution),
    ]
    results = check_many(items, workers=3)
    assert [r.status for r in results] == ["failed", "passed", "error", "passed"]
