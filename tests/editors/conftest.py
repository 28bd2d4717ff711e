"""Real editors from Debian (Neovim, Emacs with eglot; Chromium for VS Code): installed once per
session by editor-client/scripts/e2e.sh --editors when missing. A failure to install fails the
tests with the script's message: these tests are never skipped silently."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "editor-client" / "scripts" / "e2e.sh"


@pytest.fixture(scope="session")
def debian_editors() -> None:
    if all(shutil.which(tool) for tool in ("nvim", "emacs", "chromium")):
        return
    proc = subprocess.run(
        ["bash", str(SCRIPT), "--editors"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"could not install the editors from Debian:\n{proc.stderr[-3000:]}")


def editor_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A scratch home for the editor; the real model and the venv's `wattcode` on PATH."""
    venv_bin = ROOT / ".venv" / "bin"
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "WATTCODE_CACHE_DIR": str(tmp_path / "wattcode-cache"),
        "WATTCODE_LOG_DIR": str(tmp_path / "wattcode-logs"),
        **extra,
    }
    if "WATTCODE_DATA_DIR" not in os.environ:  # HOME moves; the assembled model does not
        env["WATTCODE_DATA_DIR"] = str(Path.home() / ".local" / "share" / "wattcode")
    return env


SOURCE = '''class Rectangle:
    def __init__(self, width: float, height: float) -> None:
        self.width = width
        self.height = height

    def perimeter(self) -> float:
        """The length of the rectangle's border."""
        return '''
