"""The one module that imports llama_cpp: loads a GGUF model and runs tokens through it.

`LlamaBackend` owns the native model and context and frees them deterministically (`close`).
It keeps the context's KV cache aligned with the last prompt: a new prompt reuses the longest
common token prefix and evaluates the rest in small chunks, checking the cancel token between
chunks so that a cancelled request stops using the CPU quickly.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import llama_cpp  # noqa: TID251 - the one allowed import
import numpy as np
import numpy.typing as npt
import psutil

from models.cancellation import CancelToken
from models.errors import ModelError
from models.fim_formats import FimTokens, detect_fim_tokens
from models.generation import Pick, WorkMeter, pick_from_logits
from models.gguf_file import check_gguf
from models.load_options import LoadOptions as LoadOptions  # noqa: PLC0414 - re-exported
from models.model_table import display_name
from models.token_healing import VocabIndex

log = logging.getLogger(__name__)

PROMPT_CHUNK = 32
"""Whole-chunk size of the canonical evaluation order (see `_plan_reuse`)."""


def _plan_reuse(common: int, length: int, whole_end: int) -> tuple[int, int]:
    """How many cached tokens to keep for a prompt of `length` tokens, and where whole chunks
    end for it.

    llama.cpp's CPU kernels are not batch-invariant: a token's keys, values and logits differ
    in the last bits with the size of the batch it was evaluated in, and a near-tie in greedy
    decoding can flip. So every prompt is evaluated in one canonical order, whatever was cached:
    whole chunks of PROMPT_CHUNK tokens aligned to position 0 up to
    `(length - 1) // PROMPT_CHUNK * PROMPT_CHUNK`, then one token at a time (the last token
    always among them: its logits pick the first new token). Cached tokens are kept only where
    they were computed in that same order, so a cached run and a fresh run compute the same
    numbers, and typing a character costs one or two single-token steps.

    `common` is the longest common prefix of the cached and the new tokens; `whole_end` is
    where the cached whole chunks end (tokens after it were evaluated one at a time).
    """
    target = (length - 1) // PROMPT_CHUNK * PROMPT_CHUNK
    usable = min(common, length - 1)
    if usable < min(whole_end, target):
        # Resume inside the whole-chunk region: at a chunk boundary.
        return usable // PROMPT_CHUNK * PROMPT_CHUNK, target
    if whole_end < target:
        # Positions [whole_end, target) must become whole chunks; they were single steps.
        return whole_end, target
    if whole_end > target:
        # Positions from target on must be single steps; they were part of a whole chunk.
        return target, target
    return usable, target


def _silence_native_logs() -> None:
    """Route llama.cpp's own log lines to nowhere (stdout carries JSON-RPC only)."""

    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def _drop(_level: int, _text: bytes, _user_data: ctypes.c_void_p) -> None:
        return None

    llama_cpp.llama_log_set(_drop, ctypes.c_void_p(0))
    # Keep a reference: llama.cpp calls the callback after this function returns.
    _silence_native_logs.callback = _drop  # type: ignore[attr-defined]


def backend_version() -> str:
    return str(llama_cpp.__version__)


def system_info() -> str:
    return bytes(llama_cpp.llama_print_system_info()).decode("utf-8", "replace").strip()


def supports_gpu_offload() -> bool:
    return bool(llama_cpp.llama_supports_gpu_offload())


def physical_cores() -> int:
    return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)


def resolved_gpu_layers(options: LoadOptions) -> int:
    """`options.gpu_layers`, with None resolved for this build of llama.cpp."""
    if options.gpu_layers is None:
        return -1 if supports_gpu_offload() else 0
    return options.gpu_layers


def _load(path: Path, options: LoadOptions, threads: int, gpu_layers: int) -> llama_cpp.Llama:
    return llama_cpp.Llama(
        model_path=str(path),
        n_ctx=options.context_length,
        n_batch=options.batch_size,
        n_threads=threads,
        n_threads_batch=threads,
        n_gpu_layers=gpu_layers,
        use_mmap=options.use_mmap,
        logits_all=False,
        verbose=False,
    )


def _load_error(path: Path, options: LoadOptions, exc: BaseException) -> ModelError:
    message = f"llama.cpp could not load {path}: {exc or type(exc).__name__}"
    if isinstance(exc, MemoryError) or "context" in str(exc).lower():
        # llama-cpp-python says only "Failed to create llama_context" when the KV cache and
        # compute buffers for n_ctx do not fit.
        message += (
            f". A context of {options.context_length} tokens may not fit in memory: lower "
            "wattcode.model.contextLength (4096 is plenty for completions)."
        )
    return ModelError(message)


