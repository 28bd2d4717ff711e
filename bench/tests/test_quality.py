"""The quality figures: what a Tab user keeps, and re-scoring under a confidence rule."""

from __future__ import annotations

from typing import Any

from models.confidence import ConfidenceRule
from wattcode_bench.quality import quality, score


def test_taken_needs_the_first_line_to_start_what_is_typed_next_with_a_word() -> None:
    assert score("urn x", "urn x\n    y").taken
    assert score("urn x", "urn x\n").line_end
    assert not score("urn self.verb", "urn self.path\n").taken
    assert not score(")", ")\n").taken  # no word: not counted as taken
    whole = score("urn x\n    y", "urn x\n    y\n")
    assert whole.taken and whole.kept == len("urn x\n    y")
    first_only = score("urn x\n    z", "urn x\n    y\n")
    assert first_only.taken and first_only.kept == len("urn x")


def test_word_by_word_keeps_whole_words_only() -> None:
    assert score("urn self.verb", "urn self.path").word_kept == len("urn self.")
    assert score("foo bar", "foo baz").word_kept == len("foo ")
    assert score("foo", "bar").word_kept == 0


def _row(typed: str, suggestion: str, next_text: str, **extra: Any) -> dict[str, Any]:
    status = "suggestion" if suggestion else "empty"
    return {"typed": typed, "suggestion": suggestion, "status": status, "next": next_text, **extra}


def test_a_taken_suggestion_is_counted_once_and_its_keys_are_not_typed() -> None:
    rows = [
        _row("r", "eturn x", "eturn x\n"),
        *(_row(c, "eturn x"[i + 1 :], "eturn x\n"[i + 1 :]) for i, c in enumerate("eturn x")),
        _row("\n", "", ""),
    ]
    figures = quality([rows], joules=14.0, prompt_tokens=70)
    assert figures["shown"] == 1 and figures["taken_whole"] == 1
    assert figures["kept_chars"] == 7 and figures["precision"] == 1.0
    assert figures["joules_per_kept_char"] == 2.0 and figures["prompt_tokens_per_kept_char"] == 10


def test_a_rule_cuts_a_generation_and_the_cache_served_rest_alike() -> None:
    generated = _row(
        "r",
        "eturn x + made_up",
        "eturn x\n",
        raw_text="eturn x + made_up",
        probabilities=[0.9, 0.9, 0.1, 0.1],
        ends=[5, 7, 9, 17],
    )
    cached = _row("e", "turn x + made_up", "turn x\n")
    shown_all = quality([[generated, cached]], 1.0, 1.0)
    # The cached rest is the same ghost text narrowed by the typed `e`: one suggestion shown.
    assert shown_all["taken_whole"] == 0 and shown_all["shown"] == 1
    cut = quality([[generated, cached]], 1.0, 1.0, ConfidenceRule(min_token=0.5))
    assert cut["taken_whole"] == 1 and cut["kept_chars"] == len("eturn x")


def test_a_new_suggestion_on_the_next_key_is_counted_apart() -> None:
    rows = [_row("r", "eturn y", "eturn x\n"), _row("e", "lse", "turn x\n")]
    assert quality([rows], 1.0, 1.0)["shown"] == 2


def test_a_rest_of_a_generation_made_before_the_span_is_left_as_shown() -> None:
    rows = [_row(" ", "return x", "return x\n"), _row("r", "eturn x", "eturn x\n")]
    assert quality([rows], 1.0, 1.0, ConfidenceRule(min_token=0.9))["taken_whole"] == 1
