"""The CMake arguments scripts/setup.sh builds llama-cpp-python with: only what wattcode loads.

llama-cpp-python's build compiles, besides the libraries its binding loads (libllama, libggml,
libggml-base, libggml-cpu or a GPU backend), the multimodal library `mtmd` and llama.cpp's
`common` library with cpp-httplib: 178 of its 193 build steps on x86-64 Linux are compiles, and
only 74 of them are needed. wattcode loads neither (`llama_cpp.mtmd_cpp` is imported only by
the multimodal chat handlers). The arguments here turn both off and come *before* the user's
own `CMAKE_ARGS`, so that a GPU build's flags are kept and a user's setting of the same variable
wins (CMake takes the last `-D` of a name).

    python scripts/llama_cpp_build.py                # the composed CMAKE_ARGS, for `export`
    python scripts/llama_cpp_build.py --requirement  # pyproject.toml's llama-cpp-python pin
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import tomllib
from pathlib import Path

MINIMAL_CMAKE = Path(__file__).resolve().parent / "llama_cpp_minimal.cmake"
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

# Off in a llama.cpp built as a subproject already; stated so that a change of default in a
# later llama-cpp-python does not bring them back unnoticed.
_NOT_BUILT = (
    "LLAMA_BUILD_TESTS",
    "LLAMA_BUILD_EXAMPLES",
    "LLAMA_BUILD_TOOLS",
    "LLAMA_BUILD_SERVER",
)


def wattcode_cmake_args(ccache: str | None, minimal_cmake: Path = MINIMAL_CMAKE) -> list[str]:
    """wattcode's own arguments: no multimodal library, no `common`, ccache when there is one."""
    args = ["-DLLAVA_BUILD=OFF", f"-DCMAKE_PROJECT_llama.cpp_INCLUDE={minimal_cmake}"]
    args += [f"-D{option}=OFF" for option in _NOT_BUILT]
    if ccache:
        # ggml would find ccache itself (GGML_CCACHE); the launchers make it cover every target.
        args += [f"-DCMAKE_C_COMPILER_LAUNCHER={ccache}", f"-DCMAKE_CXX_COMPILER_LAUNCHER={ccache}"]
    return args


def compose_cmake_args(
    user_args: str, ccache: str | None, minimal_cmake: Path = MINIMAL_CMAKE
) -> str:
    """CMAKE_ARGS for the build: wattcode's arguments, then the user's, which are kept verbatim."""
    ours = shlex.join(wattcode_cmake_args(ccache, minimal_cmake))
    user_args = user_args.strip()
    return f"{ours} {user_args}" if user_args else ours


def pinned_requirement(pyproject: Path = PYPROJECT) -> str:
    """The llama-cpp-python requirement in pyproject.toml's dependencies, e.g. `...==0.3.36`."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    pattern = re.compile(r"llama[-_.]cpp[-_.]python\s*[=<>~!]", re.IGNORECASE)
    return next(dep for dep in project["dependencies"] if pattern.match(dep))


def main(argv: list[str]) -> int:
    if argv == ["--requirement"]:
        sys.stdout.write(pinned_requirement() + "\n")
        return 0
    composed = compose_cmake_args(os.environ.get("CMAKE_ARGS", ""), shutil.which("ccache"))
    sys.stdout.write(composed + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
