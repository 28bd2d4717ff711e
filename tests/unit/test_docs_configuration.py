"""docs/configuration.md is generated from editor-client/package.json by
scripts/gen_configuration_doc.py: the committed page must be what the generator writes now."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from pytest import MonkeyPatch

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_configuration_doc.py"
DOC = ROOT / "docs" / "configuration.md"
REGENERATE = "run `python scripts/gen_configuration_doc.py` and commit docs/configuration.md"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_configuration_doc", SCRIPT)
    assert spec is not None and spec.loader is not None, f"cannot load {SCRIPT}"
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_configuration_doc_is_current() -> None:
    wanted = generator().generate()
    assert DOC.exists(), f"{DOC.relative_to(ROOT)} is missing: {REGENERATE}"
    current = DOC.read_text(encoding="utf-8")
    assert current == wanted, (
        f"{DOC.relative_to(ROOT)} differs from what editor-client/package.json generates "
        f"(a setting was added or changed, or the page was edited by hand): {REGENERATE}"
    )


def test_every_setting_has_a_section() -> None:
    manifest = json.loads((ROOT / "editor-client" / "package.json").read_text(encoding="utf-8"))
    page = generator().generate()
    for key in manifest["contributes"]["configuration"]["properties"]:
        assert f"### `{key}`" in page, key


def test_check_mode_exits_1_on_a_stale_page(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    module = generator()
    stale = tmp_path / "configuration.md"
    stale.write_text("# an old page\n", encoding="utf-8")
    monkeypatch.setattr(module, "OUTPUT", stale)
    assert module.main(["--check"]) == 1
    assert stale.read_text(encoding="utf-8") == "# an old page\n", "--check must not write"
