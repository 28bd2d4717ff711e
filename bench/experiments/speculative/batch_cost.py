"""What a verification batch costs: one batch of n tokens after a 600-token prompt, per model.

`python bench/experiments/speculative/batch_cost.py MODEL.gguf [MODEL.gguf ...] [--sizes 1,2,4]`
prints, for each size, the best of a few runs of `LlamaBackend.evaluate_batch` (logits after
every token, as verification needs) and of `append` (logits after the last token only, as a
prompt chunk or a draft model's catch-up has), each from the same cached prompt.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from models.cancellation import CancelToken
from models.generation import WorkMeter
from models.llama_backend import LlamaBackend, LoadOptions

TEXT = Path(sys.base_prefix, "lib", "python3.11", "textwrap.py")


def best_of(runs: int, backend: LlamaBackend, base: int, batch: list[int], every: bool) -> float:
    times = []
    for _ in range(runs):
        backend.truncate(base)
        started = time.perf_counter()
        if every:
            backend.evaluate_batch(batch)
        else:
            backend.append(batch)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--sizes", default="1,2,3,4,5,7,9,12,16,32")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text = TEXT.read_text() if TEXT.is_file() else "def f(x):\n    return x\n" * 200
    for path in args.models:
        backend = LlamaBackend(path, LoadOptions())
        tokens = backend.tokenize(text)[:600]
        backend.evaluate_prompt(tokens, CancelToken(), WorkMeter())
        base = len(backend.cached_tokens)
        for size in (int(s) for s in args.sizes.split(",")):
            batch = tokens[100 : 100 + size]
            every = best_of(args.runs, backend, base, batch, every=True)
            last = best_of(args.runs, backend, base, batch, every=False)
            sys.stdout.write(
                f"{path.name} n={size}: all logits {every * 1000:.1f} ms, "
                f"last logits {last * 1000:.1f} ms\n"
            )
            sys.stdout.flush()
        backend.close()


if __name__ == "__main__":
    main()
