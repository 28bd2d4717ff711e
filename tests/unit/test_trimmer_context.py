"""Cross-file signatures, and a prompt that stays put while the user types."""

from __future__ import annotations

import itertools
import re
import sysconfig
from dataclasses import replace
from pathlib import Path

from models.cursor_text import CursorText, OpenDocument
from models.prompt_context import PromptBudget
from models.trimming.context_trimmer import ContextTrimmer

TEXTWRAP = Path(sysconfig.get_paths()["stdlib"]) / "textwrap.py"
_TOKEN = re.compile(r"\w+|[^\w\s]")

UTIL_PY = '''"""Helpers."""


def helper(values: list[int], scale: float = 1.0) -> float:
    total = 0.0
    for value in values:
        total += value * scale
    return total


def unused(text: str) -> str:
    return text.upper()
'''
OTHER_PY = """def helper(values: list[int]) -> int:
    return len(values)
"""
UTIL_JS = """export function weigh(items, unit = "kg") {
  let sum = 0;
  for (const item of items) {
    sum += item.weight;
  }
  return `${sum} ${unit}`;
}

export function other() {
  return 1;
}
"""


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def _long_body(line: str, rows: int, indent: str = "    ") -> str:
    return "".join(f"{indent}{line.format(i=i)}\n" for i in range(rows))


def test_an_imported_open_document_lends_the_used_signature() -> None:
    prefix = (
        "from util import helper\n\n\ndef report(rows: list[list[int]]) -> None:\n"
        + _long_body("line_{i} = [{i}, {i} + 1, {i} * 2]", 50)
        + "    first = helper(line_0)\n    second = "
    )
    suffix = "\n    print(first, second)\n"
    documents = [
        OpenDocument("file:///p/util.py", "python", UTIL_PY),
        OpenDocument("file:///p/other.py", "python", OTHER_PY),
    ]
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, "file:///p/main.py", "python", open_documents=documents),
        PromptBudget(200, 0.25),
    )
    assert context.prefix.startswith(
        "# util.py\n...\n\n\ndef helper(values: list[int], scale: float = 1.0) -> float:\n"
        "    ...\n\nfrom util import helper\n"
    )
    assert "def unused" not in context.prefix
    assert "other.py" not in context.prefix  # defines `helper` too, but is not imported
    assert "return len(values)" not in context.prefix
    assert context.prefix_tokens + context.suffix_tokens <= 200
    assert context.prefix_tokens == count_tokens(context.prefix)
    # The next keystroke finds util.py prepared already; an edit to it prepares it again.
    prepared = trimmer._related_files["file:///p/util.py"][1]
    trimmer.context(
        CursorText(prefix + "x", suffix, "file:///p/main.py", "python", open_documents=documents),
        PromptBudget(200, 0.25),
    )
    assert trimmer._related_files["file:///p/util.py"][1] is prepared
    edited = [OpenDocument("file:///p/util.py", "python", UTIL_PY + "\n")]
    trimmer.context(
        CursorText(prefix + "x", suffix, "file:///p/main.py", "python", open_documents=edited),
        PromptBudget(200, 0.25),
    )
    assert trimmer._related_files["file:///p/util.py"][1] is not prepared


def test_a_document_that_is_not_imported_lends_nothing() -> None:
    prefix = (
        "import os\n\n\ndef report() -> None:\n"
        + _long_body("line_{i} = os.getpid() + {i}", 50)
        + "    first = helper(line_0)\n    second = "
    )
    documents = [OpenDocument("file:///p/util.py", "python", UTIL_PY)]
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, "\n", "file:///p/main.py", "python", open_documents=documents),
        PromptBudget(150, 0.25),
    )
    assert "util.py" not in context.prefix
    assert "def helper" not in context.prefix
    assert trimmer.trimmed == 1


