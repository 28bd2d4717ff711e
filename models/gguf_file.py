"""Cheap checks that a path is a GGUF model file, before llama.cpp is asked to load it.

llama.cpp's own errors for a wrong file are vague ("failed to load model"); this module turns
the common cases into messages that name the file and the problem.
"""

from __future__ import annotations

import struct
from pathlib import Path

from models.errors import ModelError

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)


def check_gguf(path: Path) -> None:
    """Raise ModelError unless `path` is a readable GGUF file of a supported version."""
    if not path.exists():
        raise ModelError(f"Model file not found: {path}")
    if not path.is_file():
        raise ModelError(f"Model path is not a file: {path}")
    try:
        with path.open("rb") as f:
            header = f.read(8)
    except OSError as exc:
        raise ModelError(f"Model file cannot be read: {path} ({exc.strerror})") from exc
    if len(header) < 8 or header[:4] != GGUF_MAGIC:
        raise ModelError(
            f"Not a GGUF model file: {path} (expected the 'GGUF' header; "
            "convert the model with llama.cpp's convert scripts or pick a .gguf file)"
        )
    (version,) = struct.unpack("<I", header[4:8])
    if version not in SUPPORTED_VERSIONS:
        raise ModelError(f"Unsupported GGUF version {version} in {path}")
