"""Token healing of a partial word, through the real server and model: the prompt ends before
the word at the cursor, and the suggestion completes that word instead of starting a new one
after it (issue 27: after `ret` the model used to propose ` = ...`)."""

from __future__ import annotations

import pytest
from pytest_lsp import LanguageClient

from tests.lsp.conftest import make_client_fixture, suggest_at_end

pytestmark = pytest.mark.model

# No time budget, no confidence cut: the suggestion must not depend on this machine's speed.
SETTINGS = {"completion": {"maxMilliseconds": None, "minConfidence": 0}}
healing_client = make_client_fixture("visual_studio_code", SETTINGS)
words_off_client = make_client_fixture(
    "visual_studio_code", {**SETTINGS, "experimental": {"healWords": False}}
)

IS_EVEN = "def is_even(n):\n    ret"
GREET = "import os\n\n\ndef home():\n    return os.path.expand"


async def _first_line(client: LanguageClient, uri: str, text: str) -> str:
    _, result = await suggest_at_end(client, uri, text)
    assert result is not None and result.items, f"no suggestion after {text[-12:]!r}"
    insert = result.items[0].insert_text
    assert isinstance(insert, str)
    return insert.split("\n", 1)[0]


async def test_ret_completes_to_return(healing_client: LanguageClient) -> None:
    line = await _first_line(healing_client, "file:///is_even.py", IS_EVEN)
    assert line.startswith("urn "), line  # `return ...`, not a new word after `ret`


async def test_a_partial_attribute_is_completed(healing_client: LanguageClient) -> None:
    line = await _first_line(healing_client, "file:///home.py", GREET)
    assert line.startswith("user("), line  # `os.path.expanduser(...)`


async def test_without_word_healing_the_model_starts_a_new_word(
    words_off_client: LanguageClient,
) -> None:
    """The failure healing fixes, on the same prompt: the prompt ending inside `ret`."""
    line = await _first_line(words_off_client, "file:///is_even.py", IS_EVEN)
    assert not line.startswith("urn"), line