def test_an_imported_javascript_module_lends_the_used_signature() -> None:
    prefix = (
        'import { weigh } from "./util";\n\nexport function pack(boxes) {\n'
        + _long_body("const box{i} = boxes[{i}];", 50, "  ")
        + "  const label = weigh(boxes);\n  return "
    )
    suffix = "\n}\n"
    documents = [OpenDocument("file:///p/util.js", "javascript", UTIL_JS)]
    trimmer = ContextTrimmer(count_tokens)
    context = trimmer.context(
        CursorText(prefix, suffix, "file:///p/main.js", "javascript", open_documents=documents),
        PromptBudget(150, 0.25),
    )
    assert context.prefix.startswith(
        '// util.js\nexport function weigh(items, unit = "kg") {\n  // ...\n}\n'
    )
    assert "other()" not in context.prefix
    assert context.prefix_tokens + context.suffix_tokens <= 150


def test_typing_keeps_the_suffix_and_the_start_of_the_prefix() -> None:
    """Each keystroke's prompt should share all but the cursor's line with the previous one,
    so that the model's KV cache is reused."""
    text = TEXTWRAP.read_text()
    needle = "            # First chunk on line is whitespace -- drop it, unless this\n"
    offset = text.index(needle) + len(needle) - 1  # the end of a line deep in _wrap_chunks
    typed = " or a long trailing remark"
    trimmer = ContextTrimmer(count_tokens)
    prompts = []
    for length in range(len(typed) + 1):
        prefix = text[:offset] + typed[:length]
        context = trimmer.context(
            CursorText(prefix, text[offset:], "file:///p/textwrap.py", "python"),
            PromptBudget(400, 0.25),
        )
        head = prefix[prefix.rfind("\n") + 1 :]
        assert context.prefix.endswith(head)
        prompts.append((context.prefix[: -len(head)], context.suffix))
    assert trimmer.trimmed == len(typed) + 1
    assert len({suffix for _, suffix in prompts}) == 1
    starts = [start for start, _ in prompts]
    changes = sum(1 for before, after in itertools.pairwise(starts) if before != after)
    assert changes <= 1  # at most one alignment boundary crossed
    assert trimmer.trees.full_parses == 1


def test_a_blank_line_after_a_body_continues_that_function() -> None:
    """On the (auto-indented) line after a function's last statement the parser has ended the
    function; the trimmer still treats the cursor as inside it, so the rest of the file's
    bodies are not pulled in as if the cursor were at the top level."""
    padding = "".join(
        f"def pad{i}(x):\n    y = x * {i}\n    for k in range(y):\n"
        "        y += k\n    return y\n\n\n"
        for i in range(60)
    )
    target = (
        'def scale(values, factor):\n    """Multiply every value by factor."""\n'
        "    result = []\n    for v in values:\n        result.append(v * factor)\n"
    )
    count = lambda text: len(_TOKEN.findall(text))  # noqa: E731
    for indent in ("", "    "):
        trimmer = ContextTrimmer(count)
        prefix = padding + target + indent
        context = trimmer.context(
            CursorText(prefix, "\n", "file:///scale.py", "python"), PromptBudget(400, 0.25)
        )
        assert trimmer.trimmed == 1
        assert "def scale(values, factor):" in context.prefix
        assert "Multiply every value by factor." in context.prefix
        assert "y += k" not in context.prefix  # no padding bodies
        assert context.prefix_tokens + context.suffix_tokens < 120


def test_a_short_helper_used_at_the_cursor_is_shown_whole_and_a_long_one_by_its_signature() -> None:
    short_helper = (
        "def poly(xs: list, x: float):\n    return sum(c * x**i for i, c in enumerate(xs))\n"
    )
    long_helper = "def smooth(xs: list) -> list:\n" + _long_body("xs = [v * {i} for v in xs]", 20)
    filler = "".join(f"def unused_{n}(a):\n    return a + {n}\n\n\n" for n in range(60))
    prefix = (
        f"import math\n\n\n{short_helper}\n\n{long_helper}    return xs\n\n\n{filler}"
        "def find_zero(xs: list):\n    xs = smooth(xs)\n    while poly(xs, 1.0) > 0:\n        "
    )
    suffix = "\n    return xs\n"
    context = ContextTrimmer(count_tokens).context(
        CursorText(prefix, suffix, "file:///p/zero.py", "python"), PromptBudget(300, 0.25)
    )
    assert short_helper in context.prefix
    assert "def smooth(xs: list) -> list:\n    ...\n" in context.prefix
    assert "unused_" not in context.prefix
    assert context.prefix_tokens + context.suffix_tokens <= 300


