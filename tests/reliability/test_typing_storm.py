"""A 10-second typing storm through the real model (the soak runs 60 s and more): 30 keys a
second across 5 documents. No suggestion arrives for a document that had already changed,
every request is answered, the one model thread does all the work, and the CPU goes idle once
the typing stops."""

from __future__ import annotations

import time

import pytest

from lsp_server.model_worker import ModelWorker
from tests.reliability.raw_client import RawClient
from tests.reliability.typing_storm import Storm, run_storm

pytestmark = pytest.mark.model
IDLE_CPU_SECONDS = 0.1
"""CPU the server may use in the 2 s after it has settled: a generous bound for 'idle'."""


def test_typing_storm(with_model: RawClient) -> None:
    before = with_model.stats()
    result = run_storm(with_model, Storm(seconds=10))
    assert result.answered == result.requests  # every request answered, none lost
    assert result.outdated == [], result.outdated
    assert result.suggestions > 0, "nothing was shown: the outdated check checked nothing"
    after = with_model.stats()
    requests = after["requests"] - before["requests"]
    assert requests == result.requests
    generations = after["generations_started"] - before["generations_started"]
    assert (
        generations + after["generations_not_started"] - before["generations_not_started"]
        <= requests
    )
    assert after["generations_failed"] == before["generations_failed"]

    # Idle: within 1 s of the last answer the server's CPU time stops growing.
    time.sleep(1.0)
    settled = with_model.cpu_seconds()
    time.sleep(2.0)
    assert with_model.cpu_seconds() - settled < IDLE_CPU_SECONDS


def test_the_model_runs_on_one_thread() -> None:
    """At most one generation at a time, by construction: one worker thread for all model work."""
    worker = ModelWorker()
    try:
        assert worker._executor._max_workers == 1
    finally:
        worker.shutdown()
