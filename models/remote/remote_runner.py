"""The remote runner: wattcode's trimmed FIM prompt, run by an OpenAI-compatible server.

Everything before the prompt (trimming, gating, budgets, the suggestion cache) stays on this
machine; the server only evaluates the prompt and streams the middle back. The stream is closed
as soon as post-processing would cut the rest, or the request is cancelled, so the server stops
working on text nobody will see. Tokens are counted here with the same model family's
vocabulary (the local model file), so the trimmer's budget holds for the server's model too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from models.cancellation import CancelToken
from models.completion_engine import CompletionOptions
from models.errors import GenerationCancelled, RemoteError
from models.generation import Generation, GenerationStats, WorkMeter
from models.prompt_window import PromptWindow
from models.remote.endpoint import COMPLETIONS, RemoteEndpoint
from models.remote.fim_text import FimMarkers
from models.remote.sse_stream import stream_events

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.25
"""The first retry's wait; each further retry waits twice as long."""


class Vocabulary(Protocol):
    def count_tokens(self, text: str) -> int: ...


MARKER_TOKENS = 3
"""The prefix, suffix and middle markers around the window's own tokens."""


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

    def run(
        self,
        window: PromptWindow,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
        is_finished: Callable[[str], bool],
        document: str | None,  # noqa: ARG002 - the server keeps its own caches
    ) -> Generation:
        started = time.perf_counter()
        cpu_started = time.process_time()
        prompt = self.markers.prompt(options.prompt_order, window.prefix, window.suffix)
        prompt_tokens = window.prefix_tokens + window.suffix_tokens + MARKER_TOKENS
        body = self._body(prompt, options)
        attempt = 0
        while True:
            cancel.raise_if_cancelled()
            try:
                return self._stream(
                    body, prompt_tokens, cancel, meter, is_finished, started, cpu_started
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

    def prefill(
        self,
        window: PromptWindow,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
        document: str | None,
    ) -> None:
        """Nothing: warming a remote server's cache would cost a request of its own, and the
        server keeps (and evicts) its cache as it likes."""

    def _stream(
        self,
        body: dict[str, Any],
        prompt_tokens: int,
        cancel: CancelToken,
        meter: WorkMeter,
        is_finished: Callable[[str], bool],
        started: float,
        cpu_started: float,
    ) -> Generation:
        """One try. The meter counts the work as it happens (cancelled work included): the
        prompt once the server answers, each streamed piece as a token, corrected by the
        server's own counts where it reports them."""
        text = ""
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
                    text, stopped = self.markers.cut_at_stop(text + piece)
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
