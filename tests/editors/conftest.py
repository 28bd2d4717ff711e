"""Real editors from Debian (Neovim, Emacs with eglot; Chromium for VS Code), checked once per
session by editor-client/scripts/e2e.sh --editors. The script installs missing packages only in
CI (CI=true), with WATTCODE_E2E_INSTALL=1 or with --install-packages; otherwise it exits with
PACKAGES_MISSING and the tests here are skipped with its message (which packages, and how to
install them). A failed install still fails the tests with the script's message."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "editor-client" / "scripts" / "e2e.sh"
PACKAGES_MISSING = 77
"""e2e.sh's exit status when Debian packages are missing and it may not install them."""


@functools.cache
def _debian_packages() -> tuple[int, str]:
    """Run `e2e.sh --editors` once: its exit status and the end of its stderr."""
    proc = subprocess.run(
        ["bash", str(SCRIPT), "--editors"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return proc.returncode, proc.stderr[-3000:]


def require_debian_packages() -> None:
    """Skip when e2e.sh says Debian packages are missing (and it may not install them); fail
    when installing them failed."""
    status, message = _debian_packages()
    if status == PACKAGES_MISSING:
        pytest.skip(f"Debian packages missing (editor-client/scripts/e2e.sh):\n{message.strip()}")
    if status != 0:
        pytest.fail(f"could not install the editors from Debian:\n{message}")


@pytest.fixture(scope="session")
def debian_editors() -> None:
    if all(shutil.which(tool) for tool in ("nvim", "emacs", "chromium")):
        return
    require_debian_packages()


@pytest.fixture(autouse=True)
def _e2e_script_packages(request: pytest.FixtureRequest) -> None:
    """The tests that run e2e.sh itself (test_vscode.py) would see PACKAGES_MISSING as a failed
    run: the packages are checked first, so that a missing one is a skip there too."""
    if "debian_editors" not in request.fixturenames:
        require_debian_packages()


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
