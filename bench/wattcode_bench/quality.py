"""What users keep: each shown suggestion scored against what is typed next, as a user who
presses Tab would (issue 27's quality figures).

- **taken**: the suggestion's first line is exactly the start of what is typed next and holds
  at least one word character; Tab keeps it. The keys it covers are then not typed, so the
  suggestions shown on them are not counted (a suggestion is taken once, not key after key).
- **shown**: distinct suggestions a user sees. Ghost text that narrows as the user types
  through it (the next key shows the same text less the typed character) is the one
  suggestion still on screen, not a new one.
- **precision**: taken / shown.
- **kept characters**: what Tab keeps (the whole suggestion when every line of it is right,
  else its first line), per 100 keys of the replay.
- **word-by-word**: what accepting word by word keeps (the longest right start that ends at a
  word's end), scored the same way.
- **to the line end**: the first line is exactly the rest of the line (the older `accepted`).

Records keep each suggestion with the text typed after it and its tokens' probabilities, so
`rescored` can apply another confidence rule without re-running the model: a suggestion is cut
where the rule cuts its generation, and one served from the suggestion cache (the rest of an
earlier generation) is cut where that generation was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from models.confidence import ConfidenceRule


@dataclass(frozen=True)
class Score:
    taken: bool
    kept: int
    """Characters Tab keeps (0 when not taken)."""
    word_kept: int
    """Characters a word-by-word accept keeps."""
    line_end: bool


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _has_word(text: str) -> bool:
    return any(_is_word(c) for c in text)


def _inside_word(text: str, position: int) -> bool:
    return _is_word(text[position - 1]) and _is_word(text[position])


def score(suggestion: str, next_text: str) -> Score:
    """One shown suggestion against what the user types next."""
    first = suggestion.split("\n", 1)[0]
    taken = bool(first) and _has_word(first) and next_text.startswith(first)
    kept = 0
    if taken:
        kept = len(suggestion) if next_text.startswith(suggestion) else len(first)
    common = 0
    limit = min(len(suggestion), len(next_text))
    while common < limit and suggestion[common] == next_text[common]:
        common += 1
    word_kept = common  # a word accept never stops inside a word
    while 0 < word_kept < len(suggestion) and _inside_word(suggestion, word_kept):
        word_kept -= 1
    rest_of_line = next_text.split("\n", 1)[0]
    line_end = bool(first.strip()) and first.rstrip() == rest_of_line.rstrip()
    return Score(taken, kept, word_kept if _has_word(suggestion[:word_kept]) else 0, line_end)


Row = dict[str, Any]
"""A key's record as results.json keeps it (`KeyRecord.row`)."""


def _walk(rows: Sequence[Row], shown_text: Callable[[int], str]) -> dict[str, int]:
    """Replay one span's keys as a Tab user: a taken suggestion skips the keys it covers."""
    totals = dict.fromkeys(("shown", "taken", "kept", "line_end"), 0)
    index, previous = 0, ""
    while index < len(rows):
        text = shown_text(index)
        if text:
            result = score(text, rows[index]["next"])
            if not _narrowed(previous, rows[index].get("typed", ""), text):
                totals["shown"] += 1
                totals["line_end"] += result.line_end
            if result.taken:
                totals["taken"] += 1
                totals["kept"] += result.kept
                index += result.kept + 1
                previous = ""
                continue
        previous = text
        index += 1
    word = 0
    index = 0
    while index < len(rows):
        text = shown_text(index)
        kept = score(text, rows[index]["next"]).word_kept if text else 0
        word += kept
        index += kept + 1
    totals["word_kept"] = word
    return totals


def _narrowed(previous: str, typed: str, text: str) -> bool:
    """Whether `text` is the suggestion shown before this key, less the typed character."""
    return (
        bool(previous and typed) and previous.startswith(typed) and text == previous[len(typed) :]
    )


