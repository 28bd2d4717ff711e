"""The VS Code extension's package.json is the single source of truth for `wattcode.*` settings
as users see them: it must contribute every server setting with the server's type, default,
bounds and choices, and nothing the server does not know (except the client-only settings it
names in `wattcodeClient.clientOnlySettings`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lsp_server.settings import SECTION, Settings, parse_settings, setting_fields

PACKAGE_JSON = Path(__file__).resolve().parents[2] / "editor-client" / "package.json"
JSON_TYPES = {
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "str": "string",
    "tuple[str, ...]": "array",
}


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    return data


def contributed() -> dict[str, dict[str, Any]]:
    props: dict[str, dict[str, Any]] = manifest()["contributes"]["configuration"]["properties"]
    return props


def client_only() -> set[str]:
    return set(manifest()["wattcodeClient"]["clientOnlySettings"])


def server_settings() -> dict[str, Any]:
    """Full name → dataclass field, for every setting the server reads."""
    return {f"{SECTION}.{dotted}": f for dotted, _group, _name, f in setting_fields()}


def json_type(annotation: str) -> list[str]:
    optional = annotation.endswith("| None")
    base = JSON_TYPES[annotation.removesuffix("| None").strip()]
    return [base, "null"] if optional else [base]


@pytest.mark.parametrize("key", sorted(server_settings()))
def test_every_server_setting_is_contributed_alike(key: str) -> None:
    field = server_settings()[key]
    props = contributed()
    assert key in props, f"{key} is missing from editor-client/package.json"
    prop = props[key]
    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    assert types == json_type(str(field.type))
    default = list(field.default) if isinstance(field.default, tuple) else field.default
    assert prop["default"] == default
    assert type(prop["default"]) is type(default) or (
        isinstance(default, float) and isinstance(prop["default"], int | float)
    )
    if isinstance(default, list):
        assert prop["items"] == {"type": "string"}
    assert prop.get("minimum") == field.metadata.get("min")
    assert prop.get("maximum") == field.metadata.get("max")
    choices = field.metadata.get("choices")
    assert prop.get("enum") == (list(choices) if choices else None)
    assert prop.get("markdownDescription") or prop.get("description")


def test_every_contributed_setting_is_the_servers_or_client_only() -> None:
    server, extra = server_settings(), client_only()
    for key in contributed():
        assert key.startswith(SECTION + "."), key
        assert (key in server) != (key in extra), f"{key}: neither the server's nor client-only"
    assert extra <= set(contributed())
    assert f"{SECTION}.trace.server" in extra


def test_the_contributed_defaults_parse_into_the_servers_defaults() -> None:
    sent = {k: p["default"] for k, p in contributed().items() if k not in client_only()}
    parsed = parse_settings(sent)
    assert parsed.problems == ()
    assert parsed.unknown == ()
    assert parsed.settings == Settings()


def test_budget_presets_write_valid_settings_once_contributed() -> None:
    presets = manifest()["wattcodeClient"]["budgetPresets"]
    assert presets
    for preset in presets:
        assert preset["label"] and preset["settings"]
        keys = set(preset["settings"])
        assert all(k.startswith(SECTION + ".") for k in keys)
        if keys <= set(contributed()):  # offered by the client only then
            parsed = parse_settings(preset["settings"])
            assert parsed.problems == () and parsed.unknown == (), preset
