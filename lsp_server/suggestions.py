"""The path every completion request takes: snapshot, newest-wins cancellation, model, checks.

Both `textDocument/inlineCompletion` and `textDocument/completion` call `suggest()`. A newer
request for the same document cancels the older one; a result whose document changed while it
was generated is dropped, because it would be inserted at a stale position.

In the order a request takes: `suggest()` (the snapshot, the suggestion cache), admitted by the
power budget and request gating, `_generate()` on the model thread (its work is counted by
`accounting.py`), then `_show()`; each helper follows the first function that calls it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum

from lsprotocol import types

from lsp_server.accounting import Work, count_when_done
from lsp_server.model_loading import load_model
from lsp_server.model_work import CompletionRequest, Outcome, OutcomeStatus
from lsp_server.open_documents import document_key, excluded_by, open_document
from lsp_server.session import SUGGESTION_CACHE, ModelState, Stat, SuggestionRecord
from lsp_server.wattcode_server import WattcodeServer
from models.cancellation import CancelToken
from models.completion_engine import CompletionOptions, Suggestion
from models.confidence import ConfidenceRule
from models.cursor_text import OpenDocument
from models.generation import GenerationStats
from models.power.governor import Restrictions
from models.request_gate import SkipReason, text_skip_reason
from models.token_healing import healing_mode

log = logging.getLogger(__name__)


class Trigger(Enum):
    """What asked for a suggestion."""

    AUTOMATIC = "automatic"
    """Typing (the editor asks as the user types)."""
    MANUAL = "manual"
    """The user (a shortcut, the completion menu): the governor's `manual-only` rung and
    request gating let it through, and no debounce holds it."""


@dataclass(frozen=True)
class ShownSuggestion:
    suggestion: Suggestion
    position: types.Position


async def suggest(
    server: WattcodeServer,
    uri: str,
    position: types.Position,
    trigger: Trigger = Trigger.AUTOMATIC,
) -> ShownSuggestion | None:
    """Ask the model for a suggestion at `position`; None when there is nothing to show.

    `trigger`: typing, or the user asking (see `Trigger.MANUAL`)."""
    session = server.session
    session.count(Stat.REQUESTS)
    if not session.settings.completion.enabled:
        return None
    if (pattern := excluded_by(session.settings, uri)) is not None:
        log.debug("%s is excluded by wattcode.exclude (%s): nothing to suggest", uri, pattern)
        return None
    document = open_document(server.workspace, uri)
    if document is None:
        # pygls would read an unopened document from disk; only the editor's text counts.
        log.warning("completion for %s, which the client never opened: nothing to suggest", uri)
        return None
    if _inside_surrogate_pair(document.lines, position):
        # An insertion there would split a character (an emoji, say) in two.
        log.warning("completion inside a surrogate pair at %s: nothing to suggest", position)
        return None
    offset = document.offset_at_position(position)
    source = document.source
    cancel = CancelToken()
    prefix, suffix = source[:offset], source[offset:]
    if (older := session.in_flight.get(uri)) is not None:
        older.cancel()
    if session.settings.cache.suggestions:
        cached = _from_suggestion_cache(server, uri, prefix, suffix, position)
        if cached is not None:
            return cached
    admitted = _admitted(server, uri, prefix, suffix, trigger)
    if admitted is None:
        return None
    restrictions, skipped = admitted
    options = _options(server, restrictions, trigger)
    request = CompletionRequest(
        uri=uri,
        version=document.version or 0,
        prefix=prefix,
        suffix=suffix,
        options=options,
        cancel=cancel,
        language_id=document.language_id,
        open_documents=_other_documents(server, uri),
        smaller_model=restrictions.smaller_model,
    )
    if skipped:
        if options.warm_skipped:
            if session.model.state is ModelState.READY:
                _warm(server, request)  # never wake or wait for a model for it
            return None
        if not await _paused_after(server, uri, cancel):
            return None
        session.count(Stat.SKIPPED_ANSWERED_AFTER_PAUSE)
    return await _generate(server, request, restrictions, position, trigger)


def _from_suggestion_cache(
    server: WattcodeServer, uri: str, prefix: str, suffix: str, position: types.Position
) -> ShownSuggestion | None:
    """The rest of a suggestion the user is typing through, with no inference."""
    started = time.perf_counter()
    hit = server.session.suggestion_cache.lookup(uri, prefix, suffix)
    if hit is None:
        return None
    stats = GenerationStats.nothing(SUGGESTION_CACHE, time.perf_counter() - started)
    return _show(server, uri, Suggestion(hit.text, hit.text, "\n" in hit.text, stats), position)


def _admitted(
    server: WattcodeServer, uri: str, prefix: str, suffix: str, trigger: Trigger
) -> tuple[Restrictions, bool] | None:
    """What the power budget allows this request, and whether gating skips it (counted here);
    None when the budget refuses it."""
    session = server.session
    if prefix[-1:].isalnum() or prefix[-1:] == "_":
        session.count(Stat.REQUESTS_INSIDE_WORD)  # what the `skip low-value` rung would save
    refusal, restrictions = server.power.admit(manual=trigger is Trigger.MANUAL)
    if refusal is not None:
        session.count(refusal)
        return None
    automatic = trigger is Trigger.AUTOMATIC
    if automatic and (reason := _skip_reason(server, uri, prefix, suffix, restrictions)):
        session.count_skip(reason)
        return restrictions, True
    return restrictions, False


def _skip_reason(
    server: WattcodeServer, uri: str, prefix: str, suffix: str, restrictions: Restrictions
) -> SkipReason | None:
    """The gating rules that need no syntax tree (comments and strings are checked on the
    model thread, where the document's tree lives)."""
    session = server.session
    low_value = restrictions.skip_low_value
    if not session.settings.completion.skip_unlikely:
        return text_skip_reason(prefix, suffix, low_value=True) if low_value else None
    history = session.typing[uri]
    if history.last_edit_deleted:
        return SkipReason.AFTER_DELETION
    return text_skip_reason(
        prefix, suffix, low_value=low_value, blank_typed=history.last_edit_blank
    )


def _options(
    server: WattcodeServer, restrictions: Restrictions, trigger: Trigger
) -> CompletionOptions:
    """The settings' options, made cheaper by the governor's rung and the per-suggestion cap."""
    settings = server.session.settings
    automatic = trigger is Trigger.AUTOMATIC
    max_tokens = settings.completion.max_tokens
    if restrictions.max_tokens is not None:
        max_tokens = min(max_tokens, restrictions.max_tokens)
    cap = settings.power.max_joules_per_suggestion
    if cap is not None:
        max_tokens = server.session.energy.tokens_within(cap, max_tokens)
    max_prompt_tokens = settings.context.max_prompt_tokens
    if restrictions.max_prompt_tokens is not None:
        max_prompt_tokens = min(max_prompt_tokens, restrictions.max_prompt_tokens)
    return CompletionOptions(
        max_prompt_tokens=max_prompt_tokens,
        suffix_share=settings.context.suffix_share,
        max_tokens=max_tokens,
        multiline=False if restrictions.single_line else None,
        early_stop=settings.experimental.early_stop,
        reuse_prefix=settings.experimental.prefix_reuse,
        prompt_order=settings.experimental.prompt_order,
        trim=settings.context.trim,
        skip_comments_and_strings=settings.completion.skip_unlikely and automatic,
        healing=healing_mode(settings.experimental.token_healing, settings.experimental.heal_words),
        guards=settings.experimental.suggestion_guards,
        confidence=ConfidenceRule(min_running=settings.completion.min_confidence),
        max_seconds=_seconds(settings.completion.max_milliseconds),
        warm_skipped=settings.experimental.warm_skipped and restrictions.background_work,
    )


def _seconds(milliseconds: int | None) -> float | None:
    return None if milliseconds is None else milliseconds / 1000


def _warm(server: WattcodeServer, request: CompletionRequest) -> None:
    """With `warmSkipped` on, evaluate a skipped request's prompt in the background (its whole
    chunks; no generation), so that a prompt that changed a lot (a new line) is caught up
    while the gating rules skip, not on the next key that needs a suggestion. The next request
    or edit cancels it; the skipped request is answered at once."""
    server.session.in_flight[request.uri] = request.cancel
    work = server.worker.warm(request)
    count_when_done(server, work, Work.WARM_UP)
    loop = asyncio.get_running_loop()

    def release(_finished: Future[Outcome]) -> None:
        loop.call_soon_threadsafe(_release_in_flight, server, request.uri, request.cancel)

    work.add_done_callback(release)


async def _paused_after(server: WattcodeServer, uri: str, cancel: CancelToken) -> bool:
    """Hold a skipped request for `pauseMilliseconds`: True when no newer key came meanwhile
    (the user paused, so the request deserves an answer), False when one did (it cost
    nothing) or the setting is off."""
    pause = server.session.settings.completion.pause_milliseconds
    if pause is None:
        return False
    server.session.in_flight[uri] = cancel  # the next key's request or edit cancels it
    try:
        await asyncio.sleep(pause / 1000)
    finally:
        _release_in_flight(server, uri, cancel)
    return not cancel.cancelled


async def _generate(
    server: WattcodeServer,
    request: CompletionRequest,
    restrictions: Restrictions,
    position: types.Position,
    trigger: Trigger,
) -> ShownSuggestion | None:
    """Run `request` on the model (after the governor's debounce) and check what comes back."""
    session, uri, cancel = server.session, request.uri, request.cancel
    session.in_flight[uri] = cancel
    try:
        if trigger is Trigger.AUTOMATIC and not await _waited(server, restrictions, cancel):
            return None
        if session.model.state is ModelState.UNLOADED:
            await _wake_model(server)
        await server.model_settled.wait()  # a request during start-up waits for the model
        work = server.worker.complete(request)
        count_when_done(server, work, Work.GENERATION)
        outcome = await asyncio.wrap_future(work)
    except asyncio.CancelledError:
        cancel.cancel()  # $/cancelRequest: stop the model thread within one token
        raise
    finally:
        _release_in_flight(server, uri, cancel)
    if outcome.status is OutcomeStatus.NO_MODEL:
        log.debug("no suggestion: %s", outcome.error)
        return None
    if outcome.remote:
        _note_remote_health(server, outcome)
    if outcome.status is OutcomeStatus.FAILED:
        session.count(Stat.GENERATIONS_FAILED)
        if not outcome.remote:
            server.notify_problem(
                "generation", f"a suggestion failed ({outcome.error}); the server keeps running"
            )
        return None
    suggestion = outcome.suggestion
    if suggestion is None or not suggestion.text:
        return None
    current = open_document(server.workspace, uri)
    if current is None or (current.version or 0) != request.version:
        session.count(Stat.RESULTS_DROPPED_OUTDATED)
        return None
    session.suggestion_cache.remember(uri, request.prefix, request.suffix, suggestion.text)
    return _show(server, uri, suggestion, position, outcome)


async def _waited(server: WattcodeServer, restrictions: Restrictions, cancel: CancelToken) -> bool:
    """Wait out the governor's debounce; False when a newer keystroke superseded the request
    meanwhile (a request the next key supersedes never reaches the model)."""
    delay = restrictions.debounce_seconds
    if delay <= 0:
        return True
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        # The client's `$/cancelRequest` ended the wait: superseded all the same.
        server.session.count(Stat.REQUESTS_DEBOUNCED)
        raise
    if not cancel.cancelled:
        return True
    server.session.count(Stat.REQUESTS_DEBOUNCED)
    return False


async def _wake_model(server: WattcodeServer) -> None:
    """Load the model that the governor unloaded; the wake's cost is counted and measured
    (its energy goes to the background bucket, like every load)."""
    started = time.perf_counter()
    await load_model(server)
    server.session.count(Stat.MODEL_WAKES)
    server.session.count(Stat.WAKE_SECONDS, time.perf_counter() - started)


def _release_in_flight(server: WattcodeServer, uri: str, cancel: CancelToken) -> None:
    if server.session.in_flight.get(uri) is cancel:
        del server.session.in_flight[uri]


def _note_remote_health(server: WattcodeServer, outcome: Outcome) -> None:
    """Say once that the remote server fails (at most once a minute while it does), and once
    that it answers again."""
    model = server.session.model
    # A request skipped on the model thread (its prompt maybe warmed) counts as an answer.
    answered = outcome.status in (OutcomeStatus.DONE, OutcomeStatus.SKIPPED)
    if outcome.status is OutcomeStatus.FAILED:
        model.remote_error = outcome.error
        server.notify_problem(
            "remote", f"{outcome.error}; wattcode keeps serving and tries again at the next request"
        )
    elif answered and model.remote_error is not None:
        model.remote_error = None
        server.notify_user(f"{model.remote} answers again", types.MessageType.Info)


def _show(
    server: WattcodeServer,
    uri: str,
    suggestion: Suggestion,
    position: types.Position,
    outcome: Outcome | None = None,
) -> ShownSuggestion:
    """Record what is shown (for hover) with what it cost and which model made it; a cache
    hit (no `outcome`) cost nothing."""
    server.session.count(Stat.SUGGESTIONS)
    server.session.add_record(
        uri,
        SuggestionRecord(
            start_line=position.line,
            end_line=position.line + suggestion.text.count("\n"),
            text=suggestion.text,
            stats=suggestion.stats,
            energy=outcome.energy if outcome is not None else None,
            start_character=position.character,
            confidence=suggestion.confidence,
            probabilities=suggestion.probabilities,
            ends=suggestion.ends,
            raw_text=suggestion.raw_text,
            model=outcome.model
            if outcome is not None and outcome.model
            else server.session.model.name,
        ),
    )
    server.on_energy_changed()
    return ShownSuggestion(suggestion, position)


def _other_documents(server: WattcodeServer, uri: str) -> tuple[OpenDocument, ...]:
    """The other open documents (the trimmer takes signatures from those `uri` imports), but
    none that `wattcode.exclude` matches: its text never reaches the model thread."""
    this, settings = document_key(uri), server.session.settings
    return tuple(
        OpenDocument(other.uri, other.language_id or "", other.source)
        for other_uri, other in server.workspace.text_documents.items()
        if other_uri != this and excluded_by(settings, other.uri) is None
    )


def _inside_surrogate_pair(lines: Sequence[str], position: types.Position) -> bool:
    """True when a UTF-16 `position` points between the two halves of an astral character."""
    if position.line >= len(lines) or lines[position.line].isascii():
        return False
    units = lines[position.line].encode("utf-16-le", "surrogatepass")
    at = 2 * position.character
    return at + 2 <= len(units) and 0xDC00 <= int.from_bytes(units[at : at + 2], "little") <= 0xDFFF
