"""Where wattcode keeps its files: platformdirs locations, overridable for tests and power users.

`WATTCODE_DATA_DIR`, `WATTCODE_CACHE_DIR` and `WATTCODE_LOG_DIR` replace the platform defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "wattcode"


def _dir(env_var: str, default: str) -> Path:
    override = os.environ.get(env_var)
    return Path(override).expanduser() if override else Path(default)


def data_dir() -> Path:
    return _dir("WATTCODE_DATA_DIR", platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    return _dir("WATTCODE_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    return _dir("WATTCODE_LOG_DIR", platformdirs.user_log_dir(APP_NAME, appauthor=False))


def models_dir() -> Path:
    return data_dir() / "models"
