"""One suggestion for one cursor: trim the text, run the FIM prompt, clean up.

This is the whole inference path that `wattcode complete`, the language server and the benchmark
share. It holds no LSP types; its state is the runner's (a local model's KV cache) and the
trimmer's parse trees.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from models.cancellation import CancelToken
from models.confidence import SHOW_ALL, Confidence, ConfidenceRule
from models.cursor_text import CursorText
from models.errors import GenerationCancelled
from models.generation import Generation, GenerationStats, WorkMeter, never_finished
from models.postprocess import AroundCursor, clean_completion, complete_lines
from models.prompt_context import PromptBudget, PromptContext
from models.request_gate import SkipReason
from models.token_healing import HealingMode
from models.trimming.context_trimmer import ContextTrimmer

RESERVED_TOKENS = 8
"""Tokens kept free below the context length for the FIM markers and a BOS token."""


@dataclass(frozen=True)
class CompletionOptions:
    max_prompt_tokens: int = 1024
    suffix_share: float = 0.25
    max_tokens: int = 64
    multiline: bool | None = None
    """None decides from the cursor's context; False/True force one line or a block."""
    early_stop: bool = True
    reuse_prefix: bool = True
    prompt_order: str = "spm"
    """"spm" (suffix first, prefix last: typing only appends to the prompt) or "psm"."""
    trim: bool = True
    """Cut long files down by their syntax tree where a grammar exists; else a line context."""
    skip_comments_and_strings: bool = False
    """Answer empty, without generating, when the cursor is inside a comment or string."""
    healing: HealingMode = HealingMode.TOKENS
    """Cut the partial token at the prompt's end and make the first tokens reproduce it (a local
    model; `models/token_healing.py`)."""
    guards: bool = True
    """Keep the typed indentation and drop a line cut by a limit (`postprocess`), and cut back
    or hide a multi-line suggestion that breaks the file's syntax where a grammar exists
    (`models/syntax_guard.py`)."""
    max_seconds: float | None = None
    """Time budget of one generation: past it, decoding stops at the next line end and the
    complete lines are shown (None: only `max_tokens` bounds it)."""
    confidence: ConfidenceRule = SHOW_ALL
    """Where a suggestion is cut for the model's doubt (`models/confidence.py`; a local model)."""
    warm_skipped: bool = False
    """Evaluate a skipped request's prompt all the same (its whole chunks, no generation): the
    next keystroke's prompt then shares it, instead of finding the cache skipped keys behind."""


@dataclass(frozen=True)
class Suggestion:
    text: str
    """What to insert at the cursor; empty when the model had nothing worth showing."""
    raw_text: str
    multiline: bool
    stats: GenerationStats
    context_seconds: float = 0.0
    """Time spent choosing the prompt's context (trimming)."""
    guards: frozenset[str] = frozenset()
    """The guards that changed the suggestion: "indentation", "complete-lines" (see
    `postprocess.clean_completion`) and "syntax" (`syntax_guard`)."""
    guard_seconds: float = 0.0
    """Time the syntax guard took."""
    skipped: SkipReason | None = None
    """Set when the request was gated: nothing was generated (its prompt may have been
    evaluated, see `CompletionOptions.warm_skipped`; `stats` counts those tokens)."""
    probabilities: tuple[float, ...] = ()
    """The probability of each token of `raw_text`, ending at `ends` (see `Generation`)."""
    ends: tuple[int, ...] = ()

    @property
    def confidence(self) -> Confidence | None:
        """The confidence of the tokens that wrote the shown text (None: no probabilities)."""
        shown = sum(end <= len(self.text) for end in self.ends) or len(self.ends)
        return Confidence.of(self.probabilities[:shown])


@dataclass(frozen=True)
class PromptJob:
    """One prompt for a runner: the context, how to run it, who may stop it, what counts it."""

    context: PromptContext
    options: CompletionOptions
    cancel: CancelToken
    meter: WorkMeter
    document: str | None = None
    """Keys the document's saved KV state (a local model)."""
    is_finished: Callable[[str], bool] = never_finished
    """Whether the raw text so far already makes the whole suggestion (decoding stops)."""