GO_CLIENT = """package main

import (
\t"fmt"
\t"os"
)

type Client struct {
\tArgs []string
}

func (c *Client) Run() error {
\t█
\t\treturn err
\t}
\tfmt.Println(c.Args)
\treturn nil
}

func (c *Client) connect() (string, error) {
""" + "".join(f'\tpart{n} := fmt.Sprintf("%d", {n})\n\t_ = part{n}\n' for n in range(40))
GO_CLIENT += """\treturn "", nil
}

func (c *Client) resolveArgs() error {
\tif len(c.Args) > 2 {
\t\treturn fmt.Errorf("want at most 2 args")
\t}
\treturn nil
}
"""


def test_typing_a_line_that_breaks_the_parse_keeps_the_suffix() -> None:
    # Half-typed, `if err := c.resolveArgs(); err != nil {` leaves `return err }` below it
    # unmatched: at some keys the parser ends Run early, at others runs it into connect().
    # The suffix comes first in the prompt, so a flip would cost the whole KV cache.
    line = "if err := c.resolveArgs(); err != nil {"
    suffixes = _suffixes_while_typing(
        CursorText(GO_CLIENT, "", "file:///p/client.go", "go"), line, PromptBudget(160, 0.25)
    )
    assert len(suffixes) == 1


RANGE_JS = """const debug = (...args) => console.log(...args)

const isX = id => !id || id.toLowerCase() === 'x' || id === '*'

const replaceTilde = (comp) => {
  const [M, m, p, pr] = comp.split('.')
  let ret
  if (isX(m)) {
    ret = `>=${M}.0.0 <${+M + 1}.0.0-0`
  } else if (pr) {
    debug('replaceTilde pr', pr)
    █
  } else {
    ret = `>=${M}.${m}.${p} <${M}.${+m + 1}.0-0`
  }
  debug('tilde return', ret)
  return ret
}

const replaceCaret = (comp) => {
  const [M, m, p] = comp.split('.')
  return `>=${M}.${m}.${p} <${+M + 1}.0.0-0`
}

const replaceStars = (comp) => comp.trim().replace(/\\*/g, '')
"""


def test_a_line_break_inside_an_unfinished_template_literal_keeps_the_suffix() -> None:
    # After the line break the backtick is still open: the parser reads the rest of the file
    # as string and code turned about, and an outline made from that tree would change the
    # functions around the cursor, the suffix with them, and cost the whole KV cache (about
    # 600 tokens of range.js at one key in the typing replay).
    typed = "ret = `>=${M}.${m}.${p}-${pr\n      } <${M}.${+m + 1}.0-0`"
    suffixes = _suffixes_while_typing(
        CursorText(RANGE_JS, "", "file:///p/range.js", "javascript"), typed, PromptBudget(240, 0.45)
    )
    assert len(suffixes) == 1
    assert "const replaceCaret = (comp) => {" in suffixes.pop()


def _suffixes_while_typing(opened: CursorText, typed: str, budget: PromptBudget) -> set[str]:
    """The suffixes the trimmer gives while `typed` is typed key by key at the █ of the
    opened document's text; every key's prompt trimmed, its prefix ending with the cursor's
    line."""
    before, after = opened.prefix.split("█")
    trimmer = ContextTrimmer(count_tokens)
    suffixes = set()
    for length in range(len(typed) + 1):
        prefix = before + typed[:length]
        context = trimmer.context(replace(opened, prefix=prefix, suffix=after), budget)
        assert context.prefix.endswith(prefix[prefix.rfind("\n") + 1 :])
        suffixes.add(context.suffix)
    assert trimmer.trimmed == len(typed) + 1
    return suffixes
