"""Hypothesis-generated traffic against the running server: every request answered (never with
an internal error), the server alive after every batch. WATTCODE_FUZZ_MESSAGES sets the size
(10,000 by default; the soak sends 100,000 and more)."""

from __future__ import annotations

import os

from tests.reliability.fuzzing import FuzzTarget, fuzz, new_target

FUZZ_MESSAGES = int(os.environ.get("WATTCODE_FUZZ_MESSAGES", "10000"))


def test_fuzzed_messages_never_crash_or_hang() -> None:
    target: FuzzTarget = new_target()
    try:
        fuzz(target, FUZZ_MESSAGES)
        assert target.client is not None
        assert target.client.close() == 0, "the fuzzed server did not exit cleanly"
    except BaseException:
        print(target.stderr_tail())  # the server's last log lines, for the failure report
        raise
    finally:
        target.close()
    assert sum(target.sent.values()) >= FUZZ_MESSAGES
    assert target.restarts == 0, "the server had to be restarted"
    assert target.answered > 0 and set(target.sent) == {"request", "notify", "json", "garbage"}
