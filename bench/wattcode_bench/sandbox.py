"""pass@1 by execution: run a completed HumanEval task's tests in a throwaway process.

Each program runs in a fresh `python -I -B` subprocess, in an empty temporary directory,
with no stdin, a minimal environment, a wall-clock timeout, a 2 GiB address-space limit
and an audit hook that refuses network access, spawning processes and deleting files.

The audit hook is a guard against accidents in model-written code (a stray
``shutil.rmtree`` or a test that tries to reach the network), not a security boundary:
Python code that means harm can get around it (ctypes, for one). Only run completions
from models you would run anyway.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wattcode_bench.humaneval import InfillTask

_DETAIL_CHARS = 200
_MEMORY_LIMIT_BYTES = 2 * 1024**3

# Audit events (see the "Audit events table" in the Python docs) that tests never need.
# os.unlink raises "os.remove"; os.exec* raise "os.exec".
_BLOCKED_EVENTS = (
    "socket.connect",
    "socket.bind",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "socket.sendto",
    "socket.sendmsg",
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "shutil.rmtree",
    "os.remove",
    "os.unlink",
    "os.rmdir",
)

# Runs inside the child before the task. The limits are set here rather than through
# subprocess's preexec_fn, which is unsafe in a process that has threads (check_many).
_GUARD_SOURCE = f"""\
import sys
try:
    import resource
except ImportError:
    resource = None
if resource is not None:
    for name, value in (("RLIMIT_AS", {_MEMORY_LIMIT_BYTES}), ("RLIMIT_CORE", 0)):
        limit = getattr(resource, name, None)
        if limit is not None:
            try:
                hard = resource.getrlimit(limit)[1]
                if hard != resource.RLIM_INFINITY:
                    value = min(value, hard)
                resource.setrlimit(limit, (value, value))
            except (ValueError, OSError):
                pass
blocked = frozenset({_BLOCKED_EVENTS!r})
def guard(event, args):
    if event in blocked:
        raise PermissionError("wattcode sandbox: " + event + " is not allowed")
sys.addaudithook(guard)
"""

# One physical line, run in its own namespace, so the task's code sees no extra names and
# its line numbers are off by exactly one.
PREAMBLE = f"exec({_GUARD_SOURCE!r}, {{}})\n"


@dataclass(frozen=True)
class ExecutionResult:
    passed: bool
    status: str  # "passed" | "failed" | "timeout" | "error"
    detail: str  # last line of stderr, at most 200 characters


def program_for(task: InfillTask, completion: str) -> str:
    """The program whose exit status decides pass@1, without the sandbox preamble."""
    return (
        task.prompt
        + completion
        + task.suffix
        + "\n"
        + task.test
        + "\n"
        + f"check({task.entry_point})"
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:_DETAIL_CHARS] if lines else ""


def check_completion(task: InfillTask, completion: str, timeout: float = 3.0) -> ExecutionResult:
    """Run `task`'s tests against `completion` filled into the hole.

    "failed" means a test assertion failed; "error" means any other exception, a syntax
    error or a crash; "timeout" means the process was killed after `timeout` seconds.
    """
    with tempfile.TemporaryDirectory(prefix="wattcode-bench-", ignore_cleanup_errors=True) as tmp:
        program = Path(tmp) / "program.py"
        program.write_text(PREAMBLE + program_for(task, completion), encoding="utf-8")
        # A minimal environment keeps the user's secrets (tokens in env vars) away from
        # generated code; -I already makes Python ignore PYTHON* variables.
        env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": tmp}
        try:
            completed = subprocess.run(
                # -B: no .pyc writes into the interpreter's own directories.
                [sys.executable, "-I", "-B", str(program)],
                cwd=tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            # subprocess.run has already killed and reaped the child.
            return ExecutionResult(False, "timeout", f"timed out after {timeout:g} s")
        except OSError as exc:
            return ExecutionResult(False, "error", f"could not start Python: {exc}"[:_DETAIL_CHARS])
    detail = _last_line(completed.stderr)
    if completed.returncode == 0:
        return ExecutionResult(True, "passed", detail)
    if detail.startswith("AssertionError"):
        return ExecutionResult(False, "failed", detail)
    if not detail:
        detail = f"exit status {completed.returncode}"
    return ExecutionResult(False, "error", detail)


def check_many(
    items: list[tuple[InfillTask, str]], timeout: float = 3.0, workers: int = 2
) -> list[ExecutionResult]:
    """`check_completion` for each ``(task, completion)``, results in the same order.

    Threads are enough: each one only waits on its own subprocess.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: check_completion(item[0], item[1], timeout), items))
