"""Where the remote server is and how to talk to it: the URL, checked before any use, and the
auth token, which never appears in a repr, a log line or a message."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

TOKEN_ENV = "WATTCODE_REMOTE_TOKEN"
COMPLETIONS = "/v1/completions"
MODELS = "/v1/models"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str, has_token: bool = False) -> str | None:
    """What is wrong with a server URL, or None. The URL is the server's base (`http://host:8080`
    or `https://host/v1`); `/v1/completions` is added to it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "must name a host (e.g. http://127.0.0.1:8080)"
    if parts.username or parts.password:
        return f"must not carry credentials; put the token in {TOKEN_ENV} instead"
    if parts.query or parts.fragment:
        return "must not have a query or a fragment"
    if has_token and parts.scheme == "http" and not _is_loopback(parts.hostname):
        return "must use https:// when a token is set (over http the token travels in clear text)"
    return None


@dataclass(frozen=True)
class RemoteEndpoint:
    url: str
    model: str | None = None
    """The model name sent with each request; None lets the server use its only model."""
    token: str | None = field(default=None, repr=False)
    timeout_seconds: float = 10.0
    """Longest wait for the connection, the first token, or any token after it."""
    retries: int = 2
    """Extra tries, with backoff, when the server is down, busy or fails (never mid-stream)."""
    joules_per_prompt_token: float | None = None
    joules_per_generated_token: float | None = None
    """Configured costs for estimating the server's energy; None: not estimated."""

    @property
    def parts(self) -> SplitResult:
        return urlsplit(self.url)

    def path_of(self, endpoint: str) -> str:
        """The request path for an OpenAI-style endpoint (`/v1/completions`), whether the
        URL's own path ends in /v1 or not."""
        base = self.parts.path.rstrip("/")
        return base.removesuffix("/v1") + endpoint

    @property
    def display(self) -> str:
        """The URL as shown to the user: scheme, host, port and path only."""
        parts = self.parts
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"


def token_from(setting: str | None) -> str | None:
    """The setting's token, else the environment's; empty means none."""
    return setting or os.environ.get(TOKEN_ENV) or None
