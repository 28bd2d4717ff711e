"""The real default model: assembled from the six wheels, it hashes to Qwen's official file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from models import default_model, paths

pytestmark = pytest.mark.model


def test_wattcode_model_verify_hashes_the_assembled_file() -> None:
    target = default_model.default_model_path(paths.models_dir())
    if not target.exists():
        subprocess.run([sys.executable, "-m", "lsp_server", "model", "fetch"], check=True)
    done = subprocess.run(
        [sys.executable, "-m", "lsp_server", "model", "verify"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert default_model.DEFAULT_MODEL.sha256 in done.stdout


def test_license_text_ships_with_the_package() -> None:
    license_file = Path(default_model.__file__).parent / "licenses" / "Qwen2.5-Coder-LICENSE"
    text = license_file.read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0" in text
