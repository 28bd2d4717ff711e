"""Peak memory with both models loaded as the server loads them for `wattcode.model.draft`.

`python bench/experiments/speculative/peak_rss.py LARGE.gguf SMALL.gguf [--draft-batch N]`
prints the resident set after each load and after speculative suggestions at a few cursors
(1024-token prompts, 64 tokens), and the process's peak (ru_maxrss).
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

import psutil

from models.completion_engine import CompletionEngine, CompletionOptions
from models.cursor_text import CursorText
from models.llama_backend import LlamaBackend, LoadOptions
from models.local_runner import LocalRunner
from models.speculative import DraftMode, SpeculationOptions, SpeculativeModel
from wattcode_bench.speculative_speed import cursors


def report(label: str) -> None:
    rss = psutil.Process().memory_info().rss / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(f"{label}: RSS {rss:.0f} MB, peak {peak:.0f} MB\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("large", type=Path)
    parser.add_argument("small", type=Path)
    parser.add_argument("--draft-batch", type=int, default=512)
    parser.add_argument("--no-mmap", action="store_true", help="read the files, as speculating")
    args = parser.parse_args()
    mmap = not args.no_mmap
    report("start")
    large = LlamaBackend(args.large, LoadOptions(use_mmap=mmap))
    report("1.5B loaded")
    small = LlamaBackend(args.small, LoadOptions(batch_size=args.draft_batch, use_mmap=mmap))
    report(f"0.5B loaded (batch {args.draft_batch})")
    model = SpeculativeModel(large, small, SpeculationOptions(DraftMode.AUTO))
    engine = CompletionEngine(LocalRunner(model))
    for cursor in cursors(per_file=1, seed=3):
        engine.complete(CursorText(cursor.prefix, cursor.suffix), CompletionOptions())
        report(f"after a suggestion in {cursor.file}")


if __name__ == "__main__":
    main()