class PromptRunner(Protocol):
    """Runs a FIM prompt for the chosen context: the local model (models/local_runner.py) or
    a remote inference server (models/remote/remote_runner.py)."""

    @property
    def context_length(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def run(self, job: PromptJob) -> Generation:
        """Generate the middle between the context's prefix and suffix (raises if cancelled)."""
        ...

    def warm(self, job: PromptJob) -> None:
        """Evaluate the prompt that `run` would (a local model: its whole chunks), and generate
        nothing (raises if cancelled)."""
        ...


class CompletionEngine:
    def __init__(self, runner: PromptRunner) -> None:
        self.runner = runner
        self.trimmer = ContextTrimmer(runner.count_tokens)

    def prompt_budget(self, options: CompletionOptions) -> int:
        room = self.runner.context_length - options.max_tokens - RESERVED_TOKENS
        return max(16, min(options.max_prompt_tokens, room))

    def complete(
        self,
        cursor: CursorText,
        options: CompletionOptions,
        cancel: CancelToken | None = None,
        meter: WorkMeter | None = None,
    ) -> Suggestion:
        """Suggest text for the cursor (raises GenerationCancelled if cancelled)."""
        cancel = cancel or CancelToken()
        meter = meter or WorkMeter()
        started = time.perf_counter()
        if options.skip_comments_and_strings and self.trimmer.skips_as_prose(cursor):
            return self._skipped(SkipReason.COMMENT_OR_STRING, cursor, options, cancel, meter)
        context = self._context(cursor, options)
        context_seconds = time.perf_counter() - started
        # The document's own lines: the prompt's may elide the ones the suggestion lands under.
        around = AroundCursor.from_text(cursor.prefix, cursor.suffix)
        multiline = around.multiline if options.multiline is None else options.multiline

        def is_finished(raw: str) -> bool:
            return (
                options.early_stop
                and clean_completion(raw, around, multiline, guards=options.guards).finished
            )

        # The cursor's own situation, not the length asked for: on a line of its own (or after
        # a block opener) a cut leaves a half statement (decision 0018).
        if around.multiline and options.confidence.active:
            options = replace(
                options, confidence=replace(options.confidence, first_token_only=True)
            )
        generation = self.runner.run(
            PromptJob(context, options, cancel, meter, cursor.document, is_finished)
        )
        raw = generation.raw_text
        if generation.stats.stop_reason == "unconfident" and "\n" in raw:
            raw = complete_lines(raw)  # past the first line, a half line is a half statement
        cleaned = clean_completion(
            raw,
            around,
            multiline,
            truncated=generation.stats.truncated,
            guards=options.guards,
        )
        text, guards, guard_seconds = cleaned.text, cleaned.guards, 0.0
        if options.guards and "\n" in text:
            checked = self.trimmer.check_syntax(cursor, text)
            if checked is not None:
                guard_seconds = checked.seconds
                if checked.cut:
                    text, guards = checked.text, guards | {"syntax"}
        return Suggestion(
            text,
            generation.raw_text,
            multiline,
            generation.stats,
            context_seconds,
            guards=guards,
            guard_seconds=guard_seconds,
            probabilities=generation.probabilities,
            ends=generation.ends,
        )

    def warm(
        self, cursor: CursorText, options: CompletionOptions, cancel: CancelToken, meter: WorkMeter
    ) -> None:
        """Evaluate the prompt that `complete` would run for this cursor, and generate nothing
        (raises if cancelled; what was evaluated by then stays in the cache)."""
        context = self._context(cursor, options)
        self.runner.warm(PromptJob(context, options, cancel, meter, cursor.document))

    def _skipped(
        self,
        reason: SkipReason,
        cursor: CursorText,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
    ) -> Suggestion:
        """The empty answer of a gated request, its prompt warmed first if asked (a newer
        keystroke stops the warming; the request still counts as skipped)."""
        started = time.perf_counter()
        evaluated = meter.prompt_tokens_evaluated
        if options.warm_skipped:
            with contextlib.suppress(GenerationCancelled):
                self.warm(cursor, options, cancel, meter)
        stats = GenerationStats.nothing("skipped", time.perf_counter() - started)
        stats = replace(stats, prompt_tokens_evaluated=meter.prompt_tokens_evaluated - evaluated)
        return Suggestion("", "", False, stats, skipped=reason)

    def _context(self, cursor: CursorText, options: CompletionOptions) -> PromptContext:
        budget = PromptBudget(self.prompt_budget(options), options.suffix_share)
        return self.trimmer.context(cursor, budget, options.trim)
