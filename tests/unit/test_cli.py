from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_server.cli import parse_location, split_at
from models.model_table import QWEN25_CODER_05B, QWEN25_CODER_15B

ROOT = Path(__file__).parents[2]


def wattcode(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lsp_server", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_location_parsing() -> None:
    assert parse_location("a/b.py:3:7") == (Path("a/b.py"), 3, 7)
    assert parse_location("C:/x.py:3") == (Path("C:/x.py"), 3, None)
    with pytest.raises(ValueError, match="FILE:LINE:COL"):
        parse_location("file.py")


def test_split_at_counts_characters_from_one() -> None:
    assert split_at("ab\ncd\n", 2, 2) == ("ab\nc", "d\n")
    assert split_at("ab\ncd", 2, None) == ("ab\ncd", "")
    assert split_at("🎉x\n", 1, 2) == ("🎉", "x\n")
    with pytest.raises(ValueError, match="line 9"):
        split_at("a\n", 9, 1)
    with pytest.raises(ValueError, match="column 5"):
        split_at("ab\n", 1, 5)


def test_version_and_help() -> None:
    assert wattcode("--version").stdout.startswith("wattcode ")
    assert "serve" in wattcode("--help").stdout


def test_complete_reports_bad_input_clearly(tmp_path: Path) -> None:
    missing = wattcode("complete", str(tmp_path / "none.py") + ":1:1")
    assert missing.returncode == 2 and "No such file" in missing.stderr
    binary = tmp_path / "blob.py"
    binary.write_bytes(b"\xff\xfe\x00binary")
    not_text = wattcode("complete", f"{binary}:1:1")
    assert not_text.returncode == 2 and "is not UTF-8 text" in not_text.stderr
    not_model = tmp_path / "m.gguf"
    not_model.write_text("hello")
    source = tmp_path / "s.py"
    source.write_text("x = 1\n")
    bad_model = wattcode("complete", f"{source}:1:5", "--model", str(not_model))
    assert bad_model.returncode == 1 and "Not a GGUF model file" in bad_model.stderr


@pytest.mark.model
def test_complete_prints_a_suggestion_and_its_cost() -> None:
    done = wattcode("complete", "examples/sample.py:17:16")
    assert done.returncode == 0, done.stderr
    assert "self.width" in done.stdout and "self.height" in done.stdout
    assert "prompt tokens" in done.stderr and "generated" in done.stderr


def test_doctor_names_every_section() -> None:
    out = wattcode("doctor").stdout
    for section in ("model:", "backend:", "energy:", "directories:"):
        assert section in out


def test_model_commands_name_each_size_and_doctor_explains_auto(tmp_path: Path) -> None:
    env = {**os.environ, "WATTCODE_DATA_DIR": str(tmp_path), "WATTCODE_CACHE_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "lsp_server", *args]
        return subprocess.run(command, capture_output=True, text=True, check=False, env=env)

    large = run("model", "path", "1.5b")
    assert large.returncode == 1  # not assembled in this data dir
    assert large.stdout.strip() == str(tmp_path / "models" / QWEN25_CODER_15B.file_name)
    assert run("model", "path").stdout.strip().endswith(QWEN25_CODER_05B.file_name)
    assert run("model", "fetch", "7b").returncode == 2
    doctor = run("doctor").stdout
    assert f"larger model (preset 1.5b): {QWEN25_CODER_15B.display_name}" in doctor
    assert "preset auto would load Qwen2.5-Coder 0.5B Instruct Q4_K_M: " in doctor


def test_doctor_checks_a_remote_server_without_showing_the_token() -> None:
    bad = wattcode("doctor", "--remote", "file:///etc/passwd").stdout
    assert "remote:" in bad and "http:// or https://" in bad
    down = wattcode("doctor", "--remote", "http://127.0.0.1:9").stdout
    assert "unreachable (connection refused)" in down and "token none" in down
