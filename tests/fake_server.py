"""`wattcode serve` on a scripted model: the whole request path without llama.cpp or a model.

    python -m tests.fake_server [--script MODULE:CALLABLE] [--log-level LEVEL]

The server is the product's own (`create_server`); only its `ModelWorker` is given the
scripted model (`tests/scripted_model.py`) through the worker's seams: the backend factory,
the model file's resolution (no default model is looked for or assembled: an unset
`wattcode.model.path` is a small placeholder file, a set one must exist) and the GPU question
(no). `llama_cpp` is made unimportable, so that nothing in the tier leans on the native build,
and the machine has no battery (the power tier is always "ac", wherever the tests run). Files
go to a temporary directory (`WATTCODE_CACHE_DIR`, `_DATA_DIR`, `_LOG_DIR`), removed at exit.

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
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

from lsp_server.logging_setup import configure_logging
from lsp_server.model_worker import ModelWorker
from lsp_server.server import WattcodeServer, create_server
from lsp_server.stdio_guard import claim_stdout
from lsp_server.stdio_transport import serve_stdio
from models.default_model import ProgressCallback
from models.errors import ModelError
from tests.scripted_model import Journal, Rule, RuleScript, Script, scripted_factory, silent

SCRIPT_METHOD = "scriptedModel/script"
EVENTS_METHOD = "scriptedModel/events"
PLACEHOLDER = "scripted.model"


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


def make_worker(home: Path, script: Script, journal: Journal) -> ModelWorker:
    placeholder = home / PLACEHOLDER
    placeholder.write_bytes(b"a scripted model: tests/scripted_model.py\n")

    def resolve(configured: str | None, _on_progress: ProgressCallback | None) -> Path:
        if not configured:
            return placeholder
        path = Path(configured).expanduser()
        if not path.is_file():
            raise ModelError(f"Model file not found: {path}")
        return path

    return ModelWorker(
        scripted_factory(script, journal), resolve_path=resolve, gpu_offload=lambda: False
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
    os.umask(0o077)
    with tempfile.TemporaryDirectory(prefix="wattcode-scripted-") as temporary:
        home = Path(temporary)
        for name in ("CACHE", "DATA", "LOG"):
            os.environ[f"WATTCODE_{name}_DIR"] = str(home / name.lower())
        transport = claim_stdout()
        configure_logging(args.log_level, to_file=False)
        journal = Journal()
        rules = RuleScript(fallback=load_script(args.script) if args.script else silent)
        server = create_server(make_worker(home, rules, journal))
        register_test_requests(server, rules, journal)
        serve_stdio(server, sys.stdin.buffer, transport)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
