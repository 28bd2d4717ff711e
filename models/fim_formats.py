"""Fill-in-the-middle prompt formats, found from the model's own vocabulary.

llama-cpp-python's `create_completion(suffix=...)` hard-codes the FIM token ids to 0, so wattcode
builds FIM prompts itself at the token level: the FIM markers are inserted as token ids, and the
document text is tokenized with special-token parsing off, so a file that happens to contain
"<|fim_prefix|>" cannot inject control tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from models.errors import ModelError


@dataclass(frozen=True)
class FimFamily:
    """The FIM marker strings of one model family, plus the extra tokens that end a middle."""

    name: str
    prefix: str
    suffix: str
    middle: str
    stops: tuple[str, ...] = ()


FAMILIES: tuple[FimFamily, ...] = (
    FimFamily(
        "qwen2.5-coder / codegemma",
        "<|fim_prefix|>",
        "<|fim_suffix|>",
        "<|fim_middle|>",
        (
            "<|fim_pad|>",
            "<|file_sep|>",
            "<|repo_name|>",
            "<|endoftext|>",
            "<|im_end|>",
            "<|file_separator|>",
        ),
    ),
    FimFamily(
        "starcoder",
        "<fim_prefix>",
        "<fim_suffix>",
        "<fim_middle>",
        ("<fim_pad>", "<file_sep>", "<|endoftext|>"),
    ),
    FimFamily(
        "deepseek-coder",
        "<｜fim▁begin｜>",
        "<｜fim▁hole｜>",
        "<｜fim▁end｜>",
        ("<|EOT|>", "<｜end▁of▁sentence｜>"),
    ),
    FimFamily("codellama", "▁<PRE>", "▁<SUF>", "▁<MID>", ("▁<EOT>",)),
)


@dataclass(frozen=True)
class FimTokens:
    """The token ids that frame a FIM prompt for one loaded model."""

    family: str
    prefix_id: int
    suffix_id: int
    middle_id: int
    stop_ids: frozenset[int]

    def psm_prompt(
        self, prefix: Sequence[int], suffix: Sequence[int], bos_id: int | None = None
    ) -> list[int]:
        """Prefix-suffix-middle layout: [bos] <pre> prefix <suf> suffix <mid>."""
        head = [bos_id] if bos_id is not None else []
        return [*head, self.prefix_id, *prefix, self.suffix_id, *suffix, self.middle_id]

    def spm_prompt(
        self, prefix: Sequence[int], suffix: Sequence[int], bos_id: int | None = None
    ) -> list[int]:
        """Suffix-prefix-middle as in the FIM paper: [bos] <pre> <suf> suffix <mid> prefix.

        The text after the cursor comes first and the prefix last, so typing at the cursor
        only appends to the prompt and the KV cache of everything before stays valid. (The
        other SPM variant, <suf> suffix <pre> prefix <mid>, collapses Qwen2.5-Coder's accuracy:
        see ARCHITECTURE.md.)
        """
        head = [bos_id] if bos_id is not None else []
        return [*head, self.prefix_id, self.suffix_id, *suffix, self.middle_id, *prefix]

    def prompt(
        self, order: str, prefix: Sequence[int], suffix: Sequence[int], bos_id: int | None = None
    ) -> list[int]:
        layout = self.spm_prompt if order == "spm" else self.psm_prompt
        return layout(prefix, suffix, bos_id)


TokenLookup = Callable[[str], "int | None"]
"""Returns the id of a text that is exactly one special token in the vocab, else None."""


def detect_fim_tokens(
    lookup: TokenLookup,
    native_ids: tuple[int, int, int] | None = None,
    model_name: str = "model",
) -> FimTokens:
    """Find the FIM markers: llama.cpp's own detection first, then the known families' strings.

    `native_ids` are llama.cpp's `llama_vocab_fim_pre/suf/mid` (negative when unknown).
    """
    for family in FAMILIES:
        ids = (lookup(family.prefix), lookup(family.suffix), lookup(family.middle))
        if native_ids is not None and all(i >= 0 for i in native_ids):
            matches = tuple(native_ids) == ids
        else:
            matches = all(i is not None for i in ids)
        if matches:
            pre, suf, mid = (int(i) for i in ids if i is not None)
            stops = {i for s in family.stops if (i := lookup(s)) is not None}
            return FimTokens(family.name, pre, suf, mid, frozenset(stops | {pre, suf, mid}))
    if native_ids is not None and all(i >= 0 for i in native_ids):
        pre, suf, mid = native_ids
        return FimTokens("gguf metadata", pre, suf, mid, frozenset(native_ids))
    raise ModelError(
        f"{model_name} has no fill-in-the-middle tokens, so it cannot complete code at a cursor. "
        "Use a code model trained for FIM (Qwen2.5-Coder, StarCoder2, DeepSeek-Coder, CodeLlama, "
        "CodeGemma)."
    )
