"""The configured model file or the embedded default (assembled on demand), for the callers that
take no preset (`wattcode complete`, the benchmark, tests); and a model file's identity. The
daemon chooses through `models/model_choice.py`."""

from __future__ import annotations

import hashlib
from pathlib import Path

from models import default_model, paths
from models.default_model import ProgressCallback
from models.gguf_file import check_gguf
from models.model_table import known_model


def resolve_model_path(configured: str | None, on_progress: ProgressCallback | None = None) -> Path:
    """Return a checked GGUF path; assembles the default model on first use.

    Raises ModelError (with a message naming the file) when the model cannot be used.
    """
    if configured:
        path = Path(configured).expanduser()
        check_gguf(path)
        return path
    return default_model.assemble(paths.models_dir(), on_progress=on_progress)


def model_identity(path: Path) -> str:
    """A short id for the model file, to key saved states: the published sha256 for a verified
    embedded model, else a hash of the size, the first and the last MiB (hashing a whole
    multi-GB file at every start would cost seconds)."""
    spec = known_model(path)
    if spec is not None and default_model.is_verified(path, spec):
        return spec.sha256[:16]
    digest = hashlib.sha256()
    size = path.stat().st_size
    digest.update(str(size).encode())
    with path.open("rb") as f:
        digest.update(f.read(1 << 20))
        f.seek(max(0, size - (1 << 20)))
        digest.update(f.read(1 << 20))
    return digest.hexdigest()[:16]


def installed_models() -> list[Path]:
    """GGUF files in wattcode's models directory (the assembled default and any copied in)."""
    directory = paths.models_dir()
    return sorted(directory.glob("*.gguf")) if directory.is_dir() else []
