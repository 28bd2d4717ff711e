"""Run a `pip install -v` for scripts/setup.sh and show where it is instead of pip's output.

pip's verbose output (every download, llama.cpp's compiler command lines, setuptools' editable
install notices) goes to a log file; the terminal gets the step pip is in (dependencies, the
llama-cpp-python build, installing) with its elapsed time and, while llama.cpp compiles, the build
steps done out of the total (ninja's `[n/N]` lines). On a terminal one status line is redrawn
every second; otherwise (CI, a pipe) a line is written when the step changes and every 10 s.
When pip fails, the end of the log is shown with the log's path.

    python scripts/setup_progress.py LOG -- python -m pip install -v ...
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

_COLLECTING = re.compile(r"^Collecting (\S+)")
_BUILDING = re.compile(r"^\s*Building (?:wheel|editable) for (\S+)")
_NINJA = re.compile(r"^\s*\[(\d+)/(\d+)\] ")
_INSTALLING = re.compile(r"^Installing collected packages")
_TAIL_LINES = 40


def clock(seconds: float) -> str:
    """`m:ss`, the way the progress lines show elapsed time."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


@dataclass
class Progress:
    """What pip is doing, read from its verbose output one line at a time."""

    step: str = "dependencies"
    step_started: float = field(default_factory=time.monotonic)
    packages: int = 0
    done: int = 0
    total: int = 0
    finished: list[tuple[str, float]] = field(default_factory=list)

    def read(self, line: str, now: float) -> bool:
        """Take one line of pip's output; True when it starts a new step."""
        if match := _NINJA.match(line):
            self.done, self.total = int(match[1]), int(match[2])
            return False
        if match := _COLLECTING.match(line):
            if self.step == "dependencies":
                self.packages += 1
            return False
        if match := _BUILDING.match(line):
            return self._start(f"building {match[1]}", now)
        if _INSTALLING.match(line):
            return self._start("installing", now)
        return False

    def _start(self, step: str, now: float) -> bool:
        if step == self.step:
            return False
        self.finished.append((self.step, now - self.step_started))
        self.step, self.step_started = step, now
        self.done = self.total = 0
        return True

    def status(self, now: float) -> str:
        """The one line that says where pip is."""
        elapsed = clock(now - self.step_started)
        if self.total:
            return f"{self.step}: {self.done}/{self.total} build steps, {elapsed}"
        if self.step == "dependencies":
            packages = f"{self.packages} package{'s' if self.packages != 1 else ''}"
            return f"dependencies: {packages}, {elapsed}"
        return f"{self.step}: {elapsed}"


class Reporter:
    """Writes the status to the terminal: redrawn in place on a TTY, a line every 10 s if not."""

    def __init__(self, out: TextIO, tty: bool) -> None:
        self.out, self.tty = out, tty
        self.interval = 1.0 if tty else 10.0
        self._width = 0
        # Not on a terminal, the first line comes after 10 s (or at the first step change).
        self._last = 0.0 if tty else time.monotonic()

    def show(self, text: str, now: float, *, force: bool = False) -> None:
        if not force and now - self._last < self.interval:
            return
        self._last = now
        if self.tty:
            self.out.write("\r" + f"setup: {text}".ljust(self._width))
            self._width = len(text) + 7
        else:
            self.out.write(f"setup: {text}\n")
        self.out.flush()

    def line(self, text: str) -> None:
        """A line that stays (a finished step), clearing the status line first on a TTY."""
        if self.tty and self._width:
            self.out.write("\r" + " " * self._width + "\r")
            self._width = 0
        self.out.write(f"setup: {text}\n")
        self.out.flush()


def run(command: list[str], log_path: Path, reporter: Reporter) -> int:
    """Run `command`, its output to `log_path`, its progress to `reporter`; its exit status."""
    progress, lock, stop = Progress(), threading.Lock(), threading.Event()

    def tick() -> None:
        while not stop.wait(1.0):
            with lock:
                reporter.show(progress.status(time.monotonic()), time.monotonic())

    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"\n$ {' '.join(command)}\n")
        log.flush()
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                log.write(line)
                now = time.monotonic()
                with lock:
                    if progress.read(line, now):
                        step, seconds = progress.finished[-1]
                        if seconds >= 1:
                            reporter.line(f"{step} done in {clock(seconds)}")
                        reporter.show(progress.status(now), now, force=True)
        except KeyboardInterrupt:
            proc.terminate()
            raise
        finally:
            code = proc.wait()
            stop.set()
            ticker.join()
    now = time.monotonic()
    if code == 0:
        reporter.line(f"{progress.step} done in {clock(now - progress.step_started)}")
        return 0
    reporter.line(f"pip failed (exit status {code}) while {progress.step}; the end of its log:")
    tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-_TAIL_LINES:]
    sys.stderr.write("\n".join(tail) + f"\n\nsetup: pip's full output is in {log_path}\n")
    return code


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write("usage: setup_progress.py LOG -- COMMAND...\n")
        return 2
    try:
        return run(argv[2:], Path(argv[0]), Reporter(sys.stderr, sys.stderr.isatty()))
    except KeyboardInterrupt:  # Ctrl-C reached pip too: no traceback, the usual status
        sys.stderr.write(f"\nsetup: interrupted; pip's output so far is in {argv[0]}\n")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
