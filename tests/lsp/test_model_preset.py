"""`wattcode.model.preset: 1.5b` with the real server and the real 1.5B (skipped when it is not
installed; the preset's logic is tested without a model in tests/fast/test_model_preset.py)."""

from __future__ import annotations

import pytest
from pytest_lsp import LanguageClient

from models import paths
from models.model_choice import is_available
from models.model_table import QWEN25_CODER_15B
from tests.lsp.conftest import make_client_fixture, stats, suggest_at_end

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        not is_available(QWEN25_CODER_15B, paths.models_dir()),
        reason="the 1.5B is not installed: run `wattcode model fetch 1.5b`",
    ),
]

client = make_client_fixture("visual_studio_code", {"model": {"preset": "1.5b"}})


async def test_the_1_5b_preset_loads_the_1_5b_and_suggests(client: LanguageClient) -> None:
    _position, result = await suggest_at_end(
        client, "file:///add.py", "def add(a, b):\n    return "
    )
    assert result is not None and len(result.items) == 1
    assert isinstance(result.items[0].insert_text, str)
    assert "a + b" in result.items[0].insert_text

    model = (await stats(client))["model"]
    assert model["name"] == QWEN25_CODER_15B.display_name
    assert model["path"].endswith(QWEN25_CODER_15B.file_name)
    assert model["why"] == "wattcode.model.preset: 1.5b"
