"""The remote runner's logic against a scripted stdlib HTTP server: retries and backoff, errors
that are not retried, cancellation and early stops closing the stream, usage reporting. (The
real server, llama-cpp-python's, is in tests/remote/.)"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from models.cancellation import CancelToken
from models.completion_engine import CompletionOptions, PromptJob
from models.errors import GenerationCancelled, RemoteError
from models.generation import Generation, WorkMeter
from models.prompt_context import PromptContext
from models.remote.endpoint import RemoteEndpoint
from models.remote.fim_text import FimMarkers
from models.remote.remote_energy import NOT_MEASURED, remote_estimate
from models.remote.remote_runner import RemoteRunner
from models.token_healing import HealingMode

MARKERS = FimMarkers("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", ("<|endoftext|>",))


@dataclass
class Reply:
    status: int = 200
    pieces: tuple[str, ...] = ()
    delay: float = 0.0
    """Seconds before each piece."""
    final: dict[str, Any] = field(default_factory=dict)
    """Extra fields of a last event (usage, timings)."""
    raw: bytes | None = None


@dataclass
class Script:
    replies: list[Reply]
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    disconnected: threading.Event = field(default_factory=threading.Event)
    pieces_sent: int = 0


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            script.bodies.append(json.loads(self.rfile.read(length)))
            script.headers.append(dict(self.headers))
            reply = script.replies.pop(0) if len(script.replies) > 1 else script.replies[0]
            if reply.status != 200:
                body = json.dumps({"error": {"message": "busy"}}).encode()
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            try:
                for event in _events(reply):
                    time.sleep(reply.delay)
                    self.wfile.write(event)
                    self.wfile.flush()
                    script.pieces_sent += 1
            except OSError:
                script.disconnected.set()

    return Handler


def _events(reply: Reply) -> Iterator[bytes]:
    if reply.raw is not None:
        yield reply.raw
        return
    for piece in reply.pieces:
        event = {"choices": [{"text": piece, "finish_reason": None}]}
        yield f"data: {json.dumps(event)}\n\n".encode()
    last = {"choices": [{"text": "", "finish_reason": "stop"}], **reply.final}
    yield f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode()
    for _ in range(50):  # a server keeps going until it notices the client is gone
        yield b": keep-alive\n\n"


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[Script, RemoteEndpoint]]]:
    servers: list[ThreadingHTTPServer] = []

    def start(*replies: Reply, **endpoint: Any) -> tuple[Script, RemoteEndpoint]:
        script = Script(list(replies))
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return script, RemoteEndpoint(f"http://127.0.0.1:{server.server_port}", **endpoint)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class Chars:
    def count_tokens(self, text: str) -> int:
        return len(text)


def runner(endpoint: RemoteEndpoint, waits: list[float] | None = None) -> RemoteRunner:
    def sleep(cancel: CancelToken, seconds: float) -> bool:
        if waits is not None:
            waits.append(seconds)
        return cancel.cancelled

    return RemoteRunner(endpoint, Chars(), MARKERS, 4096, sleep=sleep)


def run(
    remote: RemoteRunner,
    cancel: CancelToken | None = None,
    finish_at: str | None = None,
    prefix: str = "def f():\n    ",
    healing: HealingMode = HealingMode.OFF,
) -> tuple[Generation, WorkMeter]:
    meter = WorkMeter()
    job = PromptJob(
        PromptContext(prefix, "\n", prefix_tokens=len(prefix), suffix_tokens=1),
        CompletionOptions(max_tokens=32, healing=healing),
        cancel or CancelToken(),
        meter,
        "file:///a.py",
        lambda text: finish_at is not None and finish_at in text,
    )
    generation = remote.run(job)
    return generation, meter


def test_a_stream_becomes_a_generation_with_the_servers_counts(serve: Any) -> None:
    usage = {
        "usage": {
            "prompt_tokens": 40,
            "completion_tokens": 3,
            "prompt_tokens_details": {"cached_tokens": 30},
        }
    }
    script, endpoint = serve(Reply(pieces=("return", " 1"), final=usage))
    generation, meter = run(runner(endpoint))
    assert generation.raw_text == "return 1"
    assert generation.stats.stop_reason == "stop-token"
    stats = generation.stats
    assert (stats.prompt_tokens, stats.prompt_tokens_reused, stats.generated_tokens) == (40, 30, 3)
    assert meter.generated_tokens == 3
    assert (meter.prompt_tokens_evaluated, meter.prompt_tokens_reused) == (10, 30)
    body = script.bodies[0]
    assert body["stream"] is True and body["temperature"] == 0.0 and body["max_tokens"] == 32
    assert body["prompt"] == "<|fim_prefix|><|fim_suffix|>\n<|fim_middle|>def f():\n    "
    assert "<|endoftext|>" in body["stop"]


def test_healing_leaves_the_partial_word_out_and_the_stream_must_spell_it(serve: Any) -> None:
    script, endpoint = serve(Reply(pieces=(" ret", "urn", " 1")))
    generation, meter = run(
        runner(endpoint), prefix="def f():\n    ret", healing=HealingMode.TOKENS
    )
    # ` ret` is one pre-token: a word takes its leading space with it.
    assert script.bodies[0]["prompt"].endswith("<|fim_middle|>def f():\n   ")
    assert generation.raw_text == "urn 1"
    assert meter.prompt_tokens_evaluated == len("def f():\n   ") + 1 + 3  # chars, as counted


def test_a_stream_that_starts_a_new_word_shows_nothing_and_is_closed(serve: Any) -> None:
    script, endpoint = serve(Reply(pieces=("    value", " = 1", "\n", "more"), delay=0.01))
    generation, _ = run(runner(endpoint), prefix="def f():\n    ret", healing=HealingMode.TOKENS)
    assert generation.raw_text == "" and generation.stats.stop_reason == "unhealed"
    assert script.disconnected.wait(2.0)


def test_a_stream_that_ends_inside_the_healed_text_shows_nothing(serve: Any) -> None:
    _, endpoint = serve(Reply(pieces=(" re",)))
    generation, _ = run(runner(endpoint), prefix="def f():\n    ret", healing=HealingMode.TOKENS)
    assert generation.raw_text == ""


def test_a_stop_marker_in_the_stream_ends_the_suggestion(serve: Any) -> None:
    script, endpoint = serve(Reply(pieces=("return", " 1", "<|endoftext|>", "junk"), delay=0.01))
    generation, meter = run(runner(endpoint))
    assert generation.raw_text == "return 1"
    assert generation.stats.stop_reason == "stop-token" and meter.generated_tokens == 3
    assert script.disconnected.wait(2.0)


def test_llama_server_timings_count_the_cached_prompt(serve: Any) -> None:
    timings = {"timings": {"cache_n": 12, "prompt_n": 5, "predicted_n": 2}}
    _script, endpoint = serve(Reply(pieces=("x", "y"), final=timings))
    generation, meter = run(runner(endpoint))
    assert meter.prompt_tokens_reused == 12  # the server's own count, not ours (0)
    assert meter.prompt_tokens_evaluated == 13 + 1 + 3 - 12  # the context's tokens + markers
    assert generation.stats.prompt_tokens_reused == 12
    assert meter.generated_tokens == 2


def test_busy_and_failing_servers_are_retried_with_backoff(serve: Any) -> None:
    script, endpoint = serve(Reply(503), Reply(429), Reply(pieces=("ok",)), retries=2)
    waits: list[float] = []
    generation, _ = run(runner(endpoint, waits))
    assert generation.raw_text == "ok"
    assert len(script.bodies) == 3 and waits == [0.25, 0.5]


def test_retries_end_with_one_clear_error(serve: Any) -> None:
    _script, endpoint = serve(Reply(503), retries=1)
    with pytest.raises(RemoteError, match=r"HTTP 503: busy after 2 tries"):
        run(runner(endpoint, []))


def test_a_refused_token_is_not_retried_and_says_so(serve: Any) -> None:
    script, endpoint = serve(Reply(401), token="sk-secret", retries=3)
    with pytest.raises(RemoteError, match="check the token") as caught:
        run(runner(endpoint, []))
    assert "sk-secret" not in str(caught.value)
    assert len(script.bodies) == 1
    assert script.headers[0]["Authorization"] == "Bearer sk-secret"


def test_a_server_that_is_down_is_named(serve: Any) -> None:
    _script, endpoint = serve(Reply())
    down = RemoteEndpoint(endpoint.url.rsplit(":", 1)[0] + ":9", retries=0)
    with pytest.raises(RemoteError, match="unreachable"):
        run(runner(down))


def test_a_malformed_stream_is_an_error(serve: Any) -> None:
    _script, endpoint = serve(Reply(raw=b"data: {not json\n\n"), retries=3)
    with pytest.raises(RemoteError, match="malformed"):
        run(runner(endpoint, []))


def test_a_silent_server_times_out(serve: Any) -> None:
    _script, endpoint = serve(Reply(pieces=("slow",), delay=2.0), timeout_seconds=0.5, retries=0)
    started = time.monotonic()
    with pytest.raises(RemoteError, match="within the timeout"):
        run(runner(endpoint))
    assert time.monotonic() - started < 1.8


def test_cancelling_closes_the_stream_at_once(serve: Any) -> None:
    script, endpoint = serve(Reply(pieces=("a",) * 40, delay=0.05))
    cancel = CancelToken()
    threading.Timer(0.3, cancel.cancel).start()
    started = time.monotonic()
    with pytest.raises(GenerationCancelled):
        run(runner(endpoint), cancel)
    assert time.monotonic() - started < 1.0
    assert script.disconnected.wait(2.0), "the server never saw the client go"
    assert script.pieces_sent < 40


def test_an_early_stop_closes_the_stream(serve: Any) -> None:
    script, endpoint = serve(Reply(pieces=("x = 1\n", "y = 2\n", *("z",) * 40), delay=0.02))
    generation, _ = run(runner(endpoint), finish_at="x = 1\n")
    assert generation.raw_text == "x = 1\n" and generation.stats.stop_reason == "finished"
    assert script.disconnected.wait(2.0)


def test_energy_is_not_measured_unless_costs_are_configured() -> None:
    usage = WorkMeter(prompt_tokens_reused=80, prompt_tokens_evaluated=20, generated_tokens=10)
    assert remote_estimate(usage, RemoteEndpoint("http://h")) == (0.0, NOT_MEASURED)
    joules, label = remote_estimate(
        usage,
        RemoteEndpoint("http://h", joules_per_prompt_token=0.01, joules_per_generated_token=0.1),
    )
    assert joules == pytest.approx(20 * 0.01 + 10 * 0.1)
    assert label.startswith("estimated: remote") and "configured" in label
