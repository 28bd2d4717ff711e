"""`wattcode bench`: lsp_server.cli hands everything after `bench` to wattcode_bench.cli."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_server import cli
from wattcode_bench import cli as bench_cli

ROOT = Path(__file__).parents[2]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[argparse.Namespace]:
    """What `wattcode bench` would have run the benchmark with, instead of running it."""
    seen: list[argparse.Namespace] = []

    def record(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(bench_cli, "run", record)
    return seen


def test_every_option_reaches_the_bench(parsed: list[argparse.Namespace]) -> None:
    argv = ["bench", "--quick", "--configs", "naive,wattcode", "--workloads", "typing,enter"]
    argv += ["--corpus", "wide", "--typing-pace", "lockstep", "--spans", "3", "--seed", "-3"]
    argv += ["--gpu-layers", "0", "--tasks", "5", "--padded-tasks", "2", "--out=reports/x"]
    argv += ["--llama-server", "/opt/llama-server"]
    assert cli.main(argv) == 0
    assert vars(parsed[0]) == {
        "quick": True,
        "configs": ("naive", "wattcode"),
        "workloads": ("typing", "enter"),
        "corpus": "wide",
        "typing_pace": "lockstep",
        "spans": 3,
        "seed": -3,
        "gpu_layers": 0,
        "tasks": 5,
        "padded_tasks": 2,
        "out": "reports/x",
        "llama_server": "/opt/llama-server",
    }


def test_defaults(parsed: list[argparse.Namespace]) -> None:
    assert cli.main(["bench"]) == 0
    assert vars(parsed[0]) == {
        "quick": False,
        "configs": None,
        "workloads": None,
        "corpus": "default",
        "typing_pace": "rhythm",
        "spans": None,
        "seed": 7,
        "gpu_layers": None,
        "tasks": None,
        "padded_tasks": None,
        "out": "bench/runs/latest",
        "llama_server": None,
    }


def test_bad_options_exit_2(
    parsed: list[argparse.Namespace], capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["bench", "--typing-pace", "fast"], ["bench", "--bogus"], ["serve", "--quick"]):
        with pytest.raises(SystemExit) as stop:
            cli.main(argv)
        assert stop.value.code == 2
    assert not parsed
    assert "unrecognized arguments: --quick" in capsys.readouterr().err


def test_help_through_python_m_lsp_server() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lsp_server", "bench", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("usage: wattcode bench ")
    for option in ("--quick", "--configs", "--workloads", "--corpus", "--typing-pace", "--spans"):
        assert option in done.stdout
    assert "enter" in done.stdout
