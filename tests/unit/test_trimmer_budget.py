"""The trimmed prompt never exceeds its budget, in real files at random cursors."""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.cursor_text import CursorText, OpenDocument
from models.prompt_context import PromptBudget, PromptContext
from models.trimming.context_trimmer import ContextTrimmer

STDLIB = Path(sysconfig.get_paths()["stdlib"])
CASES = Path(__file__).parent / "trimming_cases"
REAL_FILES = [
    STDLIB / "textwrap.py",
    STDLIB / "fractions.py",
    Path("/usr/lib/node_modules/npm/node_modules/semver/classes/range.js"),
    Path("/usr/share/doc/git/contrib/persistent-https/client.go"),
]
ELISIONS = {"", "...", "// ..."}
_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """Words and punctuation: additive over pieces that meet at whitespace."""
    return len(_TOKEN.findall(text))


def _sources() -> dict[str, str]:
    sources = {f"file://{path}": path.read_text() for path in REAL_FILES if path.exists()}
    for case in sorted(CASES.glob("*.in")):
        sources[f"file:///cases/{case.stem}"] = case.read_text().replace("█", "")
    return sources


SOURCES = _sources()
TRIMMERS = {document: ContextTrimmer(count_tokens) for document in SOURCES}
"""One trimmer per file, kept across examples as the server keeps it across requests."""


def test_the_real_files_are_there() -> None:
    missing = [str(path) for path in REAL_FILES if not path.exists()]
    assert not missing, f"real files for the property tests are missing: {missing}"


def _in_order(lines: list[str], originals: list[str], extra: frozenset[str] = frozenset()) -> None:
    """Each line is an elision, one of `extra`, or the next whole original line, in order."""
    position = 0
    for line in lines:
        if line.strip() in ELISIONS or line in extra:
            continue
        while position < len(originals) and originals[position] != line:
            position += 1
        assert position < len(originals), f"not a whole original line, or out of order: {line!r}"
        position += 1


def check_context(
    context: PromptContext, text: str, offset: int, budget: int, extra: frozenset[str] = frozenset()
) -> None:
    """The properties every context has, whatever the language and the trimming."""
    prefix, suffix = text[:offset], text[offset:]
    head = prefix[prefix.rfind("\n") + 1 :]
    newline = suffix.find("\n")
    tail = suffix if newline < 0 else suffix[: newline + 1]
    assert context.prefix_tokens == count_tokens(context.prefix)
    assert context.suffix_tokens == count_tokens(context.suffix)
    if count_tokens(head) + count_tokens(tail) <= budget // 2:
        assert context.prefix_tokens + context.suffix_tokens <= budget
    assert context.prefix.endswith(head)
    assert context.suffix.startswith(tail)
    rows = text.split("\n")
    cursor_row = prefix.count("\n")
    above = context.prefix[: len(context.prefix) - len(head)].split("\n")[:-1]
    below = context.suffix[len(tail) :].split("\n")
    if below and not below[-1]:
        below.pop()
    _in_order(above, rows[:cursor_row], extra)
    _in_order(below, rows[cursor_row + 1 :], extra)


@settings(max_examples=150, deadline=None)
@given(
    document=st.sampled_from(sorted(SOURCES)),
    where=st.floats(0, 1),
    budget=st.integers(32, 2048),
    suffix_share=st.floats(0, 0.9),
)
def test_budget_is_never_exceeded_and_lines_are_whole(
    document: str, where: float, budget: int, suffix_share: float
) -> None:
    text = SOURCES[document]
    offset = int(where * len(text))
    context = TRIMMERS[document].context(
        CursorText(text[:offset], text[offset:], document, None), PromptBudget(budget, suffix_share)
    )
    check_context(context, text, offset, budget)


@pytest.mark.parametrize(
    "broken",
    [
        "int main(void) {\n  if (x {\n    call(;\n  }}}\n" * 30,
        "def f(:\n    return [1, 2\nclass :\n  \x00\x01\xff garbage ))) \n" * 30,
        'fn main() {\n    let x = "unterminated;\n    impl Foo for {\n' * 30,
        "function half(a, b\n  const x = ;\n" * 30 + "export class { ",
    ],
)
@pytest.mark.parametrize("language_id", ["c", "python", "rust", "javascript"])
def test_broken_code_still_gives_a_context_within_budget(broken: str, language_id: str) -> None:
    trimmer = ContextTrimmer(count_tokens)
    for offset in range(0, len(broken), 97):
        context = trimmer.context(
            CursorText(broken[:offset], broken[offset:], "file:///broken", language_id),
            PromptBudget(64, 0.3),
        )
        check_context(context, broken, offset, 64)
    assert trimmer.trimmed > 0  # the trimmer, not only its fallback, handled broken code


def test_cross_file_header_lines_are_accounted_for() -> None:
    """The related files' comment header and signatures count like the rest."""
    util = "def helper(values: list[int]) -> int:\n    return sum(values)\n"
    body = "".join(f"    step_{i} = helper([{i}, {i + 1}])\n" for i in range(60))
    text = f"from util import helper\n\n\ndef main() -> None:\n{body}    total = "
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(
            text,
            "\n",
            "file:///p/main.py",
            "python",
            open_documents=[OpenDocument("file:///p/util.py", "python", util)],
        ),
        PromptBudget(120, 0.25),
    )
    assert context.prefix.startswith("# util.py\ndef helper(values: list[int]) -> int:\n")
    lines = frozenset({"# util.py", "def helper(values: list[int]) -> int:"})
    check_context(context, text + "\n", len(text), 120, lines)
