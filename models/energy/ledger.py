"""The session's energy totals, and the estimates made from them (saved energy, per char)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from models.energy.attribution import prompt_share_joules, saved_joules_estimate
from models.energy.window import WindowEnergy


@dataclass
class EnergyLedger:
    joules: float = 0.0
    """Every generation's attributed energy, cancelled ones included: they cost it too."""
    by_meter: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    counter_joules: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    """Raw counter deltas inside generation windows, per meter (the validation compares these)."""
    window_seconds: float = 0.0
    tail_joules: float = 0.0
    """Inside `joules`: a device's draw above idle in the short gaps between windows."""
    idle_joules: float = 0.0
    background_joules: float = 0.0
    """Work nobody asked for at that moment: model loading, later idle warming and speculation."""
    prompt_joules: float = 0.0
    prompt_tokens_evaluated: int = 0
    generation_joules: float = 0.0
    generations: int = 0
    generated_tokens: int = 0
    """Generations that finished, the basis of the per-generation and per-token figures."""
    accepted: int = 0
    accepted_chars: int = 0
    method: str = ""
    idle_watts: float | None = None

    def add_window(self, window: WindowEnergy) -> None:
        self.joules += window.joules
        self.window_seconds += window.seconds
        self.tail_joules += window.tail_joules
        self.idle_joules += window.idle_joules or 0.0
        for label, joules in window.by_meter.items():
            self.by_meter[label] += joules
        for label, joules in window.counter_joules.items():
            self.counter_joules[label] += joules
        self.method = window.method

    def add_finished(
        self,
        window: WindowEnergy,
        prompt_tokens: int,
        generated_tokens: int,
        prompt_seconds: float,
        total_seconds: float,
    ) -> None:
        """A generation that ran to its end: it teaches the costs per prompt and per generated
        token."""
        self.generations += 1
        self.generation_joules += window.joules
        self.prompt_tokens_evaluated += prompt_tokens
        self.generated_tokens += generated_tokens
        self.prompt_joules += prompt_share_joules(window.joules, prompt_seconds, total_seconds)

    def add_background(self, window: WindowEnergy) -> None:
        self.background_joules += window.joules
        self.method = self.method or window.method

    def add_accepted(self, chars: int) -> None:
        self.accepted += 1
        self.accepted_chars += chars

    @property
    def joules_per_prompt_token(self) -> float | None:
        if self.prompt_tokens_evaluated == 0:
            return None
        return self.prompt_joules / self.prompt_tokens_evaluated

    @property
    def joules_per_generated_token(self) -> float | None:
        if self.generated_tokens == 0:
            return None
        return max(0.0, self.generation_joules - self.prompt_joules) / self.generated_tokens

    def tokens_within(self, joules: float, max_tokens: int) -> int:
        """The most tokens a suggestion may generate to cost at most `joules`, from this
        session's measured costs (a typical prompt's share first); at least one token, and
        `max_tokens` until something has been measured."""
        per_token = self.joules_per_generated_token
        if not self.generations or not per_token:
            return max_tokens
        prompt = self.prompt_joules / self.generations
        return max(1, min(max_tokens, int((joules - prompt) / per_token)))

    @property
    def joules_per_generation(self) -> float | None:
        return self.generation_joules / self.generations if self.generations else None

    @property
    def joules_per_accepted_char(self) -> float | None:
        return self.joules / self.accepted_chars if self.accepted_chars else None

    def saved_estimate(self, reused_prompt_tokens: float, cache_hits: float) -> float:
        return saved_joules_estimate(
            reused_prompt_tokens,
            self.joules_per_prompt_token,
            cache_hits,
            self.joules_per_generation,
        )
