"""`wattcode serve` on a scripted model: the whole request path without llama.cpp or a model.

    python -m tests.fake_server [--script MODULE:CALLABLE] [--log-level LEVEL]

The server is the product's own (`create_server`); only its `ModelWorker` is given the
scripted model (`tests/scripted_model.py`) through the worker's seams: the backend factory,
the model's choice (the product's `ModelChooser`, over placeholder files: the 0.5B's is written
into the data dir when first chosen, the 1.5B's only counts as installed when a test put it
there, a set `wattcode.model.path` must exist; preset `auto`'s timing is read from
`WATTCODE_TEST_SPEEDS`, `{"0.5b": tok/s, "1.5b": tok/s}`, and journalled as "calibrate") and the
GPU question (no). `llama_cpp` is made unimportable, so that nothing in the tier leans on the
native build, and the machine has no battery (the power tier is always "ac", wherever the tests
run). Files go to a temporary directory (`WATTCODE_CACHE_DIR`, `_DATA_DIR`, `_LOG_DIR`), removed
at exit.

Two environment variables for tests: `WATTCODE_TEST_HOME=<dir>` puts those directories in
<dir> and keeps them (a test reads the KV states saved at shutdown), and
`WATTCODE_TEST_BATTERY=<file>` reads the battery from <file> at each poll, as
`tests/reliability/wrapped_server.py` does.

The model answers from a rule table, then from `--script` (a `Script`: a callable from the
prompt to the reply; default: nothing). Two requests for tests:

- `scriptedModel/script` `{"rules": [{"text", "prefixEndsWith", "prefixContains",
  "suffixStartsWith", "tokenSeconds", "holdBefore"}, ...]}`: replace the rules (the first that
  matches wins; see `Rule.from_json`). Answers `{"rules": n}`.
- `scriptedModel/events` `{"event": kind?}`: the model's journal so far (loads, prompts with
  the text the model saw, holds, releases, stops), to wait on.

None of this is reachable from the product: it wraps the real server from outside, like
`tests/reliability/wrapped_server.py`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

from lsp_server.logging_setup import configure_logging
from lsp_server.model_work import ModelSpecKey
from lsp_server.model_worker import ModelWorker
from lsp_server.server import WattcodeServer, create_server
from lsp_server.stdio_guard import claim_stdout
from lsp_server.stdio_transport import serve_stdio
from models import paths
from models.calibration import Speed
from models.default_model import ProgressCallback
from models.errors import ModelAssemblyError, ModelError
from models.model_choice import Calibrator, ModelChoice, ModelChooser, calibration_cache
from models.model_table import DEFAULT_MODEL, ModelSpec, known_model
from models.power.battery import read_battery
from tests.reliability.wrapped_server import install_fake_battery
from tests.scripted_model import Journal, Rule, RuleScript, Script, scripted_factory, silent

SCRIPT_METHOD = "scriptedModel/script"
EVENTS_METHOD = "scriptedModel/events"
PLACEHOLDER = b"a scripted model: tests/scripted_model.py\n"
SPEEDS_ENV = "WATTCODE_TEST_SPEEDS"


def plain(value: Any) -> Any:
    """pygls hands a custom request's params over as namedtuple-like objects; make them dicts."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def load_script(spec: str) -> Script:
    """`module:callable`, e.g. `tests.fast.scripts:indenting_model`."""
    module, _, name = spec.partition(":")
    script: Script = getattr(importlib.import_module(module), name)
    return script


def make_chooser(journal: Journal) -> ModelChooser:
    models_dir = paths.models_dir()

    def prepare(spec: ModelSpec, _on_progress: ProgressCallback | None) -> Path:
        path = models_dir / spec.file_name
        if not path.is_file():
            if spec is not DEFAULT_MODEL:
                raise ModelAssemblyError(f"{spec.label} is not installed: {spec.fetch_command}")
            models_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(PLACEHOLDER)
        return path

    def measure(spec: ModelSpec, path: Path) -> Speed:
        journal.add("calibrate", model=spec.preset, path=str(path))
        speed = json.loads(os.environ.get(SPEEDS_ENV, "{}")).get(spec.preset, 10.0)
        return Speed(decode_tokens_per_second=speed, prompt_tokens_per_second=10 * speed)

    def available(spec: ModelSpec) -> bool:
        return spec is DEFAULT_MODEL or (models_dir / spec.file_name).is_file()

    calibrator = Calibrator(measure, calibration_cache(), "scripted")
    return ModelChooser(models_dir, prepare, calibrator, read_battery, available)


def make_worker(script: Script, journal: Journal) -> ModelWorker:
    def choose(key: ModelSpecKey, on_progress: ProgressCallback | None) -> ModelChoice:
        if not key.path:
            return make_chooser(journal).choose(None, key.preset, on_progress)
        path = Path(key.path).expanduser()
        if not path.is_file():
            raise ModelError(f"Model file not found: {path}")
        return ModelChoice(path, known_model(path), "wattcode.model.path")

    return ModelWorker(
        scripted_factory(script, journal), choose_model=choose, gpu_offload=lambda: False
    )


def register_test_requests(server: WattcodeServer, rules: RuleScript, journal: Journal) -> None:
    @server.feature(SCRIPT_METHOD)
    def set_script(params: Any = None) -> dict[str, Any]:
        raw = plain(params) or {}
        parsed = [Rule.from_json(rule) for rule in raw.get("rules", [])]
        rules.set(parsed)
        return {"rules": len(parsed)}

    @server.feature(EVENTS_METHOD)
    def events(params: Any = None) -> list[dict[str, Any]]:
        kind = (plain(params) or {}).get("event")
        return journal.events(kind)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_server")
    parser.add_argument("--script", help="MODULE:CALLABLE, the model behind the rules")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    # The tier must pass where llama.cpp was never built: here it is, so make it unimportable.
    sys.modules["llama_cpp"] = None  # type: ignore[assignment]
    # A machine without a battery: the power tier (and so gating and hover) must not depend
    # on the laptop the tests run on.
    psutil.sensors_battery = lambda: None
    if battery := os.environ.get("WATTCODE_TEST_BATTERY"):
        install_fake_battery(Path(battery))
    os.umask(0o077)
    with tempfile.TemporaryDirectory(prefix="wattcode-scripted-") as temporary:
        home = Path(os.environ.get("WATTCODE_TEST_HOME") or temporary)
        for name in ("CACHE", "DATA", "LOG"):
            os.environ[f"WATTCODE_{name}_DIR"] = str(home / name.lower())
        transport = claim_stdout()
        configure_logging(args.log_level, to_file=False)
        journal = Journal()
        rules = RuleScript(fallback=load_script(args.script) if args.script else silent)
        server = create_server(make_worker(rules, journal))
        register_test_requests(server, rules, journal)
        serve_stdio(server, sys.stdin.buffer, transport)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
