"""What crosses between the asyncio loop and the model thread: a frozen request, its outcome,
and what to load with how it went.

The loop builds a `CompletionRequest` snapshot (the text, cursor and options at the moment the
editor asked); the model thread answers with an `Outcome` that says what happened to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from models.cancellation import CancelToken
from models.completion_engine import CompletionOptions, Suggestion
from models.cursor_text import OpenDocument
from models.energy.window import WindowEnergy
from models.generation import WorkMeter
from models.model_choice import DEFAULT_PRESET
from models.remote.endpoint import RemoteEndpoint
from models.request_gate import SkipReason


@dataclass(frozen=True)
class CompletionRequest:
    """Everything a generation needs, frozen at the moment the editor asked."""

    uri: str
    version: int
    prefix: str
    suffix: str
    options: CompletionOptions
    cancel: CancelToken = field(default_factory=CancelToken, compare=False)
    language_id: str | None = None
    open_documents: tuple[OpenDocument, ...] = field(default=(), compare=False, repr=False)
    """The editor's other open documents, for signatures from files this one imports."""
    smaller_model: bool = False
    """The power governor's `smaller-model` rung: the 0.5B answers where the 1.5B is loaded."""


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(text: str) -> str:
    """Lone UTF-16 surrogates (legal in JSON, not in UTF-8) become U+FFFD before tokenizing."""
    return _LONE_SURROGATE.sub("\ufffd", text)


class OutcomeStatus(Enum):
    """What happened to a request on the model thread."""

    DONE = "done"
    """A suggestion was generated (its text may be empty)."""
    SKIPPED = "skipped"
    """Request gating skipped it on the model thread (`Suggestion.skipped` says why); its
    prompt was evaluated if the options asked to warm skipped requests."""
    WARMED = "warmed"
    """A warm-up (`ModelWorker.warm`) evaluated its prompt."""
    CANCELLED = "cancelled"
    NOT_STARTED = "not-started"
    """Cancelled while it waited: the model was not touched."""
    NO_MODEL = "no-model"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    suggestion: Suggestion | None = None
    """Set when DONE or SKIPPED."""
    cpu_seconds: float = 0.0
    error: str | None = None
    work: WorkMeter = field(default_factory=WorkMeter)
    """The tokens processed, cancelled work included."""
    energy: WindowEnergy | None = None
    """What the generation cost, measured around the engine call (cancelled work included)."""
    remote: bool = False
    """The work went to a remote server (an error is the server's, not the model's)."""
    model: str = ""
    """The model that answered where it is not the loaded one (the `smaller-model` rung)."""

    @property
    def skip_reason(self) -> SkipReason | None:
        """Why request gating skipped it (status SKIPPED), else None."""
        return self.suggestion.skipped if self.suggestion is not None else None


@dataclass(frozen=True)
class ModelSpecKey:
    """What identifies a loaded model: a change in any of these means a reload."""

    path: str | None
    threads: int | None
    context_length: int
    gpu_layers: int | None = None
    remote: RemoteEndpoint | None = None
    """A server that runs the prompts; the model file then lends only its vocabulary."""
    preset: str = DEFAULT_PRESET
    """`wattcode.model.preset`, when `path` is unset (models/model_choice.py)."""
    draft: str = "off"
    """`wattcode.model.draft`: speculative decoding's drafts (models/speculative.py)."""


@dataclass(frozen=True)
class LoadResult:
    ok: bool
    path: Path | None = None
    name: str = ""
    fim_family: str = ""
    seconds: float = 0.0
    error: str | None = None
    energy: WindowEnergy | None = None
    """Loading is background work: counted apart from suggestions."""
    warning: str | None = None
    """Loaded, with something the user should know (a remote server that does not answer)."""
    why: str = ""
    """Why this model file: the setting that chose it, and for `auto` the measurements."""
    notice: str | None = None
    """The chosen model could not be used and another serves (shown to the user once)."""
