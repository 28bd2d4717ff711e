"""Drafts from the prompt itself (prompt lookup): code repeats its names and whole lines.

When the last few tokens of the text so far occurred earlier in the prompt or the suggestion,
the tokens that followed them there are a free guess at what follows now. The guess costs a
scan of a few thousand integers instead of a model's forward pass; the large model verifies it
like any other draft (`models/speculative.py`), so a wrong guess costs only its share of the
verification batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

LONGEST_MATCH = 4
"""The longest tail looked up first: a longer match predicts its continuation better."""
SHORTEST_MATCH = 2
"""One token alone (a `(`, a space) repeats everywhere and predicts nothing."""


def lookup_drafts(
    tokens: Sequence[int],
    max_drafts: int,
    longest: int = LONGEST_MATCH,
    shortest: int = SHORTEST_MATCH,
) -> list[int]:
    """Up to `max_drafts` tokens that followed the latest earlier occurrence of the longest
    tail of `tokens` (`longest` down to `shortest` tokens) that occurred before; [] if none."""
    if max_drafts <= 0:
        return []
    array = np.asarray(tokens, dtype=np.int64)
    for size in range(min(longest, len(array) - 1), shortest - 1, -1):
        tail = array[-size:]
        # Windows that start before the tail itself and leave at least one token after them.
        windows = sliding_window_view(array[:-1], size)
        hits = np.nonzero((windows == tail).all(axis=1))[0]
        if hits.size:
            start = int(hits[-1]) + size
            return [int(t) for t in array[start : start + max_drafts]]
    return []
