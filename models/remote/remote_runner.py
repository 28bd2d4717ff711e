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
from dataclasses import dataclass
from typing import Any, Protocol

from models.cancellation import CancelToken
from models.completion_engine import CompletionOptions
from models.errors import GenerationCancelled, RemoteError
from models.generation import Generation, GenerationStats, WorkMeter
from models.remote.endpoint import COMPLETIONS, RemoteEndpoint
from models.remote.fim_text import FimMarkers
from models.remote.sse_stream import stream_events

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.25
"""The first retry's wait; each further retry waits twice as long."""


class Vocabulary(Protocol):
    def count_tokens(self, text: str) -> int: ...


@dataclass(frozen=True)
class RemoteUsage:
    """What the server did for one request, as it reported it, else as counted here."""

    prompt_tokens: int
    cached_prompt_tokens: int
    generated_tokens: int
    reported: bool
    """True when the counts came from the server (`usage` or llama-server's `timings`)."""


def _usage_from(event: dict[str, Any], usage: dict[str, int]) -> None:
    """Collect token counts from vLLM-style `usage` or llama-server's `timings`."""
    reported = event.get("usage")
    if isinstance(reported, dict):
        for key in ("prompt_tokens", "completion_tokens"):
            if isinstance(reported.get(key), int):
                usage[key] = reported[key]
        details = reported.get("prompt_tokens_details")
        if isinstance(details, dict) and isinstance(details.get("cached_tokens"), int):
            usage["cached"] = details["cached_tokens"]
    timings = event.get("timings")
    if isinstance(timings, dict):
        if isinstance(timings.get("cache_n"), int):
            usage["cached"] = timings["cache_n"]
        if isinstance(timings.get("predicted_n"), int):
            usage["completion_tokens"] = timings["predicted_n"]


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
        self.last_usage: RemoteUsage | None = None
        """The most recent request's token counts (read on the same thread, after `run`)."""

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
        prefix: str,
        suffix: str,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
        is_finished: Callable[[str], bool],
        document: str | None,  # noqa: ARG002 - the server keeps its own caches
    ) -> Generation:
        started = time.perf_counter()
        cpu_started = time.process_time()
        self.last_usage = None
        prompt = self.markers.prompt(options.prompt_order, prefix, suffix)
        prompt_tokens = self.count_tokens(prefix) + self.count_tokens(suffix) + 3  # 3 markers
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
        text = ""
        pieces = 0
        first_token_at: float | None = None
        stop_reason = "max-tokens"
        usage: dict[str, int] = {}
        stream = stream_events(self.endpoint, self.endpoint.path_of(COMPLETIONS), body, cancel)
        try:
            for event in stream:
                _usage_from(event, usage)
                choices = event.get("choices")
                first = choices[0] if isinstance(choices, list) and choices else None
                choice: dict[str, Any] = first if isinstance(first, dict) else {}
                piece = choice.get("text")
                if isinstance(piece, str) and piece:
                    if first_token_at is None:
                        first_token_at = time.perf_counter()
                    pieces += 1
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
        return self._generation(
            text,
            prompt_tokens,
            pieces,
            usage,
            meter,
            stop_reason,
            started,
            first_token_at,
            cpu_started,
        )

    def _generation(
        self,
        text: str,
        prompt_tokens: int,
        pieces: int,
        usage: dict[str, int],
        meter: WorkMeter,
        stop_reason: str,
        started: float,
        first_token_at: float | None,
        cpu_started: float,
    ) -> Generation:
        reported = bool(usage)
        prompt = usage.get("prompt_tokens", prompt_tokens)
        cached = min(usage.get("cached", 0), prompt)
        generated = usage.get("completion_tokens", pieces)
        meter.prompt_tokens_reused += cached
        meter.prompt_tokens_evaluated += prompt - cached
        meter.generated_tokens += generated - pieces
        self.last_usage = RemoteUsage(prompt, cached, generated, reported)
        finished = time.perf_counter()
        return Generation(
            raw_text=text,
            stats=GenerationStats(
                prompt_tokens=prompt,
                prompt_tokens_reused=cached,
                prompt_tokens_evaluated=prompt - cached,
                generated_tokens=generated,
                prompt_seconds=(first_token_at or finished) - started,
                total_seconds=finished - started,
                cpu_seconds=time.process_time() - cpu_started,
                stop_reason=stop_reason,
            ),
        )
