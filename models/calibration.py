"""How fast a model runs on this machine: a few seconds measured once, cached per machine and
model (`<cache dir>/calibration.json`), for `wattcode.model.preset: auto`.

The measurement evaluates a fixed piece of code as a prompt and then decodes greedily, one token
at a time, as a suggestion does. Decode speed is what separates the models at the cursor: a
typed key re-evaluates only a few prompt tokens (the KV cache keeps the rest), while every
suggested token is a decode step.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from models.cancellation import CancelToken
from models.energy.cpu_time import cpu_model_name
from models.generation import Pick, WorkMeter

log = logging.getLogger(__name__)

CALIBRATION_SECONDS = 2.0
"""Decoding time measured per model: long enough for a steady rate, short enough to go
unnoticed once per machine (about 5 s in all with the loads, on a 2-core laptop)."""
MAX_DECODED_TOKENS = 200
PROMPT = '''import json
from pathlib import Path


def load_settings(path: Path) -> dict[str, object]:
    """Read a JSON settings file, returning an empty mapping when it does not exist."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def save_settings(path: Path, settings: dict[str, object]) -> None:
'''


class CalibratedModel(Protocol):
    """What a measurement needs from a loaded model (`LlamaBackend`, or a test's stand-in)."""

    def tokenize(self, text: str) -> list[int]: ...

    def evaluate_prompt(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool = True,
    ) -> None: ...

    def pick_next(self) -> Pick: ...

    def accept(self, token: int) -> None: ...

    def reset(self) -> None: ...


@dataclass(frozen=True)
class Speed:
    decode_tokens_per_second: float
    prompt_tokens_per_second: float
    seconds: float = 0.0
    """How long the measurement took (the load not counted)."""

    def describe(self) -> str:
        return (
            f"{self.decode_tokens_per_second:.1f} decoded tok/s, "
            f"{self.prompt_tokens_per_second:.0f} prompt tok/s"
        )


def measure_speed(
    model: CalibratedModel,
    seconds: float = CALIBRATION_SECONDS,
    clock: Callable[[], float] = time.perf_counter,
) -> Speed:
    """Evaluate `PROMPT`, then decode greedily for about `seconds`; the first decoded token is
    a warm-up, not counted. The model's cache is reset before and after."""
    model.reset()
    tokens = model.tokenize(PROMPT)
    started = clock()
    model.evaluate_prompt(tokens, CancelToken(), WorkMeter(), reuse_prefix=False)
    prompt_seconds = max(clock() - started, 1e-9)
    model.accept(model.pick_next().token)  # warm-up
    decoded, decode_started = 0, clock()
    while decoded < MAX_DECODED_TOKENS and clock() - decode_started < seconds:
        model.accept(model.pick_next().token)
        decoded += 1
    decode_seconds = max(clock() - decode_started, 1e-9)
    model.reset()
    return Speed(
        decode_tokens_per_second=decoded / decode_seconds,
        prompt_tokens_per_second=len(tokens) / prompt_seconds,
        seconds=clock() - started,
    )


def machine_key(threads: int | None, gpu_layers: int | None, gpu_build: bool) -> str:
    """What makes a measurement stale: another machine, CPU, thread count or GPU offload."""
    parts = [
        platform.node(),
        platform.machine(),
        cpu_model_name(),
        os.cpu_count(),
        threads,
        gpu_layers,
        gpu_build,
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


class CalibrationCache:
    """Measured speeds in one JSON file: {machine key: {model sha256: Speed}}. A missing or
    unreadable file is an empty cache (it only costs a measurement)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, dict[str, float]]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, machine: str, model_sha256: str) -> Speed | None:
        entry = self._read().get(machine, {}).get(model_sha256)
        try:
            return Speed(**entry) if isinstance(entry, dict) else None
        except TypeError:
            return None

    def put(self, machine: str, model_sha256: str, speed: Speed) -> None:
        data = self._read()
        data.setdefault(machine, {})[model_sha256] = asdict(speed)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(self.path.name + f".{os.getpid()}")
            partial.write_text(json.dumps(data, indent=1), encoding="utf-8")
            partial.replace(self.path)
        except OSError as exc:  # the next start measures again; nothing else is lost
            log.warning("could not cache the calibration: %s", exc)
