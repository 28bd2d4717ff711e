"""A raw stdio client for `wattcode serve`: writes any bytes, reads framed responses.

pytest-lsp and the bench client only send well-formed messages. Adversarial tests need to send
broken headers, wrong lengths and garbage, so this client frames (or does not frame) bytes
itself and reads the server's answers on a thread. Server-to-client requests are answered the
way an editor would (`workspace/configuration` with the configured settings, the rest null).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import psutil

SERVE = [sys.executable, "-m", "lsp_server", "serve", "--no-log-file", "--log-level", "info"]
REPO = Path(__file__).resolve().parents[2]
WRAPPED = [sys.executable, "-m", "tests.reliability.wrapped_server"]
"""The server with test-only instruments (see wrapped_server.py)."""
MISSING_MODEL = "/nonexistent/wattcode-reliability/no-model.gguf"
"""A model path that fails at once: generation then answers empty without touching a model."""

CAPABILITIES: dict[str, Any] = {
    "workspace": {"configuration": True, "didChangeConfiguration": {}},
    "window": {"workDoneProgress": True},
    "textDocument": {"inlineCompletion": {}, "synchronization": {}, "hover": {}},
    "general": {"positionEncodings": ["utf-16"]},
}


class ServerGone(AssertionError):  # noqa: N818 - reads as what happened
    """The server exited or stopped answering."""


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def encode(message: dict[str, Any]) -> bytes:
    return frame(json.dumps(message).encode())


class RawClient:
    """One `wattcode serve` process and a thread that reads what it writes."""

    def __init__(
        self,
        settings: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        command: Sequence[str] = SERVE,
        cache_dir: Path | None = None,
        stderr_path: Path | None = None,
    ) -> None:
        self.settings: dict[str, Any] = settings if settings is not None else {}
        environment = {**os.environ, **(env or {})}
        if cache_dir is not None:
            environment["WATTCODE_CACHE_DIR"] = str(cache_dir)
        self._stderr: IO[bytes] | int = (
            stderr_path.open("wb") if stderr_path is not None else subprocess.DEVNULL
        )
        self.stderr_path = stderr_path
        self.process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=environment,
            cwd=REPO,
        )
        self.ps = psutil.Process(self.process.pid)
        self._ids = itertools.count(1)
        self._responses: dict[Any, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        self.notifications: queue.Queue[dict[str, Any]] = queue.Queue()
        self.messages: list[dict[str, Any]] = []
        """Every `window/showMessage` params received, in order."""
        self.framing_errors = 0
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # -- writing ---------------------------------------------------------------------------

    def send_bytes(self, data: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except BrokenPipeError as exc:
            raise ServerGone(f"server closed stdin (exit code {self.process.poll()})") from exc

    def send(self, message: dict[str, Any]) -> None:
        self.send_bytes(encode(message))

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any = None) -> int:
        msg_id = next(self._ids)
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return msg_id

    def next_id(self) -> int:
        return next(self._ids)

    # -- reading ---------------------------------------------------------------------------

    def _read_loop(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            length = None
            while True:
                line = stdout.readline()
                if not line:
                    return  # the server closed stdout
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii", "replace").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length is None:
                self.framing_errors += 1
                continue
            message = json.loads(stdout.read(length))
            self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:
            self._answer_server_request(message)
        elif "method" in message:
            if message["method"] == "window/showMessage":
                self.messages.append(message["params"])
            self.notifications.put(message)
        else:
            with self._arrived:
                message["_arrived_at"] = time.monotonic()
                self._responses[message.get("id")] = message
                self._arrived.notify_all()

    def _answer_server_request(self, message: dict[str, Any]) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [self.settings for _ in message["params"]["items"]]
        with contextlib.suppress(ServerGone):
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def response(self, msg_id: Any, timeout: float = 30) -> dict[str, Any]:
        """The whole response message (result or error) to request `msg_id`."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while msg_id not in self._responses:
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    state = f"exited with {self.process.poll()}" if self.process.poll() else "alive"
                    raise ServerGone(
                        f"no response to id {msg_id!r} in {timeout} s (server {state})"
                    )
                self._arrived.wait(min(left, 0.2))
            return self._responses.pop(msg_id)

    def take(self, msg_id: Any) -> dict[str, Any] | None:
        """The response to `msg_id` if it has arrived, else None (without waiting)."""
        with self._arrived:
            return self._responses.pop(msg_id, None)

    def forget(self, msg_id: Any) -> None:
        """Drop a stored response (id-null errors pile up under the one key None)."""
        with self._arrived:
            self._responses.pop(msg_id, None)

    def call(self, method: str, params: Any = None, timeout: float = 30) -> Any:
        """Send a request and return its result; an error response raises."""
        answer = self.response(self.request(method, params), timeout)
        if "error" in answer:
            raise AssertionError(f"{method} failed: {answer['error']}")
        return answer.get("result")

    # -- a session -------------------------------------------------------------------------

    def initialize(self, initialization_options: dict[str, Any] | None = None) -> Any:
        result = self.call(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": CAPABILITIES,
                "initializationOptions": initialization_options or {"wattcode": self.settings},
            },
        )
        self.notify("initialized", {})
        return result

    def stats(self, timeout: float = 30) -> dict[str, Any]:
        result = self.call("wattcode/stats", {}, timeout)
        assert isinstance(result, dict)
        return result

    def wait_for_model(self, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            current = self.stats()
            if current["model"]["state"] in ("ready", "failed"):
                return current
            if time.monotonic() > deadline:
                raise TimeoutError(f"model still {current['model']['state']!r}")
            time.sleep(0.05)

    def assert_alive(self, timeout: float = 30) -> dict[str, Any]:
        """A valid request still gets its answer: the server survived what came before."""
        if self.process.poll() is not None:
            raise ServerGone(f"server exited with {self.process.returncode}")
        return self.stats(timeout)

    def open(self, uri: str, text: str, version: int = 1, language: str = "python") -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": language,
                    "version": version,
                    "text": text,
                }
            },
        )

    def inline_params(self, uri: str, line: int, character: int) -> dict[str, Any]:
        return {
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": character},
            "context": {"triggerKind": 2},
        }

    def wait_for_message(self, needle: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if needle in message["message"]:
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no window/showMessage containing {needle!r}: {self.messages}")

    def cpu_seconds(self) -> float:
        times = self.ps.cpu_times()
        return float(times.user + times.system)

    def rss_bytes(self) -> int:
        return int(self.ps.memory_info().rss)

    def close(self, timeout: float = 30) -> int | None:
        """Shut down politely; kill the process if it does not exit. Returns its exit code."""
        try:
            if self.process.poll() is None:
                self.response(self.request("shutdown"), timeout)
                self.notify("exit")
                self.process.wait(timeout)
        except (ServerGone, subprocess.TimeoutExpired):
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if self.process.stdin is not None:
                with contextlib.suppress(BrokenPipeError):
                    self.process.stdin.close()
            if not isinstance(self._stderr, int):
                self._stderr.close()
        return self.process.returncode

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
