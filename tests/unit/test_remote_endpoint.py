"""The remote server's URL is checked before use, and its token never shows."""

from __future__ import annotations

import pytest

from lsp_server.model_loading import remote_endpoint
from lsp_server.settings import RemoteSettings, parse_settings
from models.remote.endpoint import RemoteEndpoint, url_problem
from models.remote.fim_text import ZERO_WIDTH_SPACE, FimMarkers

QWEN = FimMarkers(
    "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", ("<|endoftext|>", "<|fim_pad|>")
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "https://gpu.example.com/v1",
        "http://localhost:8000/",
        "http://[::1]:1",
    ],
)
def test_good_urls_pass(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://host/x", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("http://", "must name a host"),
        ("http://user:secret@host:8000", "must not carry credentials"),
        ("http://host:8000/?a=1", "query"),
        ("http://host:99999", "not a valid URL"),
        ("gpu-box:8000", "http:// or https://"),
    ],
)
def test_bad_urls_say_why(url: str, says: str) -> None:
    problem = url_problem(url)
    assert problem is not None and says in problem


def test_a_token_needs_https_off_this_machine() -> None:
    assert url_problem("http://10.0.0.5:8000", has_token=True) is not None
    assert url_problem("https://10.0.0.5:8000", has_token=True) is None
    assert url_problem("http://127.0.0.1:8000", has_token=True) is None


def test_request_paths_with_and_without_v1() -> None:
    assert RemoteEndpoint("http://h:1").path_of("/v1/completions") == "/v1/completions"
    assert RemoteEndpoint("http://h:1/v1/").path_of("/v1/completions") == "/v1/completions"
    assert RemoteEndpoint("http://h:1/team").path_of("/v1/models") == "/team/v1/models"


def test_the_token_never_appears_in_reprs_or_messages() -> None:
    secret = "sk-very-secret"
    endpoint = RemoteEndpoint("https://h", token=secret)
    assert secret not in repr(endpoint) and secret not in endpoint.display
    parsed = parse_settings({"wattcode": {"remote": {"token": secret, "url": "https://h"}}})
    assert secret not in repr(parsed.settings)
    bad = parse_settings({"wattcode": {"remote": {"token": 12345}}})
    assert bad.problems and "12345" not in bad.problems[0]


def test_settings_build_the_endpoint_or_say_why_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATTCODE_REMOTE_TOKEN", "from-env")
    endpoint, problem = remote_endpoint(RemoteSettings(url="https://h:8000", retries=1))
    assert problem is None and endpoint is not None
    assert endpoint.token == "from-env" and endpoint.retries == 1
    endpoint, problem = remote_endpoint(RemoteSettings(url="http://10.1.2.3:8000"))
    assert endpoint is None and problem is not None and "https" in problem
    assert remote_endpoint(RemoteSettings()) == (None, None)
    assert parse_settings({"wattcode.remote.url": "ftp://x"}).problems


def test_control_tokens_in_the_document_become_plain_text() -> None:
    text = 'MARK = "<|fim_middle|>"  # and <|im_start|>, <fim_prefix>'
    safe = QWEN.neutralize(text)
    assert "<|fim_middle|>" not in safe and "<|im_start|>" not in safe
    assert "<fim_prefix>" not in safe
    assert safe.replace(ZERO_WIDTH_SPACE, "") == text
    prompt = QWEN.prompt("spm", "a = <|fim_suffix|>", "<|endoftext|>")
    assert prompt.count("<|fim_suffix|>") == 1 and prompt.count("<|endoftext|>") == 0
    assert prompt.startswith("<|fim_prefix|><|fim_suffix|>")
    assert QWEN.prompt("psm", "p", "s") == "<|fim_prefix|>p<|fim_suffix|>s<|fim_middle|>"


def test_output_is_cut_at_a_stop_marker() -> None:
    assert QWEN.cut_at_stop("return x<|endoftext|>junk") == ("return x", True)
    assert QWEN.cut_at_stop("return x") == ("return x", False)
