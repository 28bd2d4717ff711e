"""`wattcode doctor`: what a user (or a bug report) needs to know about this installation."""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lsp_server import __version__
from models import default_model, paths
from models.errors import ModelError
from models.gguf_file import check_gguf

RAPL_ROOT = Path("/sys/class/powercap")


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _energy_lines() -> list[str]:
    lines = []
    domains = sorted(RAPL_ROOT.glob("intel-rapl:*/energy_uj")) if RAPL_ROOT.is_dir() else []
    if not domains:
        lines.append("RAPL: no powercap counters on this machine")
    else:
        readable = [d for d in domains if os.access(d, os.R_OK)]
        lines.append(f"RAPL: {len(domains)} counters, {len(readable)} readable by this user")
        if len(readable) < len(domains):
            lines.append(
                "  grant read access: sudo chmod o+r /sys/class/powercap/intel-rapl:*/"
                "energy_uj (resets at boot; a udev rule makes it permanent)"
            )
    lines.append(f"NVML (NVIDIA): nvidia-ml-py {_package_version('nvidia-ml-py')}")
    lines.append(
        "per-suggestion energy: arrives with the energy issue; today wattcode reports CPU seconds"
    )
    return lines


def _model_lines(configured: str | None) -> list[str]:
    spec = default_model.DEFAULT_MODEL
    target = default_model.default_model_path(paths.models_dir())
    lines = [f"default model: {spec.name} ({spec.license_name})"]
    try:
        spec.part_paths()
        lines.append("  part wheels: all 6 installed")
    except ModelError as exc:
        lines.append(f"  part wheels: {exc}")
    if default_model.is_verified(target):
        state = "assembled and verified"
    elif target.exists():
        state = "present, not verified (run: wattcode model verify)"
    else:
        state = "not assembled yet (run: wattcode model fetch; `serve` also does it)"
    lines.append(f"  {target}: {state}")
    if configured:
        try:
            check_gguf(Path(configured).expanduser())
            lines.append(f"configured model: {configured} (GGUF header ok)")
        except ModelError as exc:
            lines.append(f"configured model: {exc}")
    return lines


def _backend_lines() -> list[str]:
    try:
        from models import llama_backend  # noqa: PLC0415 - doctor must work without it

        return [
            f"llama-cpp-python {llama_backend.backend_version()}, GPU offload: "
            f"{'yes' if llama_backend.supports_gpu_offload() else 'no'}",
            f"  {llama_backend.system_info()}",
            f"  physical cores: {llama_backend.physical_cores()}",
        ]
    except ImportError as exc:
        return [f"llama-cpp-python: cannot import ({exc}); reinstall wattcode"]


def report(configured_model: str | None = None) -> str:
    sections = {
        "wattcode": [
            f"version {__version__}",
            f"Python {sys.version.split()[0]} on {platform.platform()}",
            f"pygls {_package_version('pygls')}, lsprotocol {_package_version('lsprotocol')}",
        ],
        "model": _model_lines(configured_model),
        "backend": _backend_lines(),
        "energy": _energy_lines(),
        "directories": [
            f"data: {paths.data_dir()}",
            f"cache: {paths.cache_dir()}",
            f"logs: {paths.log_dir()}",
        ],
    }
    out = []
    for title, lines in sections.items():
        out.append(f"{title}:")
        out.extend(f"  {line}" for line in lines)
    return "\n".join(out)
