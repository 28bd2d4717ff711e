"""One suggestion for one cursor: trim the text, run the FIM prompt, clean up.

This is the whole inference path that `wattcode complete`, the language server and the benchmark
share. It holds no LSP types; its state is the runner's (a local model's KV cache) and the
trimmer's parse trees.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from models.cancellation import CancelToken
from models.errors import GenerationCancelled
from models.generation import Generation, GenerationStats, WorkMeter
from models.postprocess import CursorContext, clean_completion
from models.prompt_window import PromptWindow
from models.request_gate import SkipReason
from models.trimming.context_trimmer import ContextTrimmer, OpenDocument

RESERVED_TOKENS = 8
"""Room kept free in the context for the FIM markers and a BOS token."""


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
    """Cut long files down by their syntax tree where a grammar exists; else a line window."""
    skip_comments_and_strings: bool = False
    """Answer empty, without generating, when the cursor is inside a comment or string."""
    token_healing: bool = True
    """Cut whitespace at the prompt's end and make the first tokens reproduce it (a local model;
    `models/token_healing.py`)."""
    guards: bool = True
    """Keep the typed indentation and drop a line cut by a limit (`postprocess`), and cut back
    or hide a multi-line suggestion that breaks the file's syntax where a grammar exists
    (`models/syntax_guard.py`)."""
    max_seconds: float | None = None
    """Time budget of one generation: past it, decoding stops at the next line end and the
    complete lines are shown (None: only `max_tokens` bounds it)."""
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


class PromptRunner(Protocol):
    """Runs a FIM prompt for the chosen context: the local model (models/local_runner.py) or
    a remote inference server (models/remote/remote_runner.py)."""

    @property
    def context_length(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def run(
        self,
        window: PromptWindow,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
        is_finished: Callable[[str], bool],
        document: str | None,
    ) -> Generation:
        """Generate the middle between the window's prefix and suffix (raises if cancelled)."""
        ...

    def prefill(
        self,
        window: PromptWindow,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
        document: str | None,
    ) -> None:
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
        prefix: str,
        suffix: str,
        options: CompletionOptions,
        cancel: CancelToken | None = None,
        meter: WorkMeter | None = None,
        document: str | None = None,
        language_id: str | None = None,
        open_documents: Sequence[OpenDocument] = (),
    ) -> Suggestion:
        """Suggest text for the cursor between `prefix` and `suffix` (raises if cancelled).

        `document` names the text (a URI or path) for its saved KV state and parse tree;
        `language_id` (an LSP language identifier, else the name's extension) picks the
        trimmer's grammar; `open_documents` may lend signatures of files this one imports."""
        cancel = cancel or CancelToken()
        meter = meter or WorkMeter()
        started = time.perf_counter()
        if options.skip_comments_and_strings and self.trimmer.skips_as_prose(
            document, language_id, prefix, suffix
        ):
            return self._skipped(
                SkipReason.COMMENT_OR_STRING,
                prefix,
                suffix,
                options,
                cancel,
                meter,
                document,
                language_id,
                open_documents,
            )
        window = self._window(prefix, suffix, options, document, language_id, open_documents)
        context_seconds = time.perf_counter() - started
        # The document's own lines: the prompt's may elide the ones the suggestion lands under.
        context = CursorContext.from_text(prefix, suffix)
        multiline = context.multiline if options.multiline is None else options.multiline

        def is_finished(raw: str) -> bool:
            return (
                options.early_stop
                and clean_completion(raw, context, multiline, guards=options.guards).finished
            )

        generation = self.runner.run(window, options, cancel, meter, is_finished, document)
        cleaned = clean_completion(
            generation.raw_text,
            context,
            multiline,
            truncated=generation.stats.truncated,
            guards=options.guards,
        )
        text, guards, guard_seconds = cleaned.text, cleaned.guards, 0.0
        if options.guards and "\n" in text:
            checked = self.trimmer.check_syntax(document, language_id, prefix, suffix, text)
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
        )

    def warm(
        self,
        prefix: str,
        suffix: str,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
        document: str | None = None,
        language_id: str | None = None,
        open_documents: Sequence[OpenDocument] = (),
    ) -> None:
        """Evaluate the prompt that `complete` would run for this cursor, and generate nothing
        (raises if cancelled; what was evaluated by then stays in the cache)."""
        window = self._window(prefix, suffix, options, document, language_id, open_documents)
        self.runner.prefill(window, options, cancel, meter, document)

    def _skipped(
        self,
        reason: SkipReason,
        prefix: str,
        suffix: str,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
        document: str | None,
        language_id: str | None,
        open_documents: Sequence[OpenDocument],
    ) -> Suggestion:
        """The empty answer of a gated request, its prompt warmed first if asked (a newer
        keystroke stops the warming; the request still counts as skipped)."""
        started = time.perf_counter()
        evaluated = meter.prompt_tokens_evaluated
        if options.warm_skipped:
            with contextlib.suppress(GenerationCancelled):
                self.warm(
                    prefix, suffix, options, cancel, meter, document, language_id, open_documents
                )
        stats = GenerationStats.nothing("skipped", time.perf_counter() - started)
        stats = replace(stats, prompt_tokens_evaluated=meter.prompt_tokens_evaluated - evaluated)
        return Suggestion("", "", False, stats, skipped=reason)

    def _window(
        self,
        prefix: str,
        suffix: str,
        options: CompletionOptions,
        document: str | None,
        language_id: str | None,
        open_documents: Sequence[OpenDocument],
    ) -> PromptWindow:
        return self.trimmer.window(
            document,
            language_id,
            prefix,
            suffix,
            self.prompt_budget(options),
            options.suffix_share,
            open_documents,
            options.trim,
        )