class LlamaBackend:
    """A loaded model and its single inference context."""

    def __init__(self, path: Path, options: LoadOptions | None = None) -> None:
        options = options or LoadOptions()
        check_gguf(path)
        _silence_native_logs()
        threads = options.threads or physical_cores()
        gpu_layers = resolved_gpu_layers(options)
        try:
            self._llama = _load(path, options, threads, gpu_layers)
        except (ValueError, RuntimeError, OSError, MemoryError) as exc:
            if options.gpu_layers is not None or gpu_layers == 0:
                raise _load_error(path, options, exc) from exc
            # Offloading was our choice, not the user's: a GPU without room still has a CPU.
            log.warning("loading on the GPU failed (%s); loading on the CPU instead", exc)
            gpu_layers = 0
            try:
                self._llama = _load(path, options, threads, gpu_layers)
            except (ValueError, RuntimeError, OSError, MemoryError) as cpu_exc:
                raise _load_error(path, options, cpu_exc) from cpu_exc
        self.path = path
        self.threads = threads
        self.gpu_layers = gpu_layers
        self.context_length = self._llama.n_ctx()
        self._whole_chunks_end = 0
        """Positions below this were evaluated in whole aligned chunks (see evaluate_prompt)."""
        self._vocab = llama_cpp.llama_model_get_vocab(self._llama.model)
        self._n_vocab = self._llama.n_vocab()
        self.bos_id: int | None = (
            int(self._llama.token_bos()) if llama_cpp.llama_vocab_get_add_bos(self._vocab) else None
        )
        native = (
            int(llama_cpp.llama_vocab_fim_pre(self._vocab)),
            int(llama_cpp.llama_vocab_fim_suf(self._vocab)),
            int(llama_cpp.llama_vocab_fim_mid(self._vocab)),
        )
        self.fim: FimTokens = detect_fim_tokens(self._special_token_id, native, path.name)
        self.name = display_name(path)  # not general.name: models/model_table.py
        self._vocab_index = self._index_vocab()  # token healing's index: ~0.5 s, once
        log.info(
            "loaded %s (%s FIM, %d threads, context %d)",
            self.name,
            self.fim.family,
            threads,
            self.context_length,
        )

    # -- tokens ------------------------------------------------------------------------------

    def _special_token_id(self, text: str) -> int | None:
        tokens = self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        return tokens[0] if len(tokens) == 1 else None

    def tokenize(self, text: str) -> list[int]:
        """Document text to tokens; special-token syntax in the text stays plain text."""
        if not text:
            return []
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def token_bytes(self, token: int) -> bytes:
        return bytes(self._llama.detokenize([token]))

    def is_stop(self, token: int) -> bool:
        return bool(llama_cpp.llama_vocab_is_eog(self._vocab, token)) or token in self.fim.stop_ids

    def continuations(self, removed: bytes) -> npt.NDArray[np.int64]:
        """Tokens whose text starts with `removed` or is a prefix of it (token healing)."""
        return self._vocab_index.continuations(removed)

    def _index_vocab(self) -> VocabIndex:
        buffer = ctypes.create_string_buffer(256)
        pieces: list[bytes] = []
        for token in range(self._n_vocab):
            # special=False: control tokens have no text, so they never qualify.
            size = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, 256, 0, False)
            pieces.append(buffer.raw[:size] if size > 0 else b"")
        controls = {
            t for t in range(self._n_vocab) if llama_cpp.llama_vocab_is_control(self._vocab, t)
        }
        return VocabIndex(pieces, frozenset(controls | self.fim.stop_ids))

    # -- evaluation --------------------------------------------------------------------------

    @property
    def cached_tokens(self) -> list[int]:
        """The tokens whose keys and values the context holds now."""
        return [int(t) for t in self._llama.input_ids[: self._llama.n_tokens]]

    def evaluate_prompt(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool = True,
    ) -> None:
        self._evaluate(tokens, cancel, meter, reuse_prefix, whole_chunks_only=False)

    def evaluate_whole_chunks(
        self, tokens: Sequence[int], cancel: CancelToken, meter: WorkMeter, reuse_prefix: bool
    ) -> None:
        """Evaluate `tokens` up to where their whole chunks end, and not the single steps after
        it: a skipped request's warming. Those last few tokens are the ones at the cursor,
        which the next keystroke usually changes (a word's token re-merges as it grows), and
        a single step costs about what a whole chunk does; the request that generates
        evaluates them. A prompt that changed by less than a chunk costs nothing to warm."""
        self._evaluate(tokens, cancel, meter, reuse_prefix, whole_chunks_only=True)

    def _evaluate(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool,
        whole_chunks_only: bool,
    ) -> None:
        if len(tokens) > self.context_length:
            raise ModelError(
                f"prompt of {len(tokens)} tokens exceeds the context ({self.context_length})"
            )
        cached = self._llama.input_ids[: self._llama.n_tokens]
        limit = min(len(cached), len(tokens))
        mismatch = np.nonzero(cached[:limit] != np.asarray(tokens[:limit], dtype=cached.dtype))[0]
        common = int(mismatch[0]) if mismatch.size else limit
        if not reuse_prefix:
            common = 0
        reused, whole_end = _plan_reuse(common, len(tokens), self._whole_chunks_end)
        self._llama.n_tokens = reused
        self._whole_chunks_end = min(self._whole_chunks_end, reused)
        meter.prompt_tokens_reused += reused
        position = reused
        end_of_work = whole_end if whole_chunks_only else len(tokens)
        while position < end_of_work:
            cancel.raise_if_cancelled()
            end = position + PROMPT_CHUNK if position < whole_end else position + 1
            self._llama.eval(list(tokens[position:end]))
            meter.prompt_tokens_evaluated += end - position
            position = end
            if position <= whole_end:
                self._whole_chunks_end = position

    def pick_next(self, allowed: npt.NDArray[np.int64] | None = None) -> Pick:
        logits_ptr = llama_cpp.llama_get_logits_ith(self._llama.ctx, -1)
        return pick_from_logits(np.ctypeslib.as_array(logits_ptr, shape=(self._n_vocab,)), allowed)

    def accept(self, token: int) -> None:
        self._llama.eval([token])

    def append(self, tokens: Sequence[int]) -> None:
        """Evaluate `tokens` after the cached ones in one batch (a draft model's catch-up)."""
        self._llama.eval(list(tokens))

    def evaluate_batch(self, tokens: Sequence[int]) -> npt.NDArray[np.float32]:
        """Evaluate `tokens` after the cached ones in one batch and return the logits after
        each of them, one row per token: speculative decoding's verification."""
        start = self._llama.n_tokens
        self._truncate(start)
        self._llama._batch.set_batch(batch=list(tokens), n_past=start, logits_all=True)
        self._llama._ctx.decode(self._llama._batch)
        self._llama.input_ids[start : start + len(tokens)] = tokens
        self._llama.n_tokens = start + len(tokens)
        rows = np.empty((len(tokens), self._n_vocab), dtype=np.float32)
        for index in range(len(tokens)):
            pointer = llama_cpp.llama_get_logits_ith(self._llama.ctx, index)
            rows[index] = np.ctypeslib.as_array(pointer, shape=(self._n_vocab,))
        return rows

    def truncate(self, length: int) -> None:
        """Drop the keys and values from position `length` on (rejected drafts)."""
        self._truncate(length)
        self._whole_chunks_end = min(self._whole_chunks_end, length)

    def _truncate(self, length: int) -> None:
        """Drop the context's keys and values from position `length` on."""
        self._llama.n_tokens = min(length, self._llama.n_tokens)
        self._llama.eval([])  # Llama.eval first removes every cell from n_tokens on

    def export_state(self) -> tuple[list[int], bytes]:
        """The context's exact part (evaluated in whole chunks) and its keys and values, to
        park a document. The rest (single steps, generated tokens) is dropped first: it could
        not be reused anyway, and it would only make the saved state bigger."""
        self._truncate(self._whole_chunks_end)
        ctx = self._llama.ctx
        size = int(llama_cpp.llama_state_seq_get_size(ctx, 0))
        buffer = (ctypes.c_uint8 * size)()
        written = int(llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0))
        return self.cached_tokens, bytes(buffer)[:written]

    def import_state(self, tokens: Sequence[int], data: bytes) -> bool:
        """Put a parked document's keys and values back; False (and an empty cache) if the
        data does not fit this context."""
        self.reset()
        self._truncate(0)
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if not llama_cpp.llama_state_seq_set_data(self._llama.ctx, buffer, len(data), 0):
            return False
        self._llama.input_ids[: len(tokens)] = tokens
        self._llama.n_tokens = len(tokens)
        self._whole_chunks_end = len(tokens)
        return True

    def reset(self) -> None:
        """Forget the cached prompt, so that the next one is evaluated from scratch."""
        self._llama.n_tokens = 0
        self._whole_chunks_end = 0

    def close(self) -> None:
        self._llama.close()


