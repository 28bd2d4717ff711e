"""Where the trimmer cannot or need not trim, completion still gets a sound context."""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path

import pytest

from models.cursor_text import CursorText
from models.prompt_context import PromptBudget, line_context
from models.trimming import context_trimmer
from models.trimming.context_trimmer import ContextTrimmer

TEXTWRAP = Path(sysconfig.get_paths()["stdlib"]) / "textwrap.py"
_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def _split(text: str, needle: str) -> tuple[str, str]:
    offset = text.index(needle) + len(needle)
    return text[:offset], text[offset:]


@pytest.mark.parametrize(
    ("document", "language_id"),
    [("file:///p/report.cob", "cobol"), ("file:///p/notes.xyz", None), (None, None)],
)
def test_an_unknown_language_gets_exactly_the_line_context(
    document: str | None, language_id: str | None
) -> None:
    prefix, suffix = _split(TEXTWRAP.read_text(), "chunks = self._split_chunks(text)")
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, document, language_id), PromptBudget(300, 0.25)
    )
    assert context == line_context(prefix, suffix, PromptBudget(300, 0.25), count_tokens)
    assert (trimmer.trimmed, trimmer.fallbacks) == (0, 0)


def test_the_extension_names_the_language_when_the_client_does_not() -> None:
    prefix, suffix = _split(TEXTWRAP.read_text(), "chunks = self._split_chunks(text)")
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, "file:///p/textwrap.py", None), PromptBudget(300, 0.25)
    )
    assert trimmer.trimmed == 1
    assert context != line_context(prefix, suffix, PromptBudget(300, 0.25), count_tokens)


def test_trimming_switched_off_gets_the_line_context() -> None:
    prefix, suffix = _split(TEXTWRAP.read_text(), "chunks = self._split_chunks(text)")
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, "file:///p/textwrap.py", "python"),
        PromptBudget(300, 0.25),
        False,
    )
    assert context == line_context(prefix, suffix, PromptBudget(300, 0.25), count_tokens)
    assert trimmer.trimmed == 0


def test_a_file_that_fits_is_sent_whole() -> None:
    text = "import os\n\n\ndef main() -> None:\n    print(os.getcwd())\n\n\nmain()\n"
    prefix, suffix = _split(text, "print(os.")
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, "file:///p/small.py", "python"),
        PromptBudget(count_tokens(text), 0.2),
    )
    assert (context.prefix, context.suffix) == (prefix, suffix)
    assert context.prefix_tokens + context.suffix_tokens == count_tokens(text)
    assert trimmer.trimmed == 0


def test_a_file_that_fits_only_unsplit_stays_within_the_budget() -> None:
    """The cursor inside a word splits one token in two: the whole file then costs one more
    than its lines did, and a budget of exactly the lines must still hold."""
    text = "import os\n\n\ndef main() -> None:\n    print(os.getcwd())\n\n\nmain()\n"
    prefix, suffix = _split(text, "print(os.getc")
    budget = PromptBudget(count_tokens(text), 0.0)
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(CursorText(prefix, suffix, "file:///p/small.py", "python"), budget)
    assert count_tokens(prefix) + count_tokens(suffix) == budget.tokens + 1
    assert context.prefix_tokens + context.suffix_tokens <= budget.tokens
    assert context == line_context(prefix, suffix, budget, count_tokens)


def test_a_trimmer_failure_falls_back_to_the_line_context(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_trim(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the trimmer")

    monkeypatch.setattr(context_trimmer, "trim", broken_trim)
    prefix, suffix = _split(TEXTWRAP.read_text(), "chunks = self._split_chunks(text)")
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, "file:///p/textwrap.py", "python"), PromptBudget(300, 0.25)
    )
    assert context == line_context(prefix, suffix, PromptBudget(300, 0.25), count_tokens)
    assert (trimmer.trimmed, trimmer.fallbacks) == (0, 1)
    assert "trimming file:///p/textwrap.py failed" in caplog.text


def test_a_half_typed_definition_is_trimmed_within_budget() -> None:
    text = TEXTWRAP.read_text()
    needle = "    def _split_chunks(self, text):\n"
    prefix, suffix = _split(text, needle)
    prefix += "    def _merge(self, chunks, wid"  # typing a new method's parameters
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, "file:///p/textwrap.py", "python"), PromptBudget(200, 0.25)
    )
    assert context.prefix.endswith("    def _merge(self, chunks, wid")
    assert context.prefix_tokens + context.suffix_tokens <= 200
    assert "import re\n" in context.prefix
    assert trimmer.trimmed == 1


def test_a_line_indented_too_far_below_the_cursor_keeps_the_outline() -> None:
    # The cursor on an `if` header's line being typed leaves its body indented too far and an
    # `else:` without its `if`: tree-sitter then wraps the whole module in one ERROR node. The
    # trimmer must still find the cursor's function and keep its header, not fill the budget
    # with unrelated code above it.
    filler = "".join(
        f"def helper_{n}(values):\n    total = 0\n    for v in values:\n"
        f"        total += v * {n}\n    return total\n\n\n"
        for n in range(40)
    )
    prefix = filler + "def median(l: list):\n    l = sorted(l)\n"
    suffix = "\n        return l[len(l) // 2]\n    else:\n        return l[0]\n"
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, "file:///p/stats.py", "python"), PromptBudget(200, 0.25)
    )
    assert trimmer.trimmed == 1
    assert context.prefix.endswith("def median(l: list):\n    l = sorted(l)\n")
    assert "helper_38" not in context.prefix  # the function right above: not the cursor's
    assert context.prefix_tokens + context.suffix_tokens <= 200


def test_the_suffix_runs_to_the_end_of_the_function_past_a_line_the_parser_cannot_place() -> None:
    # The missing `if` leaves an orphan `else:`; the parser ends `closest` before it, but by
    # its indentation the function runs on to `return res`, which the model should see.
    filler = "".join(f"def helper_{n}(xs):\n    return sum(xs) * {n}\n\n\n" for n in range(60))
    prefix = filler + "def closest(value):\n    num = float(value)\n"
    suffix = "\n        res = int(round(num))\n    else:\n        res = 0\n\n    return res\n"
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, "file:///p/closest.py", "python"), PromptBudget(200, 0.25)
    )
    assert trimmer.trimmed == 1
    assert context.suffix == suffix
    assert context.prefix.endswith("\n\n\ndef closest(value):\n    num = float(value)\n")
