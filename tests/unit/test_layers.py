"""The layering contracts in pyproject.toml's [tool.importlinter] hold (run by `lint-imports`).

cache < models < lsp_server; only lsp_server speaks LSP (pygls, lsprotocol); only
models.llama_backend imports llama_cpp; nothing in the product imports the benchmark
(wattcode_bench) but `wattcode bench`'s lazy import in lsp_server.cli.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept() -> None:
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} is missing: install the dev extra"
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