class LlamaVocab:
    """A model file's tokenizer alone (no weights in memory): counts tokens and finds the FIM
    markers for prompts that run elsewhere (a remote server with the same model family)."""

    def __init__(self, path: Path) -> None:
        check_gguf(path)
        _silence_native_logs()
        try:
            self._llama = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(f"llama.cpp could not read the vocabulary of {path}: {exc}") from exc
        vocab = llama_cpp.llama_model_get_vocab(self._llama.model)
        native = (
            int(llama_cpp.llama_vocab_fim_pre(vocab)),
            int(llama_cpp.llama_vocab_fim_suf(vocab)),
            int(llama_cpp.llama_vocab_fim_mid(vocab)),
        )
        self.fim: FimTokens = detect_fim_tokens(self._special_token_id, native, path.name)
        self.name = display_name(path)  # not general.name: models/model_table.py

    def _special_token_id(self, text: str) -> int | None:
        tokens = self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        return tokens[0] if len(tokens) == 1 else None

    def count_tokens(self, text: str) -> int:
        if not text:
            return 0
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def token_text(self, token: int) -> str:
        """A token as text, control tokens spelled out (`<|fim_prefix|>`)."""
        piece = self._llama.detokenize([token], special=True)
        return bytes(piece).decode("utf-8", "replace")

    def close(self) -> None:
        self._llama.close()
