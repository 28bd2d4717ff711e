"""The 1.5B against the 0.5B on the same 1,033 HumanEval single-line tasks, paired.

Both runs come from one GPU machine in one session (the 0.5B's is
../confidence/humaneval-gpu-1033, config `wattcode`); they ran as two bench processes because
the accuracy workload loads one model per process. Run from the repository root:
`python bench/results/large-model-gpu/pair.py`.
"""

import json
import sys
from pathlib import Path

from wattcode_bench.paired_stats import paired_comparison

HERE = Path(__file__).parent
small = json.loads((HERE.parent / "confidence/humaneval-gpu-1033/results.json").read_text())
large = json.loads((HERE / "accuracy-1.5b-1033/results.json").read_text())
a = small["accuracy"]["plain"]["per_task"]["wattcode"]
b = large["accuracy"]["plain"]["per_task"]["wattcode"]
if [t["task_id"] for t in a] != [t["task_id"] for t in b]:
    raise SystemExit("the two runs did not answer the same tasks in the same order")
result = paired_comparison(
    [t["passed"] for t in a], [t["passed"] for t in b], [t["problem_id"] for t in a], seed=7
)
rate_a = sum(t["passed"] for t in a) / len(a)
rate_b = sum(t["passed"] for t in b) / len(b)
lines = [f"tasks: {result.n}"]
lines.append(f"pass@1: 0.5B {rate_a:.1%}, 1.5B {rate_b:.1%}")
lines.append(
    f"difference: {result.difference * 100:+.1f} points (95% CI {result.ci_low * 100:+.1f} to "
    f"{result.ci_high * 100:+.1f}, bootstrap over problems)"
)
lines.append(f"only the 0.5B passed: {result.a_only}; only the 1.5B passed: {result.b_only}")
lines.append(f"McNemar exact p: {result.mcnemar_p:.3g}")
sys.stdout.write("\n".join(lines) + "\n")