def _cut_texts(rows: Sequence[Row], rule: ConfidenceRule | None) -> list[str]:
    """Each key's shown suggestion, cut as `rule` would have cut its generation (None: as
    shown). A suggestion with no probabilities of its own came from the suggestion cache: the
    rest of the span's last generation is cut where that one was; a rest of a generation made
    before the span (or an older one) is left as shown, its probabilities unknown."""
    texts: list[str] = []
    whole, cut_text, consumed = "", "", 0
    """The last generation's shown text, as the rule cuts it, and what was typed since."""
    for row in rows:
        text = row.get("suggestion", "") if row.get("status") == "suggestion" else ""
        consumed += len(row.get("typed", ""))
        if rule is not None and text:
            if row.get("ends"):
                kept = rule.kept_tokens(row["probabilities"])
                cut = row["ends"][kept - 1] if kept else 0
                whole, consumed = text, 0
                text = cut_text = _cut_shown(text, row.get("raw_text") or text, cut)
            elif whole and whole[consumed:] == text:
                text = cut_text[consumed:]
        texts.append(text)
    return texts


def _cut_shown(shown: str, raw: str, cut: int) -> str:
    """The shown text cut where the raw generation is cut (the shown text is the raw one
    cleaned: its first line is the raw first line, trailing blanks aside)."""
    if cut >= len(raw):
        return shown
    kept = raw[:cut]
    if "\n" in kept:
        kept = kept[: kept.rfind("\n")]
    return shown[: len(kept)].rstrip() if shown.startswith(kept.rstrip()) else shown[: len(kept)]


def quality(
    spans: Sequence[Sequence[Row]],
    joules: float,
    prompt_tokens: float,
    rule: ConfidenceRule | None = None,
) -> dict[str, float]:
    """The quality figures over the spans' key records (see the module docstring)."""
    totals = dict.fromkeys(("shown", "taken", "kept", "word_kept", "line_end"), 0)
    keys = 0
    for rows in spans:
        texts = _cut_texts(rows, rule)
        for key, value in _walk(rows, texts.__getitem__).items():
            totals[key] += value
        keys += len(rows)
    kept = totals["kept"]
    return {
        "shown": totals["shown"],
        "taken_whole": totals["taken"],
        "precision": totals["taken"] / totals["shown"] if totals["shown"] else float("nan"),
        "kept_chars": kept,
        "kept_chars_per_100_keys": 100 * kept / keys if keys else float("nan"),
        "word_kept_chars_per_100_keys": 100 * totals["word_kept"] / keys if keys else float("nan"),
        "right_to_line_end": totals["line_end"],
        "joules_per_kept_char": joules / kept if kept else float("nan"),
        "prompt_tokens_per_kept_char": prompt_tokens / kept if kept else float("nan"),
    }


QUALITY_ORDER = ("wattcode", "naive", "llamavim")
"""The configurations the headline leads with, when the run has them."""


def quality_headline(configs: dict[str, Any]) -> list[str]:
    """The headline's first line: what users keep, per configuration."""
    parts = [
        f"{name}: {s['taken_whole']} of {s['shown']} shown taken "
        f"({s['precision'] * 100:.0f} % precision), {s['kept_chars_per_100_keys']:.1f} kept "
        f"characters per 100 keys, {s['joules_per_kept_char']:.2f} J and "
        f"{s['prompt_tokens_per_kept_char']:.1f} prompt tokens per kept character"
        for name in (*QUALITY_ORDER, *(n for n in configs if n not in QUALITY_ORDER))
        if (s := configs.get(name)) and "taken_whole" in s
    ]
    return ["What users keep (Tab): " + "; ".join(parts) + "."] if parts else []


def quality_table(configs: dict[str, Any]) -> list[str]:
    """One row per configuration: the quality figures (module docstring)."""
    rows = [(name, s) for name, s in configs.items() if "taken_whole" in s]
    if not rows:
        return []
    lines = [
        "### What users keep",
        "",
        "Taken: the first line is exactly the start of what is typed next (at least one word); "
        "its keys are then not typed. Kept: what Tab keeps. See `wattcode_bench/quality.py`.",
        "",
        "| config | shown | taken | precision | kept chars / 100 keys | word-by-word chars / "
        "100 keys | right to the line end | J / kept char | prompt tokens / kept char |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {name} | {s['shown']} | {s['taken_whole']} | {s['precision'] * 100:.1f} % | "
        f"{s['kept_chars_per_100_keys']:.1f} | {s['word_kept_chars_per_100_keys']:.1f} | "
        f"{s['right_to_line_end']} | {s['joules_per_kept_char']:.3f} | "
        f"{s['prompt_tokens_per_kept_char']:.2f} |"
        for name, s in rows
    ]
    return [*lines, ""]
