"""The FIM prompt as text, for servers that take a string prompt and tokenize it themselves.

Such servers parse control-token syntax in the prompt, so the document's own text must not
contain any: a file that holds "<|fim_middle|>" (this project's sources do) would otherwise
reshape the prompt. Every control-token look-alike in the document gets a zero-width space after
its first character, which the tokenizer sees as plain text and the model barely notices.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from models.fim_formats import FimTokens

ZERO_WIDTH_SPACE = "\u200b"
_CONTROL_LIKE = re.compile(r"<\|[^\s<>|]{1,64}\|>|<(?:fim|file|repo)_[a-z_]{1,32}>")


@dataclass(frozen=True)
class FimMarkers:
    prefix: str
    suffix: str
    middle: str
    stops: tuple[str, ...]
    """Control tokens that end a middle, as text (sent as stop strings)."""

    def neutralize(self, text: str) -> str:
        text = _CONTROL_LIKE.sub(lambda m: m[0][0] + ZERO_WIDTH_SPACE + m[0][1:], text)
        for marker in (self.prefix, self.suffix, self.middle, *self.stops):
            if len(marker) > 1 and marker in text:  # a family spelled otherwise (CodeLlama)
                text = text.replace(marker, marker[0] + ZERO_WIDTH_SPACE + marker[1:])
        return text

    def prompt(self, order: str, prefix: str, suffix: str) -> str:
        """Suffix-prefix-middle (`spm`: typing only appends, so server-side prefix caches hold)
        or prefix-suffix-middle, in the same layouts as the local token prompts."""
        prefix, suffix = self.neutralize(prefix), self.neutralize(suffix)
        if order == "spm":
            return f"{self.prefix}{self.suffix}{suffix}{self.middle}{prefix}"
        return f"{self.prefix}{prefix}{self.suffix}{suffix}{self.middle}"

    def cut_at_stop(self, text: str) -> tuple[str, bool]:
        """The text before the first stop marker, and whether one was there (a server that
        ignores the stop strings may still send them)."""
        cut = min((i for s in self.stops if (i := text.find(s)) >= 0), default=-1)
        return (text, False) if cut < 0 else (text[:cut], True)


def markers_of(fim: FimTokens, token_text: Callable[[int], str]) -> FimMarkers:
    """The text of a vocabulary's FIM markers and stop tokens."""
    markers = (fim.prefix_id, fim.suffix_id, fim.middle_id)
    stops = sorted({text for i in fim.stop_ids | set(markers) if (text := token_text(i))})
    prefix, suffix, middle = (token_text(i) for i in markers)
    return FimMarkers(prefix, suffix, middle, tuple(stops))
