"""The decode-speed measurement for `auto`, on a stand-in model with a fake clock, and its
cache file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from models.calibration import (
    PROMPT,
    CalibrationCache,
    Speed,
    machine_key,
    measure_speed,
)
from models.cancellation import CancelToken
from models.generation import Pick, WorkMeter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TimedModel:
    """Prompt tokens cost 1 ms each, a decode step 50 ms (20 tok/s)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.resets = 0
        self.accepted = 0

    def tokenize(self, text: str) -> list[int]:
        return list(text.encode())

    def evaluate_prompt(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,  # noqa: ARG002 - the protocol's signature
        meter: WorkMeter,  # noqa: ARG002
        reuse_prefix: bool = True,  # noqa: ARG002
    ) -> None:
        self.clock.now += 0.001 * len(tokens)

    def pick_next(self) -> Pick:
        return Pick(7, 1.0)

    def accept(self, token: int) -> None:  # noqa: ARG002 - every token costs the same
        self.clock.now += 0.05
        self.accepted += 1

    def reset(self) -> None:
        self.resets += 1


def test_measures_decode_and_prompt_speed_and_leaves_the_cache_empty() -> None:
    clock = Clock()
    model = TimedModel(clock)
    speed = measure_speed(model, seconds=1.0, clock=clock)
    assert abs(speed.decode_tokens_per_second - 20.0) < 0.01
    assert abs(speed.prompt_tokens_per_second - 1000.0) < 0.01
    assert model.accepted == 21  # a warm-up step, then a second's worth
    assert model.resets == 2
    assert len(PROMPT.encode()) > 200  # a prompt long enough to time


def test_cache_round_trip_and_a_corrupt_file_is_empty(tmp_path: Path) -> None:
    cache = CalibrationCache(tmp_path / "cache" / "calibration.json")
    assert cache.get("m", "sha") is None
    cache.put("m", "sha", Speed(17.5, 110.0, 3.2))
    cache.put("m", "sha2", Speed(6.7, 44.0, 3.9))
    assert CalibrationCache(cache.path).get("m", "sha") == Speed(17.5, 110.0, 3.2)
    cache.path.write_text("{not json", encoding="utf-8")
    assert cache.get("m", "sha") is None
    cache.put("m", "sha", Speed(1.0, 2.0))
    assert cache.get("m", "sha") == Speed(1.0, 2.0)


def test_machine_key_changes_with_threads_and_offload() -> None:
    base = machine_key(None, None, gpu_build=False)
    assert base == machine_key(None, None, gpu_build=False)
    assert base != machine_key(2, None, gpu_build=False)
    assert base != machine_key(None, None, gpu_build=True)
