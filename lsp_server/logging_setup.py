"""Logging to a rotating file in the platformdirs log dir and to stderr, never to stdout."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from models import paths

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "info", to_file: bool = True) -> Path | None:
    """Set up the root logger; returns the log file's path (None when file logging is off
    or the directory is not writable)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(stderr)
    log_file = None
    if to_file:
        try:
            directory = paths.log_dir()
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            log_file = directory / "wattcode.log"
            handler = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=2_000_000, backupCount=2, encoding="utf-8"
            )
            handler.setFormatter(logging.Formatter(FORMAT))
            root.addHandler(handler)
        except OSError as exc:
            root.warning("cannot write a log file: %s", exc)
            log_file = None
    set_level(level)
    return log_file


def set_level(level: str) -> None:
    logging.getLogger().setLevel(level.upper())
    # pygls logs every JSON-RPC message at info level: only show that when debugging.
    quiet = logging.DEBUG if level.lower() == "debug" else logging.WARNING
    logging.getLogger("pygls").setLevel(quiet)
