"""A scripted stand-in for the model: deterministic text per prompt, byte tokens, no llama.cpp.

`ScriptedModel` has what the worker and the engine use of `LlamaBackend` (the FIM markers, the
tokenizer, prompt evaluation with prefix reuse, greedy decoding, token healing's
`continuations`, parked KV states), so that the whole request path runs on it: the product's
`LocalRunner`, `generate()` and post-processing, only the logits are scripted.

- The vocabulary is byte-level: byte b is token b + 1, token 0 is `<|endoftext|>` and the
  Qwen2.5-Coder FIM markers come above the bytes, so that `detect_fim_tokens` finds them like
  it finds a real model's. Token healing's index is the product's own `VocabIndex`.
- A script maps the prompt (its prefix and suffix text, as the model sees them: a healed
  prefix has lost its trailing whitespace) to a `Reply`: the text the model writes, then
  end-of-text. When token healing constrains the next token and the script's next byte is not
  allowed, the model writes the smallest allowed token and its script waits (a model whose
  answer after the cut indentation is " return x" writes the indentation, then "return x").
- Cancel points: prompt evaluation checks the cancel token between chunks of 32 tokens, as
  `LlamaBackend` does; `Reply.token_seconds` is spent per token waiting on the cancel token;
  `Reply.hold_before` blocks before choosing token k until the request is cancelled (or
  `HOLD_SECONDS` pass). The generation loop notices a cancel before its next token, as with
  the real model; a hold before the end-of-text decision (k = the reply's byte length) ends
  the generation normally after the cancel: a result that comes back after its document moved
  on.
- `Journal` records what the model did (loads, prompts, holds, stops) for tests to wait on.

`tests/fake_server.py` serves it over stdio; `scripted_factory` plugs it into `ModelWorker`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.cancellation import CancelToken
from models.document_states import common_prefix
from models.errors import ModelError
from models.fim_formats import FimTokens, detect_fim_tokens
from models.generation import Pick, WorkMeter
from models.load_options import LoadOptions
from models.token_healing import VocabIndex

END_OF_TEXT = 0
BYTE_OFFSET = 1
"""Byte b is token b + BYTE_OFFSET."""
SPECIAL_TOKENS = {
    "<|endoftext|>": END_OF_TEXT,
    "<|fim_prefix|>": 257,
    "<|fim_suffix|>": 258,
    "<|fim_middle|>": 259,
    "<|fim_pad|>": 260,
}
VOCAB_SIZE = 261
PROMPT_CHUNK = 32
"""Tokens evaluated between two cancel checks, as in `llama_backend`."""
HOLD_SECONDS = 10.0
"""The longest a hold waits for its request's cancel."""
SURE = 0.999
UNSURE = 0.05
"""A scripted token's probability, before and from `Reply.unsure_from` (confidence tests):
sure enough that no default confidence cut shortens a scripted reply of hundreds of bytes."""
MODEL_NAME = "scripted"


@dataclass(frozen=True)
class Prompt:
    """The text around the cursor as the model sees it."""

    prefix: str
    suffix: str
    order: str
    """"spm" or "psm": the FIM layout the prompt came in."""


@dataclass(frozen=True)
class Reply:
    """What the model does for one prompt."""

    text: str = ""
    """Written byte by byte, then end-of-text."""
    token_seconds: float = 0.0
    """Spent before each token, waiting on the cancel token (so a cancel cuts it short)."""
    hold_before: int | None = None
    """Before choosing this token (0-based; the text's byte length: the end-of-text decision),
    wait until the request is cancelled, at most HOLD_SECONDS, then go on as scripted."""
    unsure_from: int | None = None
    """From this token (0-based) on, each token's probability is UNSURE (else SURE)."""


Script = Callable[[Prompt], "Reply | str"]
"""A model: what it writes for each prompt (a plain string: that text, at once)."""


def silent(_prompt: Prompt) -> Reply:
    """The script of a model with nothing to say."""
    return Reply()


def encode(text: str) -> list[int]:
    return [byte + BYTE_OFFSET for byte in text.encode("utf-8")]


def decode(tokens: Sequence[int]) -> str:
    return bytes(t - BYTE_OFFSET for t in tokens if is_byte(t)).decode("utf-8", "replace")


def is_byte(token: int) -> bool:
    return BYTE_OFFSET <= token < BYTE_OFFSET + 256


def read_prompt(tokens: Sequence[int]) -> Prompt:
    """The prefix and suffix text of a FIM prompt in either layout."""
    pre, suf, mid = (SPECIAL_TOKENS[f"<|fim_{name}|>"] for name in ("prefix", "suffix", "middle"))
    body = list(tokens)
    if body[:2] == [pre, suf] and mid in body:  # spm: <pre> <suf> suffix <mid> prefix
        split = body.index(mid)
        return Prompt(decode(body[split + 1 :]), decode(body[2:split]), "spm")
    if body[:1] == [pre] and suf in body:  # psm: <pre> prefix <suf> suffix <mid>
        split = body.index(suf)
        return Prompt(decode(body[1:split]), decode(body[split + 1 :]), "psm")
    return Prompt(decode(body), "", "none")


