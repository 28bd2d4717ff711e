"""The server's mutable state, owned by the asyncio loop (never touched from the model thread)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cache.suggestion_cache import SuggestionCache
from lsp_server.settings import Settings
from models.cancellation import CancelToken
from models.energy.carbon import GridIntensity, grid_intensity
from models.energy.ledger import EnergyLedger
from models.energy.window import WindowEnergy
from models.generation import GenerationStats
from models.request_gate import SkipReason

RECORDS_PER_DOCUMENT = 64
GUARDS = ("indentation", "complete-lines", "syntax")
"""The guards that may change a suggestion (`Suggestion.guards`), each counted."""
SUGGESTION_CACHE = "suggestion-cache"
"""The stop reason of a suggestion served from the suggestion cache (no model ran)."""

STAT_KEYS = (
    "requests",
    "suggestions",
    "generations_started",
    "generations_cancelled",
    "generations_failed",
    "generations_not_started",
    "results_dropped_outdated",
    "prompt_tokens_evaluated",
    "prompt_tokens_reused",
    "generated_tokens",
    "cpu_seconds",
    "generations_completed",
    "prompt_seconds",
    "decode_seconds",
    "context_seconds",
    "guard_seconds",
    *(f"guard_{name.replace('-', '_')}" for name in GUARDS),
    "generations_time_limited",
    "requests_skipped",
    "skipped_answered_after_pause",
    *(reason.counter for reason in SkipReason),
    "warmups_started",
    "prompt_tokens_warmed",
    "requests_debounced",
    "requests_inside_word",
    "requests_refused_paused",
    "requests_refused_manual_only",
    "model_unloads",
    "model_wakes",
    "wake_seconds",
)


@dataclass
class SuggestionRecord:
    """A suggestion that was shown, kept so that hover can say what it cost."""

    start_line: int
    end_line: int
    text: str
    stats: GenerationStats
    shown_at: float = field(default_factory=time.time)
    energy: WindowEnergy | None = None
    """None for a suggestion served from the suggestion cache: it ran no model."""
    start_character: int = 0
    accepted: bool = False

    def covers(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line

    @property
    def from_cache(self) -> bool:
        return self.stats.stop_reason == SUGGESTION_CACHE


@dataclass
class TypingHistory:
    """What request gating needs to know about a document's recent edits and suggestions."""

    last_edit_deleted: bool = False
    last_edit_blank: bool = False
    """The last edit inserted only spaces or tabs: typed by hand, indentation and the space
    after a word come a key at a time (an editor's auto-indent comes with the newline, in the
    same edit)."""


@dataclass
class ModelStatus:
    state: str = "not loaded"
    """"not loaded", "loading", "ready", "failed" or "unloaded" (by the power governor)."""
    name: str = ""
    path: str = ""
    error: str | None = None
    load_seconds: float = 0.0
    remote: str | None = None
    """The remote server that runs the prompts (its URL without credentials), if any."""
    remote_error: str | None = None
    """Why the remote server's last request failed; None once it answers again."""


@dataclass
class Session:
    settings: Settings = field(default_factory=Settings)
    initialization_options: dict[str, Any] = field(default_factory=dict)
    counters: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAT_KEYS, 0))
    in_flight: dict[str, CancelToken] = field(default_factory=dict)
    records: defaultdict[str, list[SuggestionRecord]] = field(
        default_factory=lambda: defaultdict(list)
    )
    model: ModelStatus = field(default_factory=ModelStatus)
    suggestion_cache: SuggestionCache = field(default_factory=SuggestionCache)
    started_at: float = field(default_factory=time.time)
    energy: EnergyLedger = field(default_factory=EnergyLedger)
    typing: defaultdict[str, TypingHistory] = field(
        default_factory=lambda: defaultdict(TypingHistory)
    )

    def grid(self) -> GridIntensity:
        carbon = self.settings.carbon
        return grid_intensity(carbon.grams_per_kwh, carbon.country)

    def count(self, key: str, amount: float = 1) -> None:
        self.counters[key] += amount

    def count_skip(self, reason: SkipReason) -> None:
        self.count("requests_skipped")
        self.count(reason.counter)

    def add_record(self, uri: str, record: SuggestionRecord) -> None:
        records = self.records[uri]
        records.append(record)
        del records[:-RECORDS_PER_DOCUMENT]

    def record_at(self, uri: str, line: int) -> SuggestionRecord | None:
        """The newest suggestion on `line` that ran the model, else the newest served from the
        cache: the rest of an accepted multi-line suggestion, served from the cache while
        the user typed through it, must not hide what generating it cost."""
        covering = self._covering(uri, line)
        return next((r for r in covering if not r.from_cache), covering[0] if covering else None)

    def newest_at(self, uri: str, line: int) -> SuggestionRecord | None:
        """The suggestion shown last on `line`, wherever it came from."""
        return next(iter(self._covering(uri, line)), None)

    def _covering(self, uri: str, line: int) -> list[SuggestionRecord]:
        return [r for r in reversed(self.records.get(uri, [])) if r.covers(line)]

    def shift_records(self, uri: str, after_line: int, delta: int) -> None:
        """Keep records on their lines when an edit above them adds or removes lines."""
        for record in self.records.get(uri, []):
            if record.start_line > after_line:
                record.start_line += delta
                record.end_line += delta
