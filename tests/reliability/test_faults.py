"""Faults: a truncated model, corrupt model parts (sha256 mismatch), a model without FIM tokens,
an exception inside the model thread. Each gives one clear message (window/showMessage and the
log), the server keeps answering hover and wattcode/stats, and it recovers once the cause is
fixed, without a restart. (A missing model and a file that is not a GGUF are covered in
tests/lsp/test_settings_and_errors.py; corrupt saved-state files in tests/lsp/test_persistence.py.)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from models import default_model, paths
from tests.reliability.conftest import log_of
from tests.reliability.raw_client import WRAPPED, RawClient

pytestmark = pytest.mark.model
TEXT = "def add(a, b):\n    return "
URI = "file:///faults/add.py"
SETTINGS: dict[str, Any] = {"completion": {"maxTokens": 16}, "context": {"maxPromptTokens": 256}}


def real_model() -> Path:
    path = default_model.default_model_path(paths.models_dir())
    assert path.is_file(), "run: wattcode model fetch"
    return path


def start(tmp_path: Path, model: dict[str, Any], fault: str | None = None, **env: str) -> RawClient:
    environment = dict(env)
    if fault is not None:
        environment |= {
            "WATTCODE_TEST_FAULT": fault,
            "WATTCODE_TEST_FAULT_FLAG": str(tmp_path / "flag"),
        }
    client = RawClient(
        {**SETTINGS, "model": model},
        env=environment,
        command=WRAPPED,
        cache_dir=tmp_path / "cache",
        stderr_path=tmp_path / "server.log",
    )
    client.initialize()
    return client


def change_settings(client: RawClient, model: dict[str, Any]) -> None:
    client.settings = {**SETTINGS, "model": model}
    client.notify("workspace/didChangeConfiguration", {"settings": None})


def wait_state(client: RawClient, state: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (info := client.stats())["model"]["state"] != state:
        assert time.monotonic() < deadline, f"model {info['model']} never became {state}"
        time.sleep(0.05)
    return info


def suggestion(client: RawClient) -> list[Any]:
    answer = client.call("textDocument/inlineCompletion", client.inline_params(URI, 1, 11), 120)
    return list(answer["items"])


def still_answers(client: RawClient) -> None:
    hover = client.call(
        "textDocument/hover",
        {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}},
    )
    assert hover is None or "contents" in hover
    assert client.stats()["uptime_seconds"] >= 0


def one_message(client: RawClient, needle: str) -> dict[str, Any]:
    message = client.wait_for_message(needle)
    assert message["type"] == 1  # Error
    assert sum(needle in m["message"] for m in client.messages) == 1, client.messages
    assert needle in log_of(client)
    return message


def recover(client: RawClient) -> None:
    """Point at the good model (the user's fix), then a suggestion comes back."""
    change_settings(client, {"path": str(real_model())})
    wait_state(client, "ready")
    assert suggestion(client), "no suggestion after the fix"


def test_truncated_model_file(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.gguf"
    with real_model().open("rb") as f:
        truncated.write_bytes(f.read(4 << 20))
    with start(tmp_path, {"path": str(truncated)}) as client:
        assert wait_state(client, "failed")["model"]["error"]
        message = one_message(client, "could not load")
        assert str(truncated) in message["message"]
        client.open(URI, TEXT)
        assert suggestion(client) == []
        still_answers(client)
        recover(client)


def test_corrupt_model_parts_fail_the_sha256_check(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with start(tmp_path, {}, fault="corrupt-parts", WATTCODE_DATA_DIR=str(data)) as client:
        wait_state(client, "failed")
        one_message(client, "do not add up")
        assert not list(data.rglob("*.gguf")), "a model that failed its check was kept"
        client.open(URI, TEXT)
        assert suggestion(client) == []
        still_answers(client)
        recover(client)


def test_model_without_fim_tokens(tmp_path: Path) -> None:
    (tmp_path / "flag").touch()
    with start(tmp_path, {"path": str(real_model())}, fault="no-fim") as client:
        wait_state(client, "failed")
        one_message(client, "no fill-in-the-middle tokens")
        still_answers(client)
        (tmp_path / "flag").unlink()  # the fix: a model with FIM tokens
        change_settings(client, {"path": str(real_model())})
        wait_state(client, "ready")
        client.open(URI, TEXT)
        assert suggestion(client)


def test_an_exception_in_the_model_thread(tmp_path: Path) -> None:
    (tmp_path / "flag").touch()
    with start(tmp_path, {"path": str(real_model())}, fault="generation") as client:
        wait_state(client, "ready")
        client.open(URI, TEXT)
        assert suggestion(client) == []  # empty, not an error, not a hang
        assert suggestion(client) == []  # twice: the model thread still takes work
        one_message(client, "injected fault in the model thread")
        assert "Traceback" in log_of(client)  # the log has the details
        stats = client.stats()
        assert stats["generations_failed"] == 2
        still_answers(client)
        (tmp_path / "flag").unlink()
        assert suggestion(client), "the model thread did not recover"
        assert client.stats()["generations_failed"] == 2


def test_a_context_too_large_for_memory(tmp_path: Path) -> None:
    (tmp_path / "flag").touch()
    too_large = {"path": str(real_model()), "contextLength": 32768}
    with start(tmp_path, too_large, fault="context-memory") as client:
        wait_state(client, "failed")
        message = one_message(client, "may not fit in memory")
        assert "wattcode.model.contextLength" in message["message"]
        client.open(URI, TEXT)
        assert suggestion(client) == []
        still_answers(client)
        # The fix the message names: a smaller context.
        change_settings(client, {"path": str(real_model()), "contextLength": 4096})
        wait_state(client, "ready")
        assert suggestion(client)