class Journal:
    """What the scripted model did, in order; thread-safe (the model runs on its own thread)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._events: list[dict[str, Any]] = []

    def add(self, kind: str, **fields: Any) -> None:
        with self._changed:
            self._events.append({"event": kind, "at": time.monotonic(), **fields})
            self._changed.notify_all()

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self._changed:
            return [dict(e) for e in self._events if kind is None or e["event"] == kind]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until `count` events of `kind` were recorded; raises TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := [e for e in self._events if e["event"] == kind]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(found)} of {count} {kind!r} events after {timeout} s")
                self._changed.wait(left)
            return [dict(e) for e in found]


class ScriptedModel:
    """A model whose every answer comes from its script. Runs on the model thread only."""

    def __init__(
        self,
        script: Script,
        options: LoadOptions | None = None,
        path: Path | None = None,
        journal: Journal | None = None,
    ) -> None:
        options = options or LoadOptions()
        self.script = script
        self.journal = journal or Journal()
        self.path = path or Path(MODEL_NAME)
        self.name = MODEL_NAME
        self.threads = options.threads or 1
        self.gpu_layers = 0
        self.context_length = options.context_length
        self.bos_id: int | None = None
        self.fim: FimTokens = detect_fim_tokens(SPECIAL_TOKENS.get, None, MODEL_NAME)
        pieces = [b""] * VOCAB_SIZE
        for byte in range(256):
            pieces[byte + BYTE_OFFSET] = bytes([byte])
        self._vocab_index = VocabIndex(pieces, frozenset(self.fim.stop_ids | {END_OF_TEXT}))
        self._cached: list[int] = []
        self._cancel = CancelToken()
        self._reply = Reply()
        self._planned: list[int] = []
        self._next = 0
        """Index in `_planned` of the next scripted token."""

        self._held = False
        self.closed = False
        self.journal.add("load", path=str(self.path), context_length=self.context_length)

    # -- tokens ------------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        return encode(text)

    def count_tokens(self, text: str) -> int:
        return len(text.encode("utf-8"))

    def token_bytes(self, token: int) -> bytes:
        return bytes([token - BYTE_OFFSET]) if is_byte(token) else b""

    def is_stop(self, token: int) -> bool:
        return token == END_OF_TEXT or token in self.fim.stop_ids

    def continuations(self, removed: bytes) -> npt.NDArray[np.int64]:
        return self._vocab_index.continuations(removed)

    # -- evaluation --------------------------------------------------------------------------

    @property
    def cached_tokens(self) -> list[int]:
        return list(self._cached)

    def evaluate_prompt(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool = True,
    ) -> None:
        reused, evaluated = self._evaluate(tokens, cancel, meter, reuse_prefix, len(tokens))
        prompt = read_prompt(tokens)
        self._cancel = cancel
        reply = self._plan(prompt)
        self.journal.add(
            "prompt",
            path=str(self.path),
            prefix=prompt.prefix,
            suffix=prompt.suffix,
            order=prompt.order,
            reused=reused,
            evaluated=evaluated,
            reply=reply.text,
        )

    def _plan(self, prompt: Prompt) -> Reply:
        answer = self.script(prompt)
        self._reply = Reply(answer) if isinstance(answer, str) else answer
        self._planned, self._next, self._held = encode(self._reply.text), 0, False
        return self._reply

    def evaluate_whole_chunks(
        self, tokens: Sequence[int], cancel: CancelToken, meter: WorkMeter, reuse_prefix: bool
    ) -> None:
        whole = (len(tokens) - 1) // PROMPT_CHUNK * PROMPT_CHUNK
        reused, evaluated = self._evaluate(tokens, cancel, meter, reuse_prefix, whole)
        self.journal.add("warm", reused=reused, evaluated=evaluated)

    def _evaluate(
        self,
        tokens: Sequence[int],
        cancel: CancelToken,
        meter: WorkMeter,
        reuse_prefix: bool,
        end: int,
    ) -> tuple[int, int]:
        """Keep the cached common prefix (never the last token: its logits pick the first new
        token), then evaluate up to `end` in chunks, checking `cancel` before each."""
        if len(tokens) > self.context_length:
            raise ModelError(
                f"prompt of {len(tokens)} tokens exceeds the context ({self.context_length})"
            )
        common = common_prefix(self._cached, tokens) if reuse_prefix else 0
        position = min(common, len(tokens) - 1)
        self._cached = list(tokens[:position])
        meter.prompt_tokens_reused += position
        reused, evaluated = position, 0
        while position < end:
            cancel.raise_if_cancelled()
            stop = min(position + PROMPT_CHUNK, end)
            self._cached.extend(tokens[position:stop])
            meter.prompt_tokens_evaluated += stop - position
            evaluated += stop - position
            position = stop
        return reused, evaluated

    def pick_next(self, allowed: npt.NDArray[np.int64] | None = None) -> Pick:
        unsure = self._reply.unsure_from is not None and self._next >= self._reply.unsure_from
        return Pick(self._next_token(allowed), UNSURE if unsure else SURE)

    def _next_token(self, allowed: npt.NDArray[np.int64] | None) -> int:
        if self._reply.hold_before == self._next and not self._held:
            self._held = True
            self.journal.add("hold", before=self._next)
            cancelled = self._cancel.wait(HOLD_SECONDS)
            self.journal.add("release", cancelled=cancelled)
        if self._reply.token_seconds > 0:
            self._cancel.wait(self._reply.token_seconds)
        token = self._planned[self._next] if self._next < len(self._planned) else END_OF_TEXT
        if allowed is not None and not bool(np.any(allowed == token)):
            return int(allowed.min())  # healing forces it; the script waits
        if self.is_stop(token):
            self.journal.add("stop", generated=self._next)
        else:
            self._next += 1
        return token

    def accept(self, token: int) -> None:
        self._cached.append(token)

    # -- parked states -----------------------------------------------------------------------

    def export_state(self) -> tuple[list[int], bytes]:
        """The whole chunks of the context, as `LlamaBackend` parks them."""
        tokens = self._cached[: len(self._cached) // PROMPT_CHUNK * PROMPT_CHUNK]
        self._cached = list(tokens)
        return tokens, _state_bytes(tokens)

    def import_state(self, tokens: Sequence[int], data: bytes) -> bool:
        self.reset()
        if data != _state_bytes(tokens):
            return False
        self._cached = list(tokens)
        return True

    def reset(self) -> None:
        self._cached = []

    def close(self) -> None:
        self.closed = True
        self.journal.add("close")


def _state_bytes(tokens: Sequence[int]) -> bytes:
    return np.asarray(tokens, dtype=np.int32).tobytes()


def scripted_factory(
    script: Script, journal: Journal | None = None
) -> Callable[[Path, LoadOptions], ScriptedModel]:
    """A `ModelWorker` backend factory: each load makes a `ScriptedModel` on `script`."""
    journal = journal or Journal()

    def load(path: Path, options: LoadOptions) -> ScriptedModel:
        return ScriptedModel(script, options, path, journal)

    return load


# -- rules: a script that tests can send over the wire ---------------------------------------


RULE_KEYS = frozenset(
    {
        "text",
        "prefixEndsWith",
        "prefixContains",
        "suffixStartsWith",
        "tokenSeconds",
        "holdBefore",
        "unsureFrom",
    }
)


@dataclass(frozen=True)
class Rule:
    """One line of a rule table: when the prompt matches every condition given, the reply."""

    reply: Reply
    prefix_ends_with: str | None = None
    prefix_contains: str | None = None
    suffix_starts_with: str | None = None

    def matches(self, prompt: Prompt) -> bool:
        return (
            (self.prefix_ends_with is None or prompt.prefix.endswith(self.prefix_ends_with))
            and (self.prefix_contains is None or self.prefix_contains in prompt.prefix)
            and (
                self.suffix_starts_with is None or prompt.suffix.startswith(self.suffix_starts_with)
            )
        )

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Rule:
        """{"text", "prefixEndsWith", "prefixContains", "suffixStartsWith", "tokenSeconds",
        "holdBefore" (a token index, or "end": the end-of-text decision), "unsureFrom" (a token
        index: from it on the tokens are unlikely)}; any other key is
        refused (a misspelt condition would otherwise match every prompt)."""
        if unknown := set(raw) - RULE_KEYS:
            raise ValueError(f"unknown rule keys: {sorted(unknown)}")
        text = str(raw.get("text", ""))
        hold = raw.get("holdBefore")
        hold_before = len(text.encode("utf-8")) if hold == "end" else hold
        if hold_before is not None and not isinstance(hold_before, int):
            raise ValueError(f"holdBefore must be a token index or 'end', got {hold!r}")
        return cls(
            Reply(text, float(raw.get("tokenSeconds", 0.0)), hold_before, raw.get("unsureFrom")),
            raw.get("prefixEndsWith"),
            raw.get("prefixContains"),
            raw.get("suffixStartsWith"),
        )


class RuleScript:
    """A script from rules, the first that matches wins, else `fallback`. The rules may be
    replaced from another thread while the model runs."""

    def __init__(self, rules: Sequence[Rule] = (), fallback: Script = silent) -> None:
        self._lock = threading.Lock()
        self._rules = tuple(rules)
        self.fallback = fallback

    def set(self, rules: Sequence[Rule]) -> None:
        with self._lock:
            self._rules = tuple(rules)

    def __call__(self, prompt: Prompt) -> Reply | str:
        with self._lock:
            rules = self._rules
        for rule in rules:
            if rule.matches(prompt):
                return rule.reply
        return self.fallback(prompt)
