"""A llama-server process for the llama.vim peer (`llamavim_peer.py`): started on a free port
of 127.0.0.1 (nothing else is ever contacted), one slot, asked over plain HTTP/1.1."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

FINAL_WAIT = 240.0
"""As long as the typing replay waits for one answer."""
CONTEXT_LENGTH = 4096
"""wattcode's own (`LoadOptions.context_length`)."""
THREADS = 2


class LlamaServer:
    """A llama-server process on 127.0.0.1, one slot, the same model file as wattcode's."""

    def __init__(self, binary: Path, model: Path) -> None:
        self.binary, self.model = binary, model
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._log = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log")  # noqa: SIM115

    def command(self) -> list[str]:
        return [
            str(self.binary),
            *("-m", str(self.model), "--cache-reuse", "256", "-np", "1"),
            *("-t", str(THREADS), "-c", str(CONTEXT_LENGTH)),
            *("--host", "127.0.0.1", "--port", str(self.port)),
        ]

    async def start(self, timeout: float = 300) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, _ = await asyncio.to_thread(self._call, "GET", "/health", None, 5)
                if status == 200:
                    return
            except OSError:
                pass
            await asyncio.sleep(0.5)
        tail = Path(self._log.name).read_text(errors="replace")[-2000:]
        await self.stop()
        raise RuntimeError(f"llama-server did not become ready:\n{tail}")

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None, timeout: float = FINAL_WAIT
    ) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if payload else {}
            connection.request(method, path, payload, headers)
            response = connection.getresponse()
            data = response.read()
            return response.status, json.loads(data) if data else {}
        finally:
            connection.close()

    async def infill(self, body: dict[str, Any]) -> dict[str, Any]:
        status, answer = await asyncio.to_thread(self._call, "POST", "/infill", body)
        if status != 200:
            raise RuntimeError(f"llama-server /infill answered {status}: {answer}")
        return answer

    def cpu_seconds(self) -> float:
        assert self.process is not None
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

    async def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                await asyncio.to_thread(self.process.wait, 30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()
