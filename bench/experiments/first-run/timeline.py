"""Run a command and time its steps: each output line stamped with the seconds since the start.

The first-run experiment's harness (README.md beside it). Output lines (split at newlines and at
the carriage returns of progress bars) go to the log as `  12.3 | text`; once a second the
command's process tree is read from /proc, and the first and last second at which a compiler
(`cc1`, `cc1plus`) and the build tools (`cmake`, `ninja`) ran are written at the end, so both
revisions' compile times come from the same clock whatever their scripts print. The CPU time of
the run's processes and of everything else on the machine meanwhile (/proc/stat) is written too:
other work slows a run down.
Standard library only: it runs before any virtual environment exists.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

WATCHED = ("cc1", "cc1plus", "cmake", "ninja")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _names_under(root: int) -> set[str]:
    tree, names, todo = _children(), set(), [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError):
            names.add(Path(f"/proc/{pid}/comm").read_text().strip())
        todo.extend(tree.get(pid, []))
    return names


def _sample(root: int, start: float, seen: dict[str, list[float]], done: threading.Event) -> None:
    while not done.wait(1.0):
        now = time.monotonic() - start
        for name in _names_under(root) & set(WATCHED):
            seen.setdefault(name, [now, now])[1] = now


def _busy_seconds() -> float:
    """CPU seconds all processes used since boot: /proc/stat's `cpu` line less idle and iowait."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    log = Path(sys.argv[1])
    command = sys.argv[2:]
    start, busy_before = time.monotonic(), _busy_seconds()
    with log.open("w", encoding="utf-8") as out:
        out.write(f"# {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {' '.join(command)}\n")
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        seen: dict[str, list[float]] = {}
        done = threading.Event()
        sampler = threading.Thread(target=_sample, args=(proc.pid, start, seen, done))
        sampler.start()
        assert proc.stdout is not None
        pending = b""
        while chunk := os.read(proc.stdout.fileno(), 65536):
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            pending += chunk.replace(b"\r", b"\n")
            *lines, pending = pending.split(b"\n")
            stamp = time.monotonic() - start
            for line in lines:
                if line.strip():
                    out.write(f"{stamp:7.1f} | {line.decode('utf-8', 'replace')}\n")
            out.flush()
        code = proc.wait()
        total = time.monotonic() - start
        done.set()
        sampler.join()
        if pending.strip():
            out.write(f"{total:7.1f} | {pending.decode('utf-8', 'replace')}\n")
        for name in WATCHED:
            first, last = seen.get(name, [float("nan")] * 2)
            out.write(f"# {name}: first seen {first:.0f} s, last seen {last:.0f} s\n")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        ours, busy = usage.ru_utime + usage.ru_stime, _busy_seconds() - busy_before
        out.write(
            f"# cpu: {busy:.0f} s busy of {total * (os.cpu_count() or 1):.0f} s on "
            f"{os.cpu_count()} cores; this run {ours:.0f} s, everything else {busy - ours:.0f} s\n"
        )
        out.write(f"# exit {code}; total {total:.1f} s\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
