"""Which model file to load: the configured one, or the embedded default (assembled on demand)."""

from __future__ import annotations

from pathlib import Path

from models import default_model, paths
from models.default_model import ProgressCallback
from models.gguf_file import check_gguf


def resolve_model_path(configured: str | None, on_progress: ProgressCallback | None = None) -> Path:
    """Return a checked GGUF path; assembles the default model on first use.

    Raises ModelError (with a message naming the file) when the model cannot be used.
    """
    if configured:
        path = Path(configured).expanduser()
        check_gguf(path)
        return path
    return default_model.assemble(paths.models_dir(), on_progress=on_progress)


def installed_models() -> list[Path]:
    """GGUF files in wattcode's models directory (the assembled default and any copied in)."""
    directory = paths.models_dir()
    return sorted(directory.glob("*.gguf")) if directory.is_dir() else []
