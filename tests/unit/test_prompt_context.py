from __future__ import annotations

from models.prompt_context import PromptBudget, line_context


def words(text: str) -> int:
    return len(text.split())


def test_small_file_is_kept_whole() -> None:
    context = line_context("a b\nc ", "d\ne f\n", PromptBudget(100, 0.25), words)
    assert (context.prefix, context.suffix) == ("a b\nc ", "d\ne f\n")


def test_large_file_keeps_the_lines_nearest_the_cursor_in_whole_lines() -> None:
    prefix = "".join(f"p{i} x x\n" for i in range(100)) + "cur"
    suffix = "sor\n" + "".join(f"s{i} y y\n" for i in range(100))
    context = line_context(prefix, suffix, PromptBudget(40, 0.25), words, align_lines=1)
    assert context.prefix.endswith("p99 x x\ncur")
    assert context.suffix.startswith("sor\ns0 y y\n")
    assert context.prefix_tokens + context.suffix_tokens <= 40
    assert context.prefix.split("\n")[0].startswith("p")  # no line cut in half
    assert context.suffix_tokens <= 40 * 0.25 + 1


def test_unused_suffix_share_goes_to_the_prefix_and_back() -> None:
    prefix = "".join(f"p{i}\n" for i in range(50))
    context = line_context(prefix, "", PromptBudget(20, 0.5), words, align_lines=1)
    assert context.prefix_tokens == 20
    suffix = "\n" + "".join(f"s{i}\n" for i in range(200))
    context = line_context("x", suffix, PromptBudget(200, 0.25), words)
    assert context.suffix_tokens == 49 + 128  # its share, then the spare in 64-token steps


def test_prefix_start_moves_only_at_alignment_boundaries() -> None:
    lines = [f"line {i} a b c\n" for i in range(400)]
    starts = set()
    for cursor in range(200, 232):  # the cursor walks down 32 lines: two boundaries
        context = line_context(
            "".join(lines[:cursor]), "\n", PromptBudget(300, 0.0), words, align_lines=16
        )
        first = context.prefix.split("\n", 1)[0]
        starts.add(first)
        assert int(first.split()[1]) % 16 == 0
    assert len(starts) <= 3


def test_typing_a_line_moves_the_window_start_at_most_once() -> None:
    lines = "".join(f"line {i} a b c\n" for i in range(300))
    typed = "total = compute(first, second) + offset"
    first = {
        line_context(lines + typed[:n], "\n", PromptBudget(300, 0.25), words).prefix.split("\n")[0]
        for n in range(len(typed) + 1)
    }
    assert len(first) <= 2
