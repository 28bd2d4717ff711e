"""`wattcode serve` with test-only instruments, selected by environment variables.

    python -m tests.reliability.wrapped_server

- WATTCODE_TEST_NO_NETWORK=<file>: an audit hook refuses every network call (name resolution,
  and connect, bind or sendto on anything but a Unix socket) and appends each attempt to <file>.
- WATTCODE_TEST_FAULT=<kind> with WATTCODE_TEST_FAULT_FLAG=<file>: while <file> exists, inject
  a fault; deleting it is "fixing the cause". Kinds: `generation` (the completion engine raises
  inside the model thread), `no-fim` (the model is reported to have no FIM tokens, as
  `detect_fim_tokens` does for a chat model), `corrupt-parts` (the default model's parts are
  small files of the wrong bytes, so the assembly's sha256 check fails), `context-memory` (a
  context longer than 8192 tokens fails to allocate, as llama-cpp-python reports it when its
  KV cache does not fit in memory).

- WATTCODE_TEST_UNLOAD_IDLE_SECONDS=<s>: the governor's last rung unloads the model after <s>
  seconds idle instead of minutes.
- WATTCODE_TEST_BATTERY=<file>: the battery that psutil reports is read from <file> at each
  poll: JSON `{"percent": 80, "plugged": false}`, or `null` for a machine without one.
- WATTCODE_TEST_TRACEMALLOC=<file>: trace Python allocations from the first minute on and
  append, once a minute, the traced total and the 15 tracebacks whose allocations grew most
  since tracing began (for finding what makes RSS grow in a soak).

Always: `kill -USR1 <pid>` prints every thread's stack to stderr (faulthandler), for a server
that stopped answering.

None of this is reachable from the product: it wraps the real entry point from outside.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any

NETWORK_EVENTS = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}
RESOLVE_EVENTS = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"}


def install_network_guard(record: Path) -> None:
    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in RESOLVE_EVENTS or (
            event in NETWORK_EVENTS and getattr(args[0], "family", None) != socket.AF_UNIX
        ):
            with record.open("a", encoding="utf-8") as f:
                f.write(f"{event} {args[1:]!r}\n")
            raise PermissionError(f"network access refused under test: {event}")

    sys.addaudithook(hook)


def install_fault(kind: str, flag: Path) -> None:
    if kind == "generation":
        from models import completion_engine  # noqa: PLC0415

        original = completion_engine.CompletionEngine.complete

        def complete(self: Any, *args: Any, **kwargs: Any) -> Any:
            if flag.exists():
                raise RuntimeError("injected fault in the model thread")
            return original(self, *args, **kwargs)

        completion_engine.CompletionEngine.complete = complete  # type: ignore[method-assign]
    elif kind == "no-fim":
        from models import llama_backend  # noqa: PLC0415
        from models.errors import ModelError  # noqa: PLC0415

        detect = llama_backend.detect_fim_tokens

        def no_fim(*args: Any, **kwargs: Any) -> Any:
            if flag.exists():
                raise ModelError(
                    "injected: this model has no fill-in-the-middle tokens; use a code model"
                )
            return detect(*args, **kwargs)

        llama_backend.detect_fim_tokens = no_fim  # type: ignore[assignment]
    elif kind == "corrupt-parts":
        from models import default_model  # noqa: PLC0415

        parts = []
        for index in range(1, 7):
            part = flag.with_name(f"part{index:02d}.bin")
            part.write_bytes(b"not the model" * 100)
            parts.append(part)
        default_model.ModelSpec.part_paths = lambda _self: list(parts)  # type: ignore[method-assign]
    elif kind == "context-memory":
        from models import llama_backend  # noqa: PLC0415

        load = llama_backend._load

        def no_room(path: Any, options: Any, *args: Any) -> Any:
            if flag.exists() and options.context_length > 8192:
                raise ValueError("Failed to create llama_context")
            return load(path, options, *args)

        llama_backend._load = no_room
    else:
        raise SystemExit(f"unknown fault {kind!r}")


def install_fake_battery(source: Path) -> None:
    import json  # noqa: PLC0415
    from collections import namedtuple  # noqa: PLC0415

    import psutil  # noqa: PLC0415

    battery = namedtuple("battery", "percent secsleft power_plugged")

    def sensors_battery() -> Any:
        state = json.loads(source.read_text(encoding="utf-8"))
        return None if state is None else battery(state["percent"], -1, state["plugged"])

    psutil.sensors_battery = sensors_battery


def install_allocation_trace(report: Path, every_seconds: float = 60.0) -> None:
    import threading  # noqa: PLC0415
    import time  # noqa: PLC0415
    import tracemalloc  # noqa: PLC0415

    def watch() -> None:
        time.sleep(every_seconds)  # started late: the model's loading would be traced slowly
        tracemalloc.start(6)
        first = None
        while True:
            time.sleep(every_seconds)
            snapshot = tracemalloc.take_snapshot()
            current, _ = tracemalloc.get_traced_memory()
            lines = [f"== {time.strftime('%H:%M:%S')} traced {current / 1e6:.1f} MB"]
            if first is None:
                first = snapshot
            else:
                for stat in snapshot.compare_to(first, "traceback")[:15]:
                    lines.append(f"{stat.size_diff / 1e3:+.0f} KB, {stat.count_diff:+d} blocks")
                    lines += [f"    {frame}" for frame in stat.traceback.format()[-8:]]
            with report.open("a", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")

    threading.Thread(target=watch, daemon=True, name="tracemalloc-report").start()


def main() -> int:
    import faulthandler  # noqa: PLC0415
    import signal  # noqa: PLC0415

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1` prints every thread's stack to stderr
    if trace := os.environ.get("WATTCODE_TEST_TRACEMALLOC"):
        install_allocation_trace(Path(trace))
    if record := os.environ.get("WATTCODE_TEST_NO_NETWORK"):
        install_network_guard(Path(record))
    if idle := os.environ.get("WATTCODE_TEST_UNLOAD_IDLE_SECONDS"):
        from models.power import governor  # noqa: PLC0415

        governor.UNLOAD_IDLE_SECONDS = float(idle)
    if battery := os.environ.get("WATTCODE_TEST_BATTERY"):
        install_fake_battery(Path(battery))
    if kind := os.environ.get("WATTCODE_TEST_FAULT"):
        install_fault(kind, Path(os.environ["WATTCODE_TEST_FAULT_FLAG"]))
    from lsp_server.cli import main as wattcode  # noqa: PLC0415

    return wattcode(["serve", "--no-log-file", "--log-level", "info"])


if __name__ == "__main__":
    raise SystemExit(main())
