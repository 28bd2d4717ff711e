"""The VS Code extension types wattcode's custom LSP methods once, in editor-client/src/lsp_ext.ts:
its interfaces must name the keys the server sends (a key added on one side only is caught
here, without Node)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from lsp_server.features import clear_caches, stats, status
from lsp_server.session import STAT_KEYS

ROOT = Path(__file__).resolve().parents[2]
LSP_EXT = ROOT / "editor-client" / "src" / "lsp_ext.ts"


def interface_keys(name: str) -> set[str]:
    """The property names of `export interface <name> { ... }` (its own lines, not nested)."""
    source = LSP_EXT.read_text(encoding="utf-8")
    match = re.search(rf"^export interface {name} \{{\n(.*?)^\}}", source, re.M | re.S)
    assert match, f"no interface {name} in {LSP_EXT}"
    return set(re.findall(r"^  (\w+)\??:", match.group(1), re.M))


def returned_dict_keys(module_file: str, function: str) -> set[str]:
    """The string keys of the dict literal that `function` in `module_file` returns."""
    tree = ast.parse(Path(module_file).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Dict):
                    return {
                        key.value
                        for key in inner.value.keys
                        if isinstance(key, ast.Constant) and isinstance(key.value, str)
                    }
    raise AssertionError(f"{function} returns no dict literal in {module_file}")


def test_method_names() -> None:
    source = LSP_EXT.read_text(encoding="utf-8")
    for method in (status.METHOD, stats.METHOD, clear_caches.METHOD):
        assert f'= "{method}";' in source, method


def test_status_params_match_the_notification() -> None:
    assert status.__file__ is not None
    assert interface_keys("StatusParams") == returned_dict_keys(status.__file__, "status_params")


def test_stats_result_names_every_counter() -> None:
    assert set(STAT_KEYS) <= interface_keys("StatsResult")
    assert stats.__file__ is not None
    energy = returned_dict_keys(stats.__file__, "_energy")
    assert energy <= interface_keys("StatsResult")


def test_clear_caches_result_matches_the_answer() -> None:
    assert clear_caches.__file__ is not None
    assert interface_keys("ClearCachesResult") == returned_dict_keys(
        clear_caches.__file__, "clear_caches"
    )
