"""The VS Code extension ships with the server of the same version: a release bumps
pyproject.toml, editor-client/package.json and its lock file together."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def load_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        version: str = tomllib.load(file)["project"]["version"]
    return version


def test_the_editor_client_has_the_servers_version() -> None:
    package = load_json(ROOT / "editor-client" / "package.json")
    assert package["version"] == project_version()


def test_the_editor_clients_lock_file_has_the_same_version() -> None:
    lock = load_json(ROOT / "editor-client" / "package-lock.json")
    assert lock["version"] == project_version()
    assert lock["packages"][""]["version"] == project_version()
