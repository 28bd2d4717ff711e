"""The local runner: the FIM prompt as the model's own tokens, run on this machine's model.

The FIM markers are inserted as token ids and the document text is tokenized with special-token
parsing off, so a file that contains "<|fim_prefix|>" cannot inject control tokens. A prefix
that ends in indentation or a space is healed (`models/token_healing.py`): the whitespace
leaves the prompt and the first tokens must spell it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from models.cancellation import CancelToken
from models.completion_engine import CompletionOptions
from models.document_contexts import DocumentContexts
from models.fim_formats import FimTokens
from models.generation import Generation, TokenModel, WorkMeter, generate
from models.prompt_window import PromptWindow
from models.token_healing import heal_prefix


class CompletionModel(TokenModel, Protocol):
    fim: FimTokens
    bos_id: int | None
    context_length: int

    def tokenize(self, text: str) -> list[int]: ...

    def count_tokens(self, text: str) -> int: ...

    def evaluate_whole_chunks(
        self, tokens: Sequence[int], cancel: CancelToken, meter: WorkMeter, reuse_prefix: bool
    ) -> None:
        """Evaluate `tokens` as far as the prompt's whole chunks go (see llama_backend)."""
        ...


class LocalRunner:
    def __init__(self, model: CompletionModel, contexts: DocumentContexts | None = None) -> None:
        self.model = model
        self.contexts = contexts
        """Parks and restores KV states per document; None keeps one state for all."""

    @property
    def context_length(self) -> int:
        return self.model.context_length

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)

    def run(
        self,
        window: PromptWindow,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
        is_finished: Callable[[str], bool],
        document: str | None,
    ) -> Generation:
        healed = heal_prefix(window.prefix) if options.token_healing else None
        if healed is not None and healed.removed:
            window = replace(window, prefix=healed.prefix)
        prompt = self._activated_prompt(window, options, document)
        return generate(
            self.model,
            prompt,
            max_tokens=options.max_tokens,
            context_room=self.model.context_length - len(prompt),
            cancel=cancel,
            is_finished=is_finished,
            reuse_prefix=options.reuse_prefix,
            meter=meter,
            healed=healed.removed if healed is not None else "",
            max_seconds=options.max_seconds,
        )

    def prefill(
        self,
        window: PromptWindow,
        options: CompletionOptions,
        cancel: CancelToken,
        meter: WorkMeter,
        document: str | None,
    ) -> None:
        prompt = self._activated_prompt(window, options, document)
        self.model.evaluate_whole_chunks(prompt, cancel, meter, options.reuse_prefix)

    def _activated_prompt(
        self, window: PromptWindow, options: CompletionOptions, document: str | None
    ) -> list[int]:
        """The window's FIM prompt as tokens, with `document`'s saved state made current."""
        prompt = self.model.fim.prompt(
            options.prompt_order,
            self.model.tokenize(window.prefix),
            self.model.tokenize(window.suffix),
            self.model.bos_id,
        )
        if self.contexts is not None and document is not None:
            self.contexts.activate(document, prompt)
        return prompt
