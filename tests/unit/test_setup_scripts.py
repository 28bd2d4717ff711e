"""scripts/setup.sh's helpers: the llama-cpp-python build's CMake arguments, added to a user's
CMAKE_ARGS and never replacing them (scripts/llama_cpp_build.py), and the progress shown while
pip runs (scripts/setup_progress.py)."""

from __future__ import annotations

import importlib.util
import io
import os
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from pytest import CaptureFixture

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


build = load("llama_cpp_build")
progress = load("setup_progress")


def defines(cmake_args: str) -> dict[str, str]:
    """The -D settings as CMake sees them: split like scikit-build-core, the last one wins."""
    found: dict[str, str] = {}
    for arg in shlex.split(cmake_args):
        if arg.startswith("-D"):
            name, _, value = arg[2:].partition("=")
            found[name] = value
    return found


def test_without_user_args_only_what_wattcode_loads_is_built() -> None:
    settings = defines(build.compose_cmake_args("", None))
    assert settings["LLAVA_BUILD"] == "OFF"
    assert settings["CMAKE_PROJECT_llama.cpp_INCLUDE"] == str(build.MINIMAL_CMAKE)
    assert build.MINIMAL_CMAKE.is_file()
    assert "set(LLAMA_BUILD_COMMON OFF)" in build.MINIMAL_CMAKE.read_text(encoding="utf-8")
    assert "CMAKE_C_COMPILER_LAUNCHER" not in settings


def test_user_args_are_kept_verbatim_at_the_end() -> None:
    user = '-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES="90;89" -G Ninja'
    composed = build.compose_cmake_args(f"  {user} ", None)
    assert composed.endswith(user)
    assert defines(composed)["GGML_CUDA"] == "on"
    assert defines(composed)["CMAKE_CUDA_ARCHITECTURES"] == "90;89"


def test_a_user_setting_of_the_same_variable_wins() -> None:
    settings = defines(build.compose_cmake_args("-DLLAVA_BUILD=ON", "/usr/bin/ccache"))
    assert settings["LLAVA_BUILD"] == "ON"
    settings = defines(build.compose_cmake_args("-DCMAKE_C_COMPILER_LAUNCHER=sccache", "ccache"))
    assert settings["CMAKE_C_COMPILER_LAUNCHER"] == "sccache"


def test_ccache_is_the_compiler_launcher_when_present() -> None:
    settings = defines(build.compose_cmake_args("", "/usr/bin/ccache"))
    assert settings["CMAKE_C_COMPILER_LAUNCHER"] == "/usr/bin/ccache"
    assert settings["CMAKE_CXX_COMPILER_LAUNCHER"] == "/usr/bin/ccache"


def test_a_path_with_spaces_survives_the_split(tmp_path: Path) -> None:
    include = tmp_path / "a folder" / "minimal.cmake"
    settings = defines(build.compose_cmake_args("", None, include))
    assert settings["CMAKE_PROJECT_llama.cpp_INCLUDE"] == str(include)


def test_the_script_reads_cmake_args_from_the_environment() -> None:
    env = {**os.environ, "CMAKE_ARGS": "-DGGML_VULKAN=on", "PATH": "/nonexistent"}
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "llama_cpp_build.py")],
        env=env, capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    assert result.stdout.strip() == build.compose_cmake_args("-DGGML_VULKAN=on", None)


PIP_OUTPUT = """\
Collecting llama-cpp-python==0.3.36
  Installing build dependencies: started
Collecting pygls~=2.1.0
Collecting scikit-build-core
Building wheels for collected packages: wattcode, llama-cpp-python
  Building editable for wattcode (pyproject.toml): started
  Building wheel for llama-cpp-python (pyproject.toml): started
  [1/83] /usr/bin/cc -O3 -c ggml.c
  [2/83] /usr/bin/c++ -O3 -c llama.cpp
Installing collected packages: wattcode, llama-cpp-python
Successfully installed wattcode-0.1.0
"""


def test_progress_follows_pips_steps_and_ninjas_counts() -> None:
    state = progress.Progress(step_started=0.0)
    lines = PIP_OUTPUT.splitlines(keepends=True)
    changes = [line for line in lines[:6] if state.read(line, 1.0)]
    assert state.packages == 3
    assert len(changes) == 1
    state.read(lines[6], 5.0)
    assert state.step == "building llama-cpp-python"
    for line in lines[7:9]:
        state.read(line, 65.0)
    assert state.status(130.0) == "building llama-cpp-python: 2/83 build steps, 2:05"
    assert state.read(lines[9], 200.0)
    assert state.status(201.0) == "installing: 0:01"
    assert [step for step, _ in state.finished] == [
        "dependencies", "building wattcode", "building llama-cpp-python",
    ]  # fmt: skip


def test_not_on_a_terminal_a_line_per_step_and_no_redraws(tmp_path: Path) -> None:
    out = io.StringIO()
    script = f"import sys; sys.stdout.write({PIP_OUTPUT!r})"
    code = progress.run(
        [sys.executable, "-c", script], tmp_path / "setup.log", progress.Reporter(out, tty=False)
    )
    assert code == 0
    shown = out.getvalue()
    assert "\r" not in shown
    assert "setup: building llama-cpp-python: 0:00\n" in shown  # a step shorter than 1 s
    assert "building llama-cpp-python done" not in shown
    assert shown.endswith("setup: installing done in 0:00\n")
    assert "[1/83]" not in shown  # the compiler lines stay in the log
    assert "[1/83]" in (tmp_path / "setup.log").read_text(encoding="utf-8")


def test_on_a_terminal_the_status_line_is_redrawn(tmp_path: Path) -> None:
    out = io.StringIO()
    script = "import time; print('Collecting a', flush=True); time.sleep(1.5)"
    progress.run(
        [sys.executable, "-c", script], tmp_path / "setup.log", progress.Reporter(out, tty=True)
    )
    assert "\rsetup: dependencies: 1 package, 0:01" in out.getvalue()


def test_a_failure_shows_the_end_of_the_log(tmp_path: Path, capsys: CaptureFixture[str]) -> None:
    out = io.StringIO()
    script = "import sys; print('Collecting a'); print('ERROR: no compiler'); sys.exit(3)"
    log = tmp_path / "setup.log"
    code = progress.run([sys.executable, "-c", script], log, progress.Reporter(out, tty=False))
    assert code == 3
    assert "pip failed (exit status 3) while dependencies" in out.getvalue()
    shown = capsys.readouterr().err
    assert "ERROR: no compiler" in shown
    assert f"pip's full output is in {log}" in shown


def test_the_pinned_llama_cpp_python_is_pyprojects() -> None:
    pinned = build.pinned_requirement()
    assert pinned.startswith("llama-cpp-python==")
    assert f'"{pinned}",' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
