"""Workload A: HumanEval single-line infilling, plain and distractor-padded, per configuration.

Each task is completed in-process by the same `CompletionEngine` the server uses (the transport
does not change what the model writes). The cursor sits on an empty line, as in an editor: the
engine gets `prompt` and `"\\n" + suffix`, and the program executed is prompt + line + "\\n" +
suffix + test. The single-line stop rule takes the first line with content. Every
configuration starts from a cold KV cache and then keeps whatever reuse it allows across tasks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from models.completion_engine import CompletionEngine
from models.cursor_text import CursorText
from models.local_runner import LocalRunner
from wattcode_bench.accuracy_models import AccuracyModel
from wattcode_bench.configs import BenchConfig
from wattcode_bench.humaneval import InfillTask
from wattcode_bench.paired_stats import (
    edit_similarity,
    exact_match,
    first_non_empty_line,
    paired_comparison,
    proportion,
)
from wattcode_bench.sandbox import check_many

MAX_TOKENS = 48


@dataclass(frozen=True)
class TaskResult:
    task_id: str
    problem_id: str
    completion: str
    passed: bool
    status: str
    exact: bool
    similarity: float
    prompt_tokens: int
    prompt_tokens_evaluated: int
    generated_tokens: int
    seconds: float
    cpu_seconds: float


@dataclass
class ConfigAccuracy:
    config: str
    results: list[TaskResult] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        n = len(self.results)
        passed = proportion(sum(r.passed for r in self.results), n)
        return {
            "tasks": n,
            "pass_at_1": asdict(passed),
            "exact_match": sum(r.exact for r in self.results) / n if n else 0.0,
            "edit_similarity": sum(r.similarity for r in self.results) / n if n else 0.0,
            "prompt_tokens_mean": _mean([r.prompt_tokens for r in self.results]),
            "prompt_tokens_evaluated_mean": _mean(
                [r.prompt_tokens_evaluated for r in self.results]
            ),
            "generated_tokens_mean": _mean([r.generated_tokens for r in self.results]),
            "seconds_mean": _mean([r.seconds for r in self.results]),
            "cpu_seconds_total": sum(r.cpu_seconds for r in self.results),
        }


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def run_config(
    model: AccuracyModel,
    config: BenchConfig,
    tasks: Sequence[InfillTask],
    on_task: Callable[[], object] | None = None,
) -> ConfigAccuracy:
    engine = CompletionEngine(LocalRunner(model.model))
    options = config.options(MAX_TOKENS, multiline=False)
    model.reset()
    generated: list[tuple[InfillTask, str, Any, float, float]] = []
    for task in tasks:
        started, cpu_started = time.perf_counter(), time.process_time()
        suggestion = engine.complete(
            CursorText(task.prompt, "\n" + task.suffix, f"{task.task_id}.py"), options
        )
        line = first_non_empty_line(suggestion.text)
        generated.append(
            (
                task,
                line,
                suggestion.stats,
                time.perf_counter() - started,
                time.process_time() - cpu_started,
            )
        )
        if on_task:
            on_task()
    executions = check_many([(task, line + "\n") for task, line, *_ in generated])
    outcome = ConfigAccuracy(config.name)
    for (task, line, stats, seconds, cpu), execution in zip(generated, executions, strict=True):
        reference = task.canonical_solution
        outcome.results.append(
            TaskResult(
                task_id=task.task_id,
                problem_id=task.problem_id,
                completion=line,
                passed=execution.passed,
                status=execution.status,
                exact=exact_match(line, reference),
                similarity=edit_similarity(line.strip(), reference.strip()),
                prompt_tokens=stats.prompt_tokens,
                prompt_tokens_evaluated=stats.prompt_tokens_evaluated,
                generated_tokens=stats.generated_tokens,
                seconds=seconds,
                cpu_seconds=cpu,
            )
        )
    return outcome


def compare(baseline: ConfigAccuracy, other: ConfigAccuracy, seed: int) -> dict[str, Any]:
    """Paired comparison on the tasks both ran (McNemar and a bootstrap over problems)."""
    base = {r.task_id: r for r in baseline.results}
    pairs = [(base[r.task_id], r) for r in other.results if r.task_id in base]
    comparison = paired_comparison(
        [a.passed for a, _ in pairs],
        [b.passed for _, b in pairs],
        [a.problem_id for a, _ in pairs],
        seed=seed,
    )
    return {"baseline": baseline.config, "config": other.config, **asdict(comparison)}
