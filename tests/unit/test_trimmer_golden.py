"""What the trimmer keeps, per language, as readable expected text.

Each case under trimming_cases/ is a small source file (`NAME.EXT.in`) with the cursor marked
`█`; its `NAME.EXT.expected` is the prompt the model would see: prefix, `█`, suffix. Run with
WATTCODE_UPDATE_GOLDEN=1 to rewrite the expected files, then read every diff before committing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from models.cursor_text import CursorText
from models.prompt_context import PromptBudget
from models.trimming.context_trimmer import ContextTrimmer

CASES = Path(__file__).parent / "trimming_cases"
CURSOR = "█"
BUDGET = 200
SUFFIX_SHARE = 0.25
LANGUAGE_IDS = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "typescript",
    ".tsx": "typescriptreact",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".cpp": "cpp",
}
_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """Words and punctuation: deterministic, and additive over whitespace-separated pieces."""
    return len(_TOKEN.findall(text))


def _cases() -> list[Path]:
    return sorted(CASES.glob("*.in"))


def test_every_language_has_a_case() -> None:
    assert {Path(case.stem).suffix for case in _cases()} == set(LANGUAGE_IDS)


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case.stem)
def test_trimmed_prompt_matches_the_expected_text(case: Path) -> None:
    source = case.read_text()
    assert source.count(CURSOR) == 1
    prefix, suffix = source.split(CURSOR)
    name = case.stem  # e.g. "inventory.py"
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, f"file:///project/{name}", LANGUAGE_IDS[Path(name).suffix]),
        PromptBudget(BUDGET, SUFFIX_SHARE),
    )
    assert count_tokens(source) > BUDGET  # the case is long enough to be trimmed
    assert (trimmer.trimmed, trimmer.fallbacks) == (1, 0)
    assert context.prefix_tokens + context.suffix_tokens <= BUDGET
    assert context.prefix_tokens == count_tokens(context.prefix)
    assert context.suffix_tokens == count_tokens(context.suffix)
    head = prefix[prefix.rfind("\n") + 1 :]
    tail = suffix.split("\n", 1)[0] + "\n"
    assert context.prefix.endswith(head)
    assert context.suffix.startswith(tail)

    shown = context.prefix + CURSOR + context.suffix
    expected = case.with_suffix(".expected")
    if os.environ.get("WATTCODE_UPDATE_GOLDEN") == "1":
        expected.write_text(shown)
    assert shown == expected.read_text()
