"""What choosing the prompt's context costs per keystroke on a large file.

Types whole lines, character by character, at seeded places inside function bodies of a
6,400-line file, and times `ContextTrimmer.context()` (incremental reparse, outline, token counts,
selection) for each keystroke with the real model's tokenizer. The first context after opening
the file (a full parse) is reported apart.
"""

from __future__ import annotations

import random
import re
import time
from typing import Any

from models.cursor_text import CursorText
from models.prompt_context import CountTokens, PromptBudget
from models.trimming.context_trimmer import ContextTrimmer
from wattcode_bench.corpus import LARGE_FILE
from wattcode_bench.paired_stats import percentile

BUDGET = PromptBudget(1024, 0.25)
_BODY_LINE = re.compile(r"^ {8}\S.{20,70}$")
"""A statement two levels in (a method body) of a comfortable length to retype."""


def measure(count: CountTokens, places: int, seed: int) -> dict[str, Any]:
    source = LARGE_FILE.load()
    if source is None:
        return {"skipped": f"{LARGE_FILE.path} is missing or changed"}
    lines = source.splitlines(keepends=True)
    candidates = [i for i, line in enumerate(lines) if _BODY_LINE.match(line.rstrip("\n"))]
    chosen = sorted(random.Random(seed).sample(candidates, min(places, len(candidates))))
    trimmer = ContextTrimmer(count)
    document = f"bench/{LARGE_FILE.path.name}"
    started = time.perf_counter()
    first = trimmer.context(CursorText(source, "", document, "python"), BUDGET)
    open_seconds = time.perf_counter() - started
    times: list[float] = []
    tokens: list[int] = []
    for index in chosen:
        line = lines[index]
        indent = len(line) - len(line.lstrip())
        before = "".join(lines[:index]) + line[:indent]
        after = "\n" + "".join(lines[index + 1 :])
        for typed in range(1, len(line.rstrip("\n")) - indent + 1):
            head = line[indent : indent + typed]
            cursor = CursorText(before + head, after, document, "python")
            started = time.perf_counter()
            context = trimmer.context(cursor, BUDGET)
            times.append(time.perf_counter() - started)
            tokens.append(context.prefix_tokens + context.suffix_tokens)
    return {
        "file": f"{LARGE_FILE.path.name} ({source.count(chr(10))} lines)",
        "keystrokes": len(times),
        "places": len(chosen),
        "budget": BUDGET.tokens,
        "open_ms": open_seconds * 1000,
        "open_prompt_tokens": first.prefix_tokens + first.suffix_tokens,
        "p50_ms": percentile(times, 50) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "max_ms": max(times) * 1000 if times else float("nan"),
        "prompt_tokens_mean": sum(tokens) / len(tokens) if tokens else float("nan"),
        "full_parses": trimmer.trees.full_parses,
        "incremental_parses": trimmer.trees.incremental_parses,
        "deferred_updates": trimmer.trees.deferred_updates,
        "trimmed": trimmer.trimmed,
        "fallbacks": trimmer.fallbacks,
    }
