"""Fuzz a running `wattcode serve` over stdio with hypothesis-generated frames.

Used by `test_fuzz.py` (CI size) and by the soak tool (full size). The server runs without a
model (a model path that does not exist), so completion requests answer empty at once and the
fuzz exercises the protocol, the document store and the request path, not the CPU.

Every example is a batch of frames written back to back; then every request in the batch must
have been answered (a result, or a JSON-RPC error that is not an internal error) and a
`wattcode/stats` request must still be answered. A server that died or hung is restarted before
the next example, so hypothesis can shrink a failure to the frames that cause it.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.reliability.lsp_strategies import Frame, frames
from tests.reliability.raw_client import MISSING_MODEL, RawClient

BATCH = 25
ANSWER_TIMEOUT = 20.0
INTERNAL_ERROR = -32603
ALLOWED_ERRORS = {-32700, -32600, -32601, -32602, -32800}
"""Parse error, invalid request, method not found, invalid params, request cancelled."""


@dataclass
class FuzzTarget:
    """The fuzzed server, restarted when a failure left it dead or unresponsive."""

    workdir: Path
    client: RawClient | None = None
    restarts: int = 0
    needs_restart: bool = False
    sent: Counter[str] = field(default_factory=Counter)
    answered: int = 0
    error_codes: Counter[int] = field(default_factory=Counter)

    def ensure(self) -> RawClient:
        if self.client is not None and (
            self.needs_restart or self.client.process.poll() is not None
        ):
            self.client.close(timeout=5)
            self.client = None
            self.restarts += 1
        if self.client is None:
            self.client = RawClient(
                {"model": {"path": MISSING_MODEL}},
                cache_dir=self.workdir / "cache",
                stderr_path=self.workdir / f"server-{self.restarts}.log",
                env={"WATTCODE_DATA_DIR": str(self.workdir / "data")},
            )
            self.client.initialize()
            self.client.wait_for_model()
        self.needs_restart = False
        return self.client

    def run_batch(self, batch: list[Frame]) -> None:
        client = self.ensure()
        try:
            for item in batch:
                client.send_bytes(item.data)
                self.sent[item.kind] += 1
            for item in batch:
                if item.expects_answer_to is None:
                    continue
                answer = client.response(item.expects_answer_to, ANSWER_TIMEOUT)
                self.answered += 1
                if "error" in answer:
                    code = answer["error"]["code"]
                    self.error_codes[code] += 1
                    assert code in ALLOWED_ERRORS, f"server error {answer['error']}"
            client.assert_alive(ANSWER_TIMEOUT)
        except BaseException:
            self.needs_restart = True
            raise

    def stderr_tail(self, lines: int = 40) -> str:
        if self.client is None or self.client.stderr_path is None:
            return ""
        text = self.client.stderr_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def fuzz(target: FuzzTarget, messages: int, seed: int | None = None) -> float:
    """Send at least `messages` frames in batches; returns the seconds it took. Raises the
    (shrunk) failing example's error if any batch fails."""
    examples = -(-messages // BATCH)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(frames, min_size=BATCH, max_size=BATCH))
    def run(batch: list[Frame]) -> None:
        target.run_batch(batch)

    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def new_target() -> FuzzTarget:
    return FuzzTarget(Path(tempfile.mkdtemp(prefix="wattcode-fuzz-")))
