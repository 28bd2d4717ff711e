"""Real servers for the remote-backend tests: llama-cpp-python's OpenAI-compatible server with
the default model, and a forwarding proxy in front of it that can make it slow and sees when
the client goes away."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from models.model_files import resolve_model_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LlamaCppServer:
    """`python -m llama_cpp.server` with the default model on a loopback port."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> None:
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(resolve_model_path(None)),
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", "4096", "--n_threads", "2",
        ]  # fmt: skip
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server did not start: {self._log.read_text()}")
            time.sleep(0.2)

    def answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
        try:
            connection.request("GET", "/v1/models")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=30)
        self._process = None


@dataclass
class ProxyLog:
    requests: int = 0
    lines_forwarded: int = 0
    client_gone: threading.Event = field(default_factory=threading.Event)


class SlowProxy:
    """Forwards to `upstream`, waiting `first_delay` before the answer and `line_delay` before
    each streamed line. When the client goes, it closes the upstream request too (as a load
    balancer does), so the real server stops generating."""

    def __init__(self, upstream_port: int, first_delay: float = 0.0, line_delay: float = 0.0):
        self.log = ProxyLog()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def do_POST(self) -> None:
                proxy.log.requests += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(first_delay)
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                try:
                    upstream.request("POST", self.path, body, dict(self.headers))
                    answer = upstream.getresponse()
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    while line := answer.readline():
                        time.sleep(line_delay)
                        self.wfile.write(line)
                        self.wfile.flush()
                        proxy.log.lines_forwarded += 1
                except OSError:
                    proxy.log.client_gone.set()
                finally:
                    upstream.close()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
