"""The llama.vim peer: its request, cache and display rules without a binary; a few keys
through a real llama-server when one is built (`bench/llama_server/build.sh`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from models.model_files import resolve_model_path
from wattcode_bench import llamavim_peer as peer
from wattcode_bench.llama_server_process import LlamaServer
from wattcode_bench.typing_replay import ConfigReplay, Span


def _text(above: int, below: int, cursor_line: str = "    total = su") -> tuple[str, int]:
    lines = [f"a{i}" for i in range(above)] + [cursor_line] + [f"b{i}" for i in range(below)]
    text = "\n".join(lines)
    return text, len("\n".join(lines[: above + 1]))


def test_request_takes_256_lines_above_and_64_below() -> None:
    text, cursor = _text(300, 100)
    context = peer.local_context(text, cursor)
    above = context.prefix.split("\n")
    assert len(above) == 257 and above[0] == "a44" and above[-2] == "a299" and above[-1] == ""
    assert context.middle == "    total = su"
    assert context.suffix == "\n" + "\n".join(f"b{i}" for i in range(64)) + "\n"
    request = peer.infill_request(context)
    assert request["prompt"] == "    total = su" and request["n_indent"] == 4
    assert request["input_extra"] == [] and request["cache_prompt"] is True
    assert request["samplers"] == ["top_k", "top_p", "infill"] and request["n_predict"] == 128


def test_cursor_inside_a_line_and_a_blank_line() -> None:
    text = "def f():\n    return x + y\n"
    context = peer.local_context(text, text.index(" + y"))
    assert context.middle == "    return x" and context.suffix.startswith(" + y\n")
    assert context.line_suffix == " + y"
    blank = peer.local_context("def f():\n    \nz", len("def f():\n    "))
    assert (blank.middle, blank.indent, blank.suffix) == ("", 0, "\nz\n")
    top = peer.local_context("x", 1)
    assert top.prefix == "\n"  # no line above: llama.vim still sends the newline


def test_cache_serves_the_rest_of_an_earlier_suggestion() -> None:
    cache = peer.SuggestionCache()
    text = "def f():\n    ret\n"
    earlier = peer.local_context(text, text.index("ret") + 3)
    cache.insert(peer.context_keys(earlier), "urn x")
    assert cache.lookup(earlier) == "urn x"
    later = peer.local_context(text.replace("ret", "retu"), text.index("ret") + 4)
    assert cache.lookup(later) == "rn x"
    wrong = peer.local_context(text.replace("ret", "rex"), text.index("ret") + 3)
    assert cache.lookup(wrong) is None


def test_shown_drops_repeats_of_the_text_around_the_cursor() -> None:
    text = "if a:\n    \n    b = 1\n"
    cursor = len("if a:\n    ")
    assert peer.shown("    b = 1", text, cursor) == ""  # repeats the next line
    assert peer.shown("    c = 2\n\n", text, cursor) == "c = 2"  # indentation already typed
    assert peer.shown("   \n", text, cursor) == ""
    line = "x = f()"
    assert peer.shown(")", line, line.index(")")) == ""  # repeats the rest of the line


def test_peer_is_skipped_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WATTCODE_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("WATTCODE_LLAMA_SERVER", raising=False)
    assert "no llama-server binary" in peer.skip_reason(None, "lockstep")
    assert "lockstep only" in peer.skip_reason(None, "rhythm")


class FakeServer:
    """Answers every `/infill` with the rest of the span, as a perfect model would."""

    def __init__(self, answer: str) -> None:
        self.answer, self.requests = answer, 0

    async def infill(self, body: dict[str, object]) -> dict[str, object]:
        self.requests += 1
        prompt = str(body["prompt"])
        typed = prompt.strip()
        return {"content": self.answer[len(typed) :], "timings/prompt_n": 3}

    def cpu_seconds(self) -> float:
        return float(self.requests)


def test_replay_scores_the_peer_like_wattcode() -> None:
    source = "def add(a, b):\n    total = a + b\n    return total\n"
    span = Span(source.index("total"), source.index("\n    return"), 1)
    server = FakeServer("total = a + b")
    counters = dict.fromkeys(peer.COUNTERS, 0)
    span_peer = peer.PeerSpan(server, peer.SuggestionCache(), counters)  # type: ignore[arg-type]
    result = asyncio.run(peer.replay_span(span_peer, source, span, "add.py", "Python"))
    assert "".join(k.typed for k in result.keys) == "total = a + b"
    first = result.keys[0]
    assert first.suggestion == "otal = a + b" and first.accepted and not first.from_cache
    # The rest is shown from the client's cache (typed into an earlier suggestion), yet each key
    # still asks: llama.vim skips the request only when this exact context is cached.
    assert all(k.from_cache and k.accepted for k in result.keys[1:-1])
    assert server.requests == 1 + len(result.keys) and result.evaluated_per_key[0] == 3
    evaluated = result.stats_after["prompt_tokens_evaluated"]
    assert evaluated - result.stats_before["prompt_tokens_evaluated"] == 3 * len(result.keys)
    assert result.keys[0].next_text.startswith("otal = a + b\n    return")


@pytest.mark.model
@pytest.mark.bench
def test_a_few_keys_through_llama_server() -> None:
    binary = peer.server_binary(None)
    if binary is None:
        pytest.skip("no llama-server binary (bench/llama_server/build.sh)")
    source = "def add(a, b):\n    total = a + b\n    return total\n"
    span = Span(source.index("total"), source.index(" + b"), 1)

    async def run() -> ConfigReplay:
        server = LlamaServer(binary, resolve_model_path(None))
        await server.start()
        try:
            counters = dict.fromkeys(peer.COUNTERS, 0)
            span_peer = peer.PeerSpan(server, peer.SuggestionCache(), counters)
            result = await peer.replay_span(span_peer, source, span, "add.py", "Python")
            return ConfigReplay([result], 0, 0.0, {}, span_peer.snapshot())
        finally:
            await server.stop()

    replay = asyncio.run(run())
    (result,) = replay.results
    assert [k.typed for k in result.keys] == list("total = a")
    assert all(k.status in ("suggestion", "empty") for k in result.keys)
    assert result.server_cpu_seconds > 0 and replay.stats_end["requests"] >= len(result.keys)
