"""The Neovim snippet (editor-client/neovim/wattcode.lua) in a real headless Neovim (Debian's
0.7, which has no `vim.lsp.start`, so the snippet's fallback runs), with the real
`wattcode serve` and model: completion and hover come back through Neovim's LSP client."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.editors.conftest import ROOT, SOURCE, editor_env

pytestmark = [pytest.mark.editor, pytest.mark.model]


@pytest.mark.usefixtures("debian_editors")
def test_neovim_snippet_completes_and_hovers(tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    assert nvim, "nvim is not installed (editor-client/scripts/e2e.sh --editors installs it)"
    source = tmp_path / "shapes.py"
    source.write_text(SOURCE, encoding="utf-8")
    out = tmp_path / "result.json"
    env = editor_env(
        tmp_path,
        WATTCODE_BIN=str(ROOT / ".venv" / "bin" / "wattcode"),
        WATTCODE_SNIPPET=str(ROOT / "editor-client" / "neovim" / "wattcode.lua"),
        WATTCODE_FILE=str(source),
        WATTCODE_NVIM_OUT=str(out),
    )
    script = ROOT / "tests" / "editors" / "neovim_check.lua"
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-c", f"luafile {script}"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.exists(), f"nvim wrote no result (rc {proc.returncode}): {proc.stderr[-2000:]}"
    result = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in result, result
    assert result["omnifunc"] == "v:lua.vim.lsp.omnifunc"

    items = result["completion"]["items"]
    assert items, result
    assert items[0]["textEdit"]["newText"].strip()
    assert items[0]["detail"].startswith("wattcode")
    text = result["hover"]["contents"]["value"]
    assert "wattcode" in text and "generated" in text, text
