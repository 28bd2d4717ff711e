"""wattcode's model table: names for people, the pins it shares with pyproject.toml, the license
files, and which file is which."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from models import default_model
from models.errors import ModelAssemblyError
from models.model_table import (
    EMBEDDED_MODELS,
    PRESETS,
    QWEN25_CODER_05B,
    QWEN25_CODER_15B,
    display_name,
    known_model,
)

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_display_names_say_size_and_quantization() -> None:
    assert QWEN25_CODER_05B.display_name == "Qwen2.5-Coder 0.5B Instruct Q4_K_M"
    assert QWEN25_CODER_15B.display_name == "Qwen2.5-Coder 1.5B Instruct Q4_K_M"
    assert set(PRESETS) == {"0.5b", "1.5b"}


def test_the_default_model_is_a_dependency_and_the_large_one_an_extra() -> None:
    assert set(QWEN25_CODER_05B.distributions) <= set(PROJECT["dependencies"])
    assert PROJECT["optional-dependencies"]["model-1.5b"] == list(QWEN25_CODER_15B.distributions)
    assert not set(QWEN25_CODER_15B.distributions) & set(PROJECT["dependencies"])
    assert len(QWEN25_CODER_15B.part_packages) == 22


@pytest.mark.parametrize("spec", EMBEDDED_MODELS, ids=lambda s: s.preset)
def test_each_model_ships_its_license(spec: default_model.ModelSpec) -> None:
    name = spec.license_name.rsplit("/", 1)[-1]
    text = (Path(default_model.__file__).parent / "licenses" / name).read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0" in text
    assert spec.sha256 in text and spec.display_name.split()[1] in text


def test_a_known_file_is_named_from_the_table(tmp_path: Path) -> None:
    by_name = tmp_path / QWEN25_CODER_15B.file_name
    by_name.write_bytes(b"GGUF")
    assert display_name(by_name) == QWEN25_CODER_15B.display_name

    renamed = tmp_path / "mine.gguf"
    renamed.write_bytes(b"GGUF")
    stat = renamed.stat()
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": QWEN25_CODER_05B.sha256}
    (tmp_path / "mine.gguf.verified.json").write_text(json.dumps(stamp), encoding="utf-8")
    assert known_model(renamed) is QWEN25_CODER_05B


def test_a_users_own_file_is_named_by_its_file_name(tmp_path: Path) -> None:
    own = tmp_path / "starcoder2-3b-Q5_K_M.gguf"
    own.write_bytes(b"GGUF")
    assert known_model(own) is None
    assert display_name(own) == "starcoder2-3b-Q5_K_M.gguf"


def test_a_missing_large_model_part_names_the_fetch_command() -> None:
    missing = default_model.ModelSpec(
        "x", "x.gguf", 1, "0" * 64, "x", ("wattcode_no_such_part",), "X 9B", "9b"
    )
    with pytest.raises(ModelAssemblyError, match="wattcode model fetch 9b"):
        missing.part_paths()
