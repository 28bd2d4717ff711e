"""The server's mutable state, owned by the asyncio loop (never touched from the model thread)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from cache.suggestion_cache import SuggestionCache
from lsp_server.settings import Settings
from models.cancellation import CancelToken
from models.confidence import Confidence
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


class Stat(StrEnum):
    """A counter of `wattcode/stats`; its value is the key on the wire, in the order sent."""

    REQUESTS = "requests"
    SUGGESTIONS = "suggestions"
    GENERATIONS_STARTED = "generations_started"
    GENERATIONS_CANCELLED = "generations_cancelled"
    GENERATIONS_FAILED = "generations_failed"
    GENERATIONS_NOT_STARTED = "generations_not_started"
    RESULTS_DROPPED_OUTDATED = "results_dropped_outdated"
    PROMPT_TOKENS_EVALUATED = "prompt_tokens_evaluated"
    PROMPT_TOKENS_REUSED = "prompt_tokens_reused"
    GENERATED_TOKENS = "generated_tokens"
    CPU_SECONDS = "cpu_seconds"
    GENERATIONS_COMPLETED = "generations_completed"
    PROMPT_SECONDS = "prompt_seconds"
    DECODE_SECONDS = "decode_seconds"
    CONTEXT_SECONDS = "context_seconds"
    GUARD_SECONDS = "guard_seconds"
    GUARD_INDENTATION = "guard_indentation"
    GUARD_COMPLETE_LINES = "guard_complete_lines"
    GUARD_SYNTAX = "guard_syntax"
    GENERATIONS_TIME_LIMITED = "generations_time_limited"
    REQUESTS_SKIPPED = "requests_skipped"
    SKIPPED_ANSWERED_AFTER_PAUSE = "skipped_answered_after_pause"
    REQUESTS_SKIPPED_COMMENT_OR_STRING = "requests_skipped_comment_or_string"
    REQUESTS_SKIPPED_MID_WORD = "requests_skipped_mid_word"
    REQUESTS_SKIPPED_AFTER_DELETION = "requests_skipped_after_deletion"
    REQUESTS_SKIPPED_INDENTING = "requests_skipped_indenting"
    REQUESTS_SKIPPED_WORD_START = "requests_skipped_word_start"
    REQUESTS_SKIPPED_AFTER_SPACE = "requests_skipped_after_space"
    REQUESTS_SKIPPED_INSIDE_WORD = "requests_skipped_inside_word"
    WARMUPS_STARTED = "warmups_started"
    PROMPT_TOKENS_WARMED = "prompt_tokens_warmed"
    REQUESTS_DEBOUNCED = "requests_debounced"
    REQUESTS_INSIDE_WORD = "requests_inside_word"
    REQUESTS_REFUSED_PAUSED = "requests_refused_paused"
    REQUESTS_REFUSED_MANUAL_ONLY = "requests_refused_manual_only"
    MODEL_UNLOADS = "model_unloads"
    MODEL_WAKES = "model_wakes"
    WAKE_SECONDS = "wake_seconds"

    @classmethod
    def guard(cls, name: str) -> Stat:
        """The counter of a guard in `GUARDS`."""
        return cls("guard_" + name.replace("-", "_"))

    @classmethod
    def skipped(cls, reason: SkipReason) -> Stat:
        """The counter of a request gating's reason (`SkipReason.counter`)."""
        return cls(reason.counter)


STAT_KEYS: tuple[str, ...] = tuple(stat.value for stat in Stat)
"""The keys of the counters in `wattcode/stats`, in the order sent."""


class ModelState(Enum):
    """The model's state; its value is `model.state` in `wattcode/stats`."""

    NOT_LOADED = "not loaded"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"
    UNLOADED = "unloaded"
    """Unloaded by the power governor after idle; the next request loads it again."""


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
    confidence: Confidence | None = None
    """The model's confidence in the shown tokens (None: cached, or no probabilities)."""
    probabilities: tuple[float, ...] = ()
    """Each generated token's probability, ending at `ends` in `raw_text` (the benchmark
    re-scores confidence rules from them: `wattcode/stats` → `last_suggestion`)."""
    ends: tuple[int, ...] = ()
    raw_text: str = ""
    model: str = ""
    """The model that made it, by wattcode's name for it (models/model_table.py)."""

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
    state: ModelState = ModelState.NOT_LOADED
    name: str = ""
    path: str = ""
    why: str = ""
    """Why this model: the setting that chose it; for preset `auto`, the measurements."""
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
    last_record: tuple[str, SuggestionRecord] | None = None
    """The suggestion shown last, in any document, and its URI."""

    def grid(self) -> GridIntensity:
        carbon = self.settings.carbon
        return grid_intensity(carbon.grams_per_kwh, carbon.country)

    def count(self, key: Stat, amount: float = 1) -> None:
        self.counters[key] += amount

    def count_skip(self, reason: SkipReason) -> None:
        self.count(Stat.REQUESTS_SKIPPED)
        self.count(Stat.skipped(reason))

    def add_record(self, uri: str, record: SuggestionRecord) -> None:
        self.last_record = (uri, record)
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
