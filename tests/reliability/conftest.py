"""Fixtures: the real `wattcode serve` over stdio, driven by the raw client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.raw_client import MISSING_MODEL, RawClient


@pytest.fixture(scope="module")
def modelless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawClient]:
    """A server whose model path does not exist: completion answers empty at once."""
    workdir = tmp_path_factory.mktemp("modelless")
    client = RawClient(
        {"model": {"path": MISSING_MODEL}},
        cache_dir=workdir / "cache",
        stderr_path=workdir / "server.log",
    )
    client.initialize()
    assert client.wait_for_model()["model"]["state"] == "failed"
    yield client
    assert client.close() == 0, "the server did not exit cleanly"


@pytest.fixture(scope="module")
def with_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawClient]:
    """A server on the real default model."""
    workdir = tmp_path_factory.mktemp("with-model")
    client = RawClient(
        # A small prompt budget keeps these tests quick on a busy 2-core machine.
        {"completion": {"maxTokens": 16}, "context": {"maxPromptTokens": 256}},
        cache_dir=workdir / "cache",
        stderr_path=workdir / "server.log",
    )
    client.initialize()
    assert client.wait_for_model()["model"]["state"] == "ready"
    yield client
    assert client.close() == 0, "the server did not exit cleanly"


def log_of(client: RawClient) -> str:
    assert client.stderr_path is not None
    return Path(client.stderr_path).read_text(errors="replace")
