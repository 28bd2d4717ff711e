from __future__ import annotations

import pytest

from models.errors import ModelError
from models.fim_formats import FAMILIES, detect_fim_tokens


def vocab(tokens: dict[str, int]):  # type: ignore[no-untyped-def]
    return tokens.get


def test_qwen_tokens_found_from_strings_with_their_stops() -> None:
    lookup = vocab(
        {
            "<|fim_prefix|>": 10,
            "<|fim_suffix|>": 11,
            "<|fim_middle|>": 12,
            "<|fim_pad|>": 13,
            "<|endoftext|>": 2,
            "<|file_sep|>": 14,
        }
    )
    fim = detect_fim_tokens(lookup)
    assert (fim.prefix_id, fim.suffix_id, fim.middle_id) == (10, 11, 12)
    assert {13, 2, 14, 10, 11, 12} <= fim.stop_ids
    assert fim.family.startswith("qwen")


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_every_family_is_detected(family) -> None:  # type: ignore[no-untyped-def]
    lookup = vocab({family.prefix: 1, family.suffix: 2, family.middle: 3})
    fim = detect_fim_tokens(lookup)
    assert fim.family == family.name


def test_native_ids_must_agree_with_the_family() -> None:
    lookup = vocab({"<fim_prefix>": 1, "<fim_suffix>": 2, "<fim_middle>": 3})
    assert detect_fim_tokens(lookup, native_ids=(1, 2, 3)).family == "starcoder"
    # Metadata ids that match no known family are still used.
    fim = detect_fim_tokens(vocab({}), native_ids=(7, 8, 9))
    assert (fim.prefix_id, fim.suffix_id, fim.middle_id) == (7, 8, 9)


def test_model_without_fim_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="no fill-in-the-middle tokens"):
        detect_fim_tokens(vocab({"<s>": 1}), native_ids=(-1, -1, -1), model_name="chat.gguf")


def test_psm_layout_and_bos() -> None:
    fim = detect_fim_tokens(vocab({"<fim_prefix>": 1, "<fim_suffix>": 2, "<fim_middle>": 3}))
    assert fim.psm_prompt([10, 11], [20]) == [1, 10, 11, 2, 20, 3]
    assert fim.psm_prompt([10], [], bos_id=0) == [0, 1, 10, 2, 3]
