"""The remote runner: wattcode's trimmed FIM prompt, run by an OpenAI-compatible server.

Everything before the prompt (trimming, gating, budgets, the suggestion cache) stays on this
machine; the server only evaluates the prompt and streams the middle back. The stream is closed
as soon as post-processing would cut the rest, or the request is cancelled, so the server stops
working on text nobody will see. Tokens are counted here with the same model family's
vocabulary (the local model file), so the trimmer's budget holds for the server's model too.

Token healing without constraining tokens: the server cannot be told which first tokens to
allow, so the prompt leaves out the text that healing cuts (as locally) and the streamed text
must spell it again; a stream that starts otherwise is closed at once and shows nothing, where
the model would have started a new word after a partial one (`models/token_healing.py`). There
is no confidence cut: the stream carries no token probabilities.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from models.cancellation import CancelToken
from models.completion_engine import CompletionOptions, PromptJob
from models.errors import GenerationCancelled, RemoteError
from models.generation import Generation, GenerationStats, WorkMeter
from models.remote.endpoint import COMPLETIONS, RemoteEndpoint
from models.remote.fim_text import FimMarkers
from models.remote.sse_stream import stream_events
from models.token_healing import heal_prefix

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.25
"""The first retry's wait; each further retry waits twice as long."""


class Vocabulary(Protocol):
    def count_tokens(self, text: str) -> int: ...


MARKER_TOKENS = 3
"""The prefix, suffix and middle markers around the context's own tokens."""


def _correct_from_reports(event: dict[str, Any], meter: WorkMeter, counted: WorkMeter) -> None:
    """Replace what was counted here by what the server reports, where it does: vLLM's
    `usage` (cached prompt tokens included) or llama-server's `timings`."""
    prompt = counted.prompt_tokens_evaluated + counted.prompt_tokens_reused
    cached, generated = counted.prompt_tokens_reused, counted.generated_tokens
    usage = event.get("usage")
    if isinstance(usage, dict):
        prompt = _count(usage.get("prompt_tokens"), prompt)
        generated = _count(usage.get("completion_tokens"), generated)
        details = usage.get("prompt_tokens_details")
        if isinstance(details, dict):
            cached = _count(details.get("cached_tokens"), cached)
    timings = event.get("timings")
    if isinstance(timings, dict):
        cached = _count(timings.get("cache_n"), cached)
        generated = _count(timings.get("predicted_n"), generated)
    cached = min(cached, prompt)
    meter.prompt_tokens_reused += cached - counted.prompt_tokens_reused
    meter.prompt_tokens_evaluated += prompt - cached - counted.prompt_tokens_evaluated
    meter.generated_tokens += generated - counted.generated_tokens
    counted.prompt_tokens_reused = cached
    counted.prompt_tokens_evaluated = prompt - cached
    counted.generated_tokens = generated


class _Expected(NamedTuple):
    prompt_tokens: int
    removed: str
    """The text healing cut from the prompt, which the stream must spell first."""


def _spells(streamed: str, removed: str) -> bool:
    """Whether the stream so far agrees with the healed text: it starts with it, or is still
    a start of it."""
    return streamed.startswith(removed) or removed.startswith(streamed)


def _count(reported: object, otherwise: int) -> int:
    return reported if isinstance(reported, int) and reported >= 0 else otherwise


