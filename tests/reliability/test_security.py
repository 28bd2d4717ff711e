"""No network, user-only files, settings that cannot point the daemon at arbitrary paths, no
telemetry."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lsp_server.settings import parse_settings, setting_fields
from tests.reliability.raw_client import REPO, SERVE, WRAPPED, RawClient

# Long enough that the warmed state has whole chunks to save at shutdown.
TEXT = "".join(f"def helper_{i}(value):\n    return value + {i}\n\n\n" for i in range(6)) + (
    "def add(a, b):\n    return "
)
LAST = (TEXT.count("\n"), len(TEXT.rsplit("\n", 1)[1]))
URI = "file:///security/add.py"
SETTINGS: dict[str, Any] = {"completion": {"maxTokens": 16}, "context": {"maxPromptTokens": 256}}


def full_session(client: RawClient) -> None:
    """Completion, hover over the suggestion, stats: the daemon's whole surface."""
    client.initialize()
    assert client.wait_for_model()["model"]["state"] == "ready"
    client.open(URI, TEXT)
    answer = client.call("textDocument/inlineCompletion", client.inline_params(URI, *LAST), 120)
    assert answer["items"], "no suggestion"
    hover = client.call(
        "textDocument/hover",
        {"textDocument": {"uri": URI}, "position": {"line": LAST[0], "character": 0}},
    )
    assert hover is not None and "wattcode" in hover["contents"]["value"]
    assert client.stats()["suggestions"] >= 1


def test_the_network_guard_refuses_and_records() -> None:
    """The audit hook used below really stops a connection (else the next test proves nothing)."""
    code = (
        "import os, socket, sys; sys.argv = ['x'];"
        "from tests.reliability.wrapped_server import install_network_guard as g;"
        "from pathlib import Path; g(Path(os.environ['RECORD']));"
        "socket.create_connection(('127.0.0.1', 9), timeout=1)"
    )
    record = Path(REPO / ".pytest_cache" / "network-guard-check.txt")
    record.parent.mkdir(exist_ok=True)
    record.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"RECORD": str(record), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "network access refused" in done.stderr
    assert "socket." in record.read_text()
    record.unlink()


@pytest.mark.model
def test_a_session_makes_no_network_call(tmp_path: Path) -> None:
    record = tmp_path / "network-attempts.txt"
    with RawClient(
        SETTINGS,
        command=WRAPPED,
        env={"WATTCODE_TEST_NO_NETWORK": str(record)},
        cache_dir=tmp_path / "cache",
        stderr_path=tmp_path / "server.log",
    ) as client:
        full_session(client)
        assert client.close() == 0
    assert not record.exists(), record.read_text()


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return (
        subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False).returncode == 0
    )


@pytest.mark.model
@pytest.mark.skipif(not _unshare_works(), reason="no unprivileged network namespaces here")
def test_a_session_in_a_network_namespace_without_network(tmp_path: Path) -> None:
    with RawClient(
        SETTINGS,
        command=["unshare", "-rn", *SERVE],
        cache_dir=tmp_path / "cache",
        stderr_path=tmp_path / "server.log",
    ) as client:
        full_session(client)


@pytest.mark.model
def test_files_are_written_under_wattcode_dirs_for_the_user_only(tmp_path: Path) -> None:
    dirs = {name: tmp_path / name for name in ("cache", "logs")}
    serve_with_log_file = [sys.executable, "-m", "lsp_server", "serve", "--log-level", "info"]
    with RawClient(
        SETTINGS,
        command=serve_with_log_file,
        env={"WATTCODE_LOG_DIR": str(dirs["logs"])},
        cache_dir=dirs["cache"],
    ) as client:
        full_session(client)
        assert client.close() == 0  # shutdown saves the warmed KV state to disk
    written = [p for d in dirs.values() for p in d.rglob("*")]
    assert any(p.suffix == ".kvstate" for p in written), "no saved state: nothing was checked"
    assert any(p.name == "wattcode.log" for p in written)
    for path in [*dirs.values(), *written]:
        mode = stat.S_IMODE(path.stat().st_mode)
        expected = 0o700 if path.is_dir() else 0o600
        assert mode == expected, f"{path} has mode {oct(mode)}, expected {oct(expected)}"


def test_the_only_free_form_path_setting_is_the_model_file() -> None:
    """Every string setting but `model.path` is one of a fixed set of choices, so no setting
    can name a file to write, a directory to use or a program to run."""
    free_strings = [
        dotted
        for dotted, _group, _name, f in setting_fields()
        if "str" in str(f.type) and not f.metadata.get("choices")
    ]
    # carbon.country is checked against the built-in table of country codes; remote.url must be
    # an http(s) URL (models/remote/endpoint.py), remote.model and remote.token are only sent to
    # that server, and exclude's globs are only matched against document paths, never opened.
    assert sorted(free_strings) == [
        "carbon.country", "exclude", "model.path", "remote.model", "remote.token", "remote.url"
    ]  # fmt: skip
    assert parse_settings({"wattcode": {"carbon": {"country": "../../etc/passwd"}}}).problems
    for url in ("file:///etc/passwd", "/etc/passwd", "unix:///run/x.sock", "ftp://h/x"):
        assert parse_settings({"wattcode": {"remote": {"url": url}}}).problems, url
    parsed = parse_settings(
        {
            "wattcode": {
                "cache": {"dir": "/tmp/x"},
                "log": {"file": "/etc/x"},
                "model": {"command": "sh"},
            }
        }
    )
    assert set(parsed.unknown) == {
        "wattcode.cache.dir",
        "wattcode.log.file",
        "wattcode.model.command",
    }


def test_a_model_path_that_is_not_a_model_is_only_peeked_at(tmp_path: Path) -> None:
    from models.errors import ModelError  # noqa: PLC0415
    from models.model_files import resolve_model_path  # noqa: PLC0415

    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n" * 1000)
    with pytest.raises(ModelError, match="Not a GGUF") as error:
        resolve_model_path(str(secret))
    assert "hunter2" not in str(error.value)  # the message names the file, never its content


NETWORK_MODULES = re.compile(
    r"^\s*(?:import|from)\s+(socket|ssl|http|urllib\.request|urllib3|requests|httpx|aiohttp|"
    r"websockets?|ftplib|smtplib|xmlrpc|telnetlib|socketserver|asyncio\.streams)\b",
    re.MULTILINE,
)


REMOTE_CLIENT = Path("models/remote/sse_stream.py")
"""The one module with network code: the opt-in remote backend's HTTP client, used only when
the user sets `wattcode.remote.url` (a default session makes no connection: the tests above)."""


def test_no_module_imports_network_code() -> None:
    """No telemetry and no network code paths: the product's packages import no network module
    (urllib.parse, used for URIs, is not network code) except the opt-in remote backend's
    client. The bench's client speaks over pipes."""
    offenders = []
    for package in ("lsp_server", "models", "cache"):
        for source in (REPO / package).rglob("*.py"):
            if source.relative_to(REPO) == REMOTE_CLIENT:
                continue
            for match in NETWORK_MODULES.finditer(source.read_text(encoding="utf-8")):
                offenders.append(f"{source.relative_to(REPO)}: {match.group(0).strip()}")
    assert offenders == []
    assert NETWORK_MODULES.search((REPO / REMOTE_CLIENT).read_text(encoding="utf-8"))
