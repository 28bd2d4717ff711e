"""The local runner: the FIM prompt as the model's own tokens, run on this machine's model.

The FIM markers are inserted as token ids and the document text is tokenized with special-token
parsing off, so a file that contains "<|fim_prefix|>" cannot inject control tokens. The token
the prefix ends inside is healed (`models/token_healing.py`): its typed part leaves the prompt
and the first tokens must spell it again; the removed characters are the prompt's last, so a
keystroke inside a word changes no prompt token at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from models.cancellation import CancelToken
from models.completion_engine import PromptJob
from models.document_states import DocumentStates
from models.fim_formats import FimTokens
from models.generation import Decoding, Generation, TokenModel, WorkMeter, generate
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
    def __init__(self, model: CompletionModel, states: DocumentStates | None = None) -> None:
        self.model = model
        self.states = states
        """Parks and restores KV states per document; None keeps one state for all."""

    @property
    def context_length(self) -> int:
        return self.model.context_length

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)

    def run(self, job: PromptJob) -> Generation:
        prompt, healed = self._activated_prompt(job)
        options = job.options
        decoding = Decoding(
            max_tokens=options.max_tokens,
            context_room=self.model.context_length - len(prompt),
            is_finished=job.is_finished,
            reuse_prefix=options.reuse_prefix,
            healed=healed,
            max_seconds=options.max_seconds,
            confidence=options.confidence,
        )
        return generate(self.model, prompt, decoding, job.cancel, job.meter)

    def warm(self, job: PromptJob) -> None:
        prompt, _ = self._activated_prompt(job)
        self.model.evaluate_whole_chunks(prompt, job.cancel, job.meter, job.options.reuse_prefix)

    def _activated_prompt(self, job: PromptJob) -> tuple[list[int], str]:
        """The job's FIM prompt as tokens, with its document's saved state made current, and
        the text that healing cut from the prefix's end."""
        context, options, document = job.context, job.options, job.document
        healed = heal_prefix(context.prefix, options.healing)
        prompt = self.model.fim.prompt(
            options.prompt_order,
            self.model.tokenize(healed.prefix),
            self.model.tokenize(context.suffix),
            self.model.bos_id,
        )
        if self.states is not None and document is not None:
            self.states.activate(document, prompt)
        return prompt, healed.removed