class RemoteRunner:
    def __init__(
        self,
        endpoint: RemoteEndpoint,
        vocabulary: Vocabulary,
        markers: FimMarkers,
        context_length: int,
        sleep: Callable[[CancelToken, float], bool] = CancelToken.wait,
    ) -> None:
        self.endpoint = endpoint
        self.vocabulary = vocabulary
        self.markers = markers
        self.context_length = context_length
        self._sleep = sleep

    def count_tokens(self, text: str) -> int:
        return self.vocabulary.count_tokens(text)

    def _body(self, prompt: str, options: CompletionOptions) -> dict[str, Any]:
        body: dict[str, Any] = {
            "prompt": prompt,
            "max_tokens": options.max_tokens,
            "temperature": 0.0,
            "stream": True,
            "stop": list(self.markers.stops),
            # Asked for, and ignored by servers that do not know them:
            "stream_options": {"include_usage": True},  # vLLM: token counts in the last event
            "cache_prompt": True,  # llama-server: reuse the previous prompt's KV cache
        }
        if self.endpoint.model:
            body["model"] = self.endpoint.model
        return body

    def run(self, job: PromptJob) -> Generation:
        """The job's prompt on the server (its document names nothing: the server keeps its
        own caches)."""
        context, options, cancel = job.context, job.options, job.cancel
        started = time.perf_counter()
        cpu_started = time.process_time()
        healed = heal_prefix(context.prefix, options.healing)
        prompt = self.markers.prompt(options.prompt_order, healed.prefix, context.suffix)
        prompt_tokens = (
            context.prefix_tokens
            - (self.count_tokens(healed.removed) if healed.removed else 0)
            + context.suffix_tokens
            + MARKER_TOKENS
        )
        body = self._body(prompt, options)
        attempt = 0
        while True:
            cancel.raise_if_cancelled()
            try:
                return self._stream(
                    body, _Expected(prompt_tokens, healed.removed), job, (started, cpu_started)
                )
            except RemoteError as exc:
                if not exc.retryable or attempt >= self.endpoint.retries:
                    tries = f" after {attempt + 1} tries" if attempt else ""
                    raise RemoteError(f"{exc}{tries}", exc.retryable) from exc
                wait = BACKOFF_SECONDS * 2**attempt
                log.info("remote request failed (%s); retrying in %.2f s", exc, wait)
                if self._sleep(cancel, wait):
                    raise GenerationCancelled from exc
                attempt += 1

    def warm(self, job: PromptJob) -> None:
        """Nothing: warming a remote server's cache would cost a request of its own, and the
        server keeps (and evicts) its cache as it likes."""

    def _stream(
        self, body: dict[str, Any], expected: _Expected, job: PromptJob, clocks: tuple[float, float]
    ) -> Generation:
        """One try. The meter counts the work as it happens (cancelled work included): the
        prompt once the server answers, each streamed piece as a token, corrected by the
        server's own counts where it reports them."""
        started, cpu_started = clocks
        prompt_tokens, removed = expected
        cancel, meter, is_finished = job.cancel, job.meter, job.is_finished
        streamed = text = ""
        """All the server sent; the suggestion is what follows the healed text in it."""
        counted = WorkMeter()
        first_token_at: float | None = None
        stop_reason = "max-tokens"
        stream = stream_events(self.endpoint, self.endpoint.path_of(COMPLETIONS), body, cancel)
        try:
            for event in stream:
                if not counted.prompt_tokens_evaluated:
                    counted.prompt_tokens_evaluated = prompt_tokens
                    meter.prompt_tokens_evaluated += prompt_tokens
                _correct_from_reports(event, meter, counted)
                choices = event.get("choices")
                first = choices[0] if isinstance(choices, list) and choices else None
                choice: dict[str, Any] = first if isinstance(first, dict) else {}
                piece = choice.get("text")
                if isinstance(piece, str) and piece:
                    first_token_at = first_token_at or time.perf_counter()
                    counted.generated_tokens += 1
                    meter.generated_tokens += 1
                    streamed, stopped = self.markers.cut_at_stop(streamed + piece)
                    if not _spells(streamed, removed):
                        text, stop_reason = "", "unhealed"
                        break
                    text = streamed[len(removed) :]
                    if stopped:
                        stop_reason = "stop-token"
                        break
                    if "\n" in piece and is_finished(text):
                        stop_reason = "finished"  # closing the stream stops the server's work
                        break
                if choice.get("finish_reason") == "stop":
                    stop_reason = "stop-token"
        except RemoteError as exc:
            if text:  # half a suggestion is not retried: the user has typed on meanwhile
                exc.retryable = False
            raise
        finally:
            stream.close()
        if len(streamed) < len(removed):
            text = ""  # the stream ended inside the healed text: nothing follows the cursor
        if stop_reason == "max-tokens" and is_finished(text):
            stop_reason = "finished"
        finished = time.perf_counter()
        return Generation(
            raw_text=text,
            stats=GenerationStats(
                prompt_tokens=counted.prompt_tokens_evaluated + counted.prompt_tokens_reused,
                prompt_tokens_reused=counted.prompt_tokens_reused,
                prompt_tokens_evaluated=counted.prompt_tokens_evaluated,
                generated_tokens=counted.generated_tokens,
                prompt_seconds=(first_token_at or finished) - started,
                total_seconds=finished - started,
                cpu_seconds=time.process_time() - cpu_started,
                stop_reason=stop_reason,
            ),
        )
