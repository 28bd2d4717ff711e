"""How much of a suggestion the model is confident of, from its own token probabilities.

Greedy decoding already computes each token's probability; a suggestion that is right for
twenty characters and then invents a name shows where the model stopped knowing. The rule cuts
the suggestion before the first token that is too unlikely on its own, or that brings the
product of the shown tokens' probabilities (the chance that all of them are right) too low;
when even the first token is cut, nothing is shown. Thresholds: `wattcode.completion.
minConfidence` (bench/experiments/confidence/README.md says how they were chosen).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ConfidenceRule:
    min_token: float = 0.0
    """A token less likely than this is not shown, nor anything after it."""
    min_running: float = 0.0
    """Nor a token that brings the product of the shown tokens' probabilities below this."""
    first_token_only: bool = False
    """A block suggestion (the cursor on a line of its own): only its first token is judged
    (nothing is shown when it is unlikely). A cut inside a block leaves a half statement or a
    dangling `if …:`; its lines are left to the syntax and complete-line guards instead."""

    @property
    def active(self) -> bool:
        return self.min_token > 0 or self.min_running > 0

    def keeps(self, probability: float, running: float) -> bool:
        """Whether a token of `probability` is shown after tokens whose product is `running`."""
        return probability >= self.min_token and running * probability >= self.min_running

    def cuts(self, probability: float, running: float, text: str) -> bool:
        """Whether decoding stops before a token of `probability`, after tokens whose product
        is `running` and that wrote `text`."""
        if self.first_token_only and text:
            return False
        return not self.keeps(probability, running)

    def kept_tokens(self, probabilities: Sequence[float]) -> int:
        """How many of the tokens, from the first, the rule shows (mid-line: no first line
        kept whole)."""
        running = 1.0
        for index, probability in enumerate(probabilities):
            if not self.keeps(probability, running):
                return index
            running *= probability
        return len(probabilities)


SHOW_ALL = ConfidenceRule()
"""The rule that cuts nothing."""


@dataclass(frozen=True)
class Confidence:
    """What hover shows: the chance that every shown token is right, and the weakest one."""

    joint: float
    lowest: float
    tokens: int

    @classmethod
    def of(cls, probabilities: Sequence[float]) -> Confidence | None:
        if not probabilities:
            return None
        joint = math.prod(probabilities)
        return cls(joint, min(probabilities), len(probabilities))
