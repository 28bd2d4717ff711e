"""A small JSON-RPC client that drives `wattcode serve` over stdio the way an editor does.

The benchmark needs what test clients hide: its own request ids (to send `$/cancelRequest`
when the next key arrives), exact send and receive times, and the server's process id (for
its peak memory). Server-to-client requests are answered: `workspace/configuration` with the
configured settings, everything else with null.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from typing import Any

SERVE = [sys.executable, "-m", "lsp_server", "serve", "--no-log-file", "--log-level", "warning"]


class ServerError(Exception):
    pass


class LspClient:
    def __init__(self, settings: dict[str, Any], cache_dir: str | None = None) -> None:
        self.settings = settings
        self.process: asyncio.subprocess.Process | None = None
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.received_at: dict[int, float] = {}
        self.fixed_cache_dir = cache_dir
        """A cache directory to share between runs (tests of persistence); else a fresh one."""
        self._cache_dir = tempfile.TemporaryDirectory(prefix="wattcode-bench-")

    async def start(self) -> None:
        # Each server gets an empty cache directory: states saved on disk by the run of
        # another configuration must not warm this one.
        self._cache_dir = tempfile.TemporaryDirectory(prefix="wattcode-bench-")
        cache_dir = self.fixed_cache_dir or self._cache_dir.name
        self.process = await asyncio.create_subprocess_exec(
            *SERVE,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env={**os.environ, "WATTCODE_CACHE_DIR": cache_dir},
        )
        self._reader = asyncio.create_task(self._read_loop())

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _write(self, message: dict[str, Any]) -> None:
        assert self.process is not None and self.process.stdin is not None
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any) -> tuple[int, asyncio.Future[Any]]:
        self._next_id += 1
        msg_id = self._next_id
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = future
        self._write({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return msg_id, future

    async def call(self, method: str, params: Any, timeout: float = 600) -> Any:
        _, future = self.request(method, params)
        return await asyncio.wait_for(future, timeout)

    def cancel(self, msg_id: int) -> None:
        self.notify("$/cancelRequest", {"id": msg_id})

    async def _read_loop(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        while True:
            header = await stdout.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in header.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            message = json.loads(await stdout.readexactly(length))
            now = time.perf_counter()
            if "method" in message and "id" in message:
                self._answer_server_request(message)
            elif "id" in message and (future := self._pending.pop(message["id"], None)):
                self.received_at[message["id"]] = now
                if future.done():
                    continue
                if "error" in message:
                    future.set_exception(ServerError(message["error"].get("message", "")))
                else:
                    future.set_result(message.get("result"))

    def _answer_server_request(self, message: dict[str, Any]) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [self.settings for _ in message["params"]["items"]]
        self._write({"jsonrpc": "2.0", "id": message["id"], "result": result})

    async def initialize(self) -> None:
        capabilities = {
            "workspace": {"configuration": True, "didChangeConfiguration": {}},
            "textDocument": {"inlineCompletion": {}, "synchronization": {}},
            "general": {"positionEncodings": ["utf-16"]},
        }
        await self.call(
            "initialize", {"processId": None, "rootUri": None, "capabilities": capabilities}
        )
        self.notify("initialized", {})

    async def wait_for_model(self, timeout: float = 300) -> dict[str, Any]:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            stats: dict[str, Any] = await self.call("wattcode/stats", {})
            if stats["model"]["state"] in ("ready", "failed"):
                if stats["model"]["state"] == "failed":
                    raise ServerError(stats["model"]["error"])
                return stats
            await asyncio.sleep(0.05)
        raise TimeoutError("the model did not load")

    async def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(Exception):
            await self.call("shutdown", None, timeout=30)
            self.notify("exit", None)
            await asyncio.wait_for(self.process.wait(), 30)
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            self._reader.cancel()
        self._cache_dir.cleanup()
