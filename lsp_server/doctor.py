"""`wattcode doctor`: what a user (or a bug report) needs to know about this installation."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lsp_server import __version__
from models import default_model, paths
from models.calibration import Speed, machine_key
from models.energy.cpu_time import CpuTimeMeter
from models.energy.meters import method_label
from models.energy.nvml import probe_nvml
from models.energy.selection import choose_meters
from models.errors import ModelError, RemoteError
from models.gguf_file import check_gguf
from models.model_choice import product_chooser
from models.model_table import EMBEDDED_MODELS, ModelSpec
from models.remote.endpoint import MODELS, TOKEN_ENV, RemoteEndpoint, token_from, url_problem
from models.remote.sse_stream import get_json

RAPL_ROOT = Path("/sys/class/powercap")


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


RAPL_HELP = (
    "RAPL counters are root-only (since Linux 5.10: power readings can leak secrets through "
    "a side channel). To let your user read them, per boot: "
    "sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj; permanently, a udev rule, "
    'e.g. /etc/udev/rules.d/90-rapl.rules: SUBSYSTEM=="powercap", ACTION=="add", '
    'RUN+="/bin/chmod o+r /sys%p/energy_uj". Only do this on a machine whose other users '
    "you trust."
)


def _gpu_build() -> bool:
    try:
        from models.llama_backend import supports_gpu_offload  # noqa: PLC0415

        return supports_gpu_offload()
    except ImportError:
        return False


def _energy_lines(powercap_root: Path = RAPL_ROOT, nvml: object = None) -> list[str]:
    gpu = _gpu_build()
    choice = choose_meters(gpu_in_use=gpu, powercap_root=powercap_root, nvml=nvml)
    used = " + ".join(method_label(m) for m in choice.meters)
    lines = [f"used: {used}"]
    for probe in choice.probes:
        if probe.meter is not None:
            state = "available" + (
                f" ({probe.meter.basis})" if isinstance(probe.meter, CpuTimeMeter) else ""
            )
        else:
            state = f"not available: {probe.reason}"
        lines.append(f"{probe.source}: {state}")
        if probe.source == "RAPL" and "not readable" in probe.reason:
            lines.append(f"  {RAPL_HELP}")
    if not gpu:
        nvml_probe = probe_nvml(nvml)
        if nvml_probe.meter is not None:
            lines.append(
                "  an NVIDIA GPU is present, but this llama-cpp-python build runs on the CPU"
            )
    return lines


def _embedded_lines(spec: ModelSpec) -> list[str]:
    target = default_model.default_model_path(paths.models_dir(), spec)
    role = "default model" if spec is default_model.DEFAULT_MODEL else "larger model"
    lines = [f"{role} (preset {spec.preset}): {spec.label} ({spec.license_name})"]
    try:
        spec.part_paths()
        lines.append(f"  part wheels: all {len(spec.part_packages)} installed")
    except ModelError as exc:
        lines.append(f"  part wheels: {exc}")
    if default_model.is_verified(target, spec):
        state = "assembled and verified"
    elif target.exists():
        state = f"present, not verified (run: wattcode model verify {spec.preset})"
    else:
        state = f"not assembled yet (run: {spec.fetch_command}; `serve` also does it)"
    lines.append(f"  {target}: {state}")
    return lines


def _auto_line() -> str:
    """What preset `auto` picks on this machine now, from cached measurements only."""

    def not_here(_spec: ModelSpec, _path: Path) -> Speed:
        raise ModelError("doctor does not measure")

    machine = machine_key(None, None, _gpu_build())
    decision = product_chooser(not_here, machine).explain_auto()
    return f"preset auto would load {decision.spec.label}: {decision.why.removeprefix('auto: ')}"


def _model_lines(configured: str | None) -> list[str]:
    lines = [line for spec in EMBEDDED_MODELS for line in _embedded_lines(spec)]
    lines.append(_auto_line())
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
            f"{'yes' if llama_backend.supports_gpu_offload() else 'no'} (wattcode.model.gpuLayers "
            f"null puts {'all layers' if llama_backend.supports_gpu_offload() else 'no layer'}"
            " on the GPU)",
            f"  {llama_backend.system_info()}",
            f"  physical cores: {llama_backend.physical_cores()}",
        ]
    except ImportError as exc:
        return [f"llama-cpp-python: cannot import ({exc}); reinstall wattcode"]


def _remote_lines(url: str) -> list[str]:
    """The URL check, the token's presence (never its value) and a probe of `/v1/models`."""
    token = token_from(None)
    problem = url_problem(url, has_token=token is not None)
    if problem:
        return [f"{url}: {problem}"]
    endpoint = RemoteEndpoint(url, token=token)
    lines = [f"{endpoint.display}: token {'from ' + TOKEN_ENV if token else 'none'}"]
    try:
        answer = get_json(endpoint, endpoint.path_of(MODELS), 5.0)
    except RemoteError as exc:
        return [*lines, f"  {exc}"]
    served = [m.get("id") for m in answer.get("data", []) if isinstance(m, dict)]
    return [*lines, f"  answers; models: {', '.join(map(str, served)) or 'none listed'}"]


def report(configured_model: str | None = None, remote_url: str | None = None) -> str:
    sections = {
        "wattcode": [
            f"version {__version__}",
            f"Python {sys.version.split()[0]} on {platform.platform()}",
            f"pygls {_package_version('pygls')}, lsprotocol {_package_version('lsprotocol')}",
        ],
        "model": _model_lines(configured_model),
        "backend": _backend_lines(),
        "energy": _energy_lines(),
        **({"remote": _remote_lines(remote_url)} if remote_url else {}),
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
