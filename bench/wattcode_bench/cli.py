"""`wattcode bench`'s options and entry point.

`lsp_server.cli` imports this module only when the `bench` subcommand runs, and hands it the
arguments after `bench`; this module imports the workloads (and their optional dependencies,
the `bench` extra) only once those arguments parse.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from models.errors import ModelError

PROG = "wattcode bench"
MISSING_EXTRA = "wattcode: the benchmark needs its extra: pip install 'wattcode[bench]' ({})"


def add_arguments(bench: argparse.ArgumentParser) -> None:
    bench.add_argument("--quick", action="store_true", help="small fixed subsets (CI, <10 min)")
    bench.add_argument("--out", default="bench/runs/latest", help="report directory")
    bench.add_argument(
        "--configs",
        type=lambda s: tuple(s.split(",")),
        default=None,
        help="comma-separated configuration names (bench/README.md lists them; default: all)",
    )
    bench.add_argument(
        "--workloads",
        type=lambda s: tuple(s.split(",")),
        default=None,
        help="comma-separated: accuracy,trimming,typing,enter,resources",
    )
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument(
        "--gpu-layers",
        type=int,
        default=None,
        help="layers on the GPU for every configuration (default: all with a GPU build; 0: CPU)",
    )
    bench.add_argument("--tasks", type=int, default=None, help="HumanEval tasks (full: 1033)")
    bench.add_argument("--padded-tasks", type=int, default=None)
    bench.add_argument("--spans", type=int, default=None, help="typed spans per file")
    bench.add_argument(
        "--typing-pace",
        choices=("rhythm", "lockstep"),
        default="rhythm",
        help="rhythm: a typist's pace, open requests cancelled; lockstep: each key waits for "
        "its answer (deterministic acceptance, for comparing gating rules)",
    )
    bench.add_argument(
        "--corpus",
        choices=("default", "wide", "held-out"),
        default="default",
        help="typed files: default (4), wide (13: nine more the gating rules never saw) or "
        "held-out (those nine only)",
    )
    bench.add_argument(
        "--llama-server",
        default=None,
        help="llama-server binary for the llamavim peer (default: $WATTCODE_LLAMA_SERVER, else "
        "what bench/llama_server/build.sh cached)",
    )


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog)
    add_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the benchmark that `args` (parsed by `add_arguments`' options) describe."""
    try:
        from wattcode_bench import runner  # noqa: PLC0415 - the bench extra is optional
    except ImportError as exc:
        print(MISSING_EXTRA.format(exc), file=sys.stderr)
        return 2
    request = runner.BenchRequest(
        quick=args.quick,
        seed=args.seed,
        configs=args.configs,
        workloads=args.workloads,
        tasks=args.tasks,
        padded_tasks=args.padded_tasks,
        spans=args.spans,
        gpu_layers=args.gpu_layers,
        typing_pace=args.typing_pace,
        corpus=args.corpus,
        llama_server=args.llama_server,
    )
    plan = runner.BenchPlan.make(request)
    try:
        report_path = runner.run(plan, Path(args.out), runner.command_line(sys.argv[1:]))
    except ModelError as exc:
        print(f"wattcode: {exc}", file=sys.stderr)
        return 1
    print(report_path)
    return 0


def main(argv: Sequence[str]) -> int:
    """`wattcode bench ARGV...`: parse the options (exit 2 on a bad one, as argparse does),
    then run. `argv` is what follows `bench`."""
    return run(build_parser().parse_args(argv))
