"""`wattcode bench --quick` end to end: the real model, the real server, a complete report.

This checks the report's structure, never its numbers: speed is measured by the benchmark,
not asserted by tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wattcode_bench.runner import UNPADDED_ORIGINALS

pytestmark = [pytest.mark.model, pytest.mark.bench]

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "lsp_server", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("REPORT.md")
    return out


def test_report_files_exist(report_dir: Path) -> None:
    for name in ("results.json", "REPORT.md", "COMMAND.txt", "typing.png", "accuracy.png"):
        assert (report_dir / name).is_file(), name
    assert (report_dir / "typing.png").read_bytes()[:4] == b"\x89PNG"


def test_every_configuration_appears_in_every_workload(report_dir: Path) -> None:
    data = json.loads((report_dir / "results.json").read_text())
    names = set(data["configs"])
    assert {
        "naive",
        "wattcode",
        "no-trim",
        "no-window",
        "no-early-stop",
        "no-cache",
        "psm",
        "no-suggestion-cache",
    } <= names
    for variant in ("plain", "padded"):
        block = data["accuracy"][variant]
        extra = {UNPADDED_ORIGINALS} if variant == "padded" else set()
        assert {"naive", "wattcode"} | extra <= set(block["configs"]) <= names | extra
        against_naive = {c["config"] for c in block["comparisons"] if c["baseline"] == "naive"}
        assert against_naive == set(block["configs"]) - {"naive"} - extra
        if variant == "padded":  # the trimmer against no trimming and against no padding
            baselines = {c["baseline"] for c in block["comparisons"] if c["config"] == "wattcode"}
            assert {"naive", "no-trim", UNPADDED_ORIGINALS} <= baselines
        for summary in block["configs"].values():
            assert 0.0 <= summary["pass_at_1"]["low"] <= summary["pass_at_1"]["high"] <= 1.0
            assert summary["tasks"] == block["tasks"] > 0
    typing = data["typing"]["configs"]
    assert set(typing) == names
    for summary in typing.values():
        assert summary["keys"] > 0
        assert summary["peak_rss_bytes"] > 0
        assert len(summary["evaluated_per_key"]) == summary["keys"]
        records = summary["key_records"]  # per request, for choosing gating rules from data
        assert len(records) == summary["keys"]
        assert {"typed", "before", "right", "accepted", "skipped"} <= set(records[0])
    assert data["typing"]["by_language"]["wattcode"]
    trimming = data["trimming"]
    assert trimming["keystrokes"] > 0 and trimming["p95_ms"] > 0 and trimming["fallbacks"] == 0
    resources = data["resources"]
    assert resources["seconds_to_first_suggestion"] > resources["model_load_seconds"] > 0
    machine = data["machine"]
    assert machine["physical_cores"] >= 1 and machine["model"]


def test_markdown_is_readable(report_dir: Path) -> None:
    text = (report_dir / "REPORT.md").read_text()
    for heading in (
        "# wattcode bench report",
        "## Headline",
        "### Typing replay",
        "### HumanEval single-line infilling",
        "### Trimming cost per keystroke",
        "### Resources",
        "Paired comparisons",
    ):
        assert heading in text, heading
    assert "vs naive" in text
    assert "wattcode bench --quick" in (report_dir / "COMMAND.txt").read_text()
