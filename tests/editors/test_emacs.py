"""The eglot snippet (editor-client/emacs/wattcode-eglot.el) in a real `emacs --batch` (Debian's
Emacs with its elpa-eglot), with the real `wattcode serve` and model: completion and hover."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.editors.conftest import ROOT, SOURCE, editor_env

pytestmark = [pytest.mark.editor, pytest.mark.model]


@pytest.mark.usefixtures("debian_editors")
def test_eglot_snippet_completes_and_hovers(tmp_path: Path) -> None:
    emacs = shutil.which("emacs")
    assert emacs, "emacs is not installed (editor-client/scripts/e2e.sh --editors installs it)"
    source = tmp_path / "shapes.py"
    source.write_text(SOURCE, encoding="utf-8")
    out = tmp_path / "result.json"
    env = editor_env(
        tmp_path,
        WATTCODE_SNIPPET=str(ROOT / "editor-client" / "emacs" / "wattcode-eglot.el"),
        WATTCODE_FILE=str(source),
        WATTCODE_EMACS_OUT=str(out),
    )
    proc = subprocess.run(
        [emacs, "--batch", "-q", "-l", str(ROOT / "tests" / "editors" / "emacs_check.el")],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.exists(), f"emacs wrote no result (rc {proc.returncode}): {proc.stderr[-3000:]}"
    result = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in result, (result, proc.stderr[-3000:])
    assert result["program"] == "wattcode"  # the contact came from the snippet

    items = result["completion"]["items"]
    assert items, result
    assert items[0]["textEdit"]["newText"].strip()
    assert items[0]["detail"].startswith("wattcode")
    text = result["hover"]["contents"]["value"]
    assert "wattcode" in text and "generated" in text, text
