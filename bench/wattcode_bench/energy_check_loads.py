"""The two loads the energy check types through `wattcode serve`: `run_sparse`, the typing
replay at a human rhythm with each span once, as `wattcode bench` types it (the GPU idles
between short windows); and `run_back_to_back`, several documents typed at once
(`type_back_to_back`), each key's request sent as soon as that document's previous answer came,
so that the single model thread never waits and the windows are nearly contiguous. Both return
the keys typed; back to back also counts the requests the server answered with an error."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from typing import Any

from wattcode_bench.configs import WATTCODE
from wattcode_bench.lsp_client import LspClient, ServerError
from wattcode_bench.typing_replay import FINAL_WAIT, SpanInFile, Typist


def _position(line: int, column: int) -> dict[str, int]:
    return {"line": line, "character": column}


async def type_back_to_back(
    client: Any, uri: str, target: SpanInFile, deadline: float
) -> tuple[int, int]:
    """Type `target`'s span into a fresh document, each key's request sent as soon as the
    previous one is answered (no typing rhythm); stop at `deadline`. Returns the keys typed and
    how many of their requests the server answered with an error."""
    source, span, language_id = target.source, target.span, target.corpus_file.language_id
    typed = span.text(source)
    document = source[: span.start] + source[span.end :]
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": document}},
    )
    line, column, keys, errors = span.line, 0, 0, 0
    for char in typed:
        if time.perf_counter() >= deadline:
            break
        keys += 1
        position = _position(line, column)
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": keys + 1},
                "contentChanges": [{"range": {"start": position, "end": position}, "text": char}],
            },
        )
        if char == "\n":
            line, column = line + 1, 0
        else:
            column += len(char.encode("utf-16-le")) // 2
        try:
            await client.call(
                "textDocument/inlineCompletion",
                {
                    "textDocument": {"uri": uri},
                    "position": _position(line, column),
                    "context": {"triggerKind": 2},
                },
                timeout=FINAL_WAIT,
            )
        except ServerError:
            errors += 1  # counted and reported: one failed key must not end the run
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return keys, errors


async def run_back_to_back(
    client: Any, work: list[SpanInFile], streams: int, seconds: float
) -> tuple[int, int]:
    """`streams` documents typed at once for `seconds`, cycling through `work`: while one
    document's answer travels back and its next key travels in, another's request is queued,
    so the single model thread never waits. Each pass types a span into a new document.
    Returns the keys typed and the requests that failed."""
    deadline = time.perf_counter() + seconds
    jobs = itertools.cycle(work)
    serial = itertools.count()

    async def stream() -> tuple[int, int]:
        keys = errors = 0
        while time.perf_counter() < deadline:
            target = next(jobs)
            uri = f"file:///energy-check/{next(serial)}/{target.corpus_file.path.name}"
            typed, failed = await type_back_to_back(client, uri, target, deadline)
            keys, errors = keys + typed, errors + failed
        return keys, errors

    done = await asyncio.gather(*(stream() for _ in range(streams)))
    return sum(keys for keys, _ in done), sum(errors for _, errors in done)


async def run_sparse(client: LspClient, work: list[SpanInFile], seed: int) -> int:
    """The typing replay at a human rhythm, each span once (as `wattcode bench` types)."""
    typist = Typist(client, WATTCODE.name, random.Random(seed))
    keys = 0
    for number, target in enumerate(work):
        uri = f"file:///energy-check/{number}/{target.corpus_file.path.name}"
        result = await typist.replay_span(uri, target)
        keys += len(result.keys)
    return keys
