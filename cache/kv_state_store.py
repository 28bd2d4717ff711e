"""Warmed KV states on disk, so that a restarted daemon does not start from zero.

Files live in `<cache dir>/kv-states/<model id>/`, one per state, named by the hash of the
token prefix they hold. A file is a header line (JSON: format, model id, token count, payload
sha256), the tokens (int32) and the state bytes; it is written to a temporary name and renamed,
so a crash never leaves a half file under a real name. A file that fails any check (header,
size, model, checksum) is ignored and removed. The directory is kept under a byte budget,
oldest files out first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cache.kv_state_cache import SavedState

log = logging.getLogger(__name__)

FORMAT = "wattcode-kv-state/1"
SUFFIX = ".kvstate"


def token_hash(tokens: Sequence[int]) -> str:
    return hashlib.blake2b(np.asarray(tokens, dtype=np.int32).tobytes(), digest_size=16).hexdigest()


class KvStateStore:
    def __init__(self, directory: Path, model_id: str, max_bytes: int) -> None:
        self.directory = directory / model_id
        self.model_id = model_id
        self.max_bytes = max_bytes
        self.loaded = 0
        self.rejected = 0
        self._index: dict[tuple[int, str], Path] = {}
        self._scan()

    def _scan(self) -> None:
        """Index the files by (token count, prefix hash) from their names alone."""
        if not self.directory.is_dir():
            return
        for path in self.directory.glob(f"*{SUFFIX}"):
            count, _, digest = path.stem.partition("-")
            if count.isdigit() and digest:
                self._index[(int(count), digest)] = path
            else:
                self._discard(path, "unexpected name")

    def save(self, tokens: Sequence[int], data: bytes) -> None:
        if not tokens:
            return
        digest = token_hash(tokens)
        path = self.directory / f"{len(tokens)}-{digest}{SUFFIX}"
        header = {
            "format": FORMAT,
            "model": self.model_id,
            "tokens": len(tokens),
            "payload_sha256": hashlib.sha256(data).hexdigest(),
        }
        temporary = path.with_name(path.name + f".tmp-{os.getpid()}")
        try:
            # Saved states are the user's code in another form: readable by the user only.
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(json.dumps(header).encode() + b"\n")
                f.write(np.asarray(tokens, dtype=np.int32).tobytes())
                f.write(data)
            temporary.replace(path)
        except OSError as exc:
            log.warning("cannot save a KV state to %s: %s", self.directory, exc)
            temporary.unlink(missing_ok=True)
            return
        self._index[(len(tokens), digest)] = path
        self._enforce_budget()

    def find(self, prompt: Sequence[int]) -> SavedState | None:
        """The longest saved state whose tokens are a prefix of `prompt`."""
        for count, digest in sorted(self._index, reverse=True):
            if count > len(prompt) or token_hash(prompt[:count]) != digest:
                continue
            state = self._read(self._index[(count, digest)], count, digest)
            if state is not None:
                self.loaded += 1
                return state
        return None

    def _read(self, path: Path, count: int, digest: str) -> SavedState | None:
        try:
            with path.open("rb") as f:
                header = json.loads(f.readline())
                tokens = np.frombuffer(f.read(4 * count), dtype=np.int32)
                data = f.read()
        except (OSError, ValueError) as exc:
            self._discard(path, f"unreadable ({exc})")
            return None
        problems = [
            header.get("format") != FORMAT and "format",
            header.get("model") != self.model_id and "model",
            header.get("tokens") != count and "token count",
            len(tokens) != count and "truncated",
            token_hash(tokens.tolist()) != digest and "token hash",
            hashlib.sha256(data).hexdigest() != header.get("payload_sha256") and "checksum",
        ]
        if any(problems):
            self._discard(path, ", ".join(p for p in problems if p))
            return None
        return SavedState(tuple(int(t) for t in tokens), data)

    def _discard(self, path: Path, why: str, rejected: bool = True) -> None:
        log.info("removing KV state file %s: %s", path.name, why)
        self.rejected += rejected
        path.unlink(missing_ok=True)
        for key in [k for k, p in self._index.items() if p == path]:
            del self._index[key]

    def _enforce_budget(self) -> None:
        files = sorted(self._index.values(), key=lambda p: p.stat().st_mtime if p.exists() else 0)
        total = sum(p.stat().st_size for p in files if p.exists())
        while files and total > self.max_bytes:
            oldest = files.pop(0)
            total -= oldest.stat().st_size if oldest.exists() else 0
            self._discard(oldest, "over the disk budget", rejected=False)

    @property
    def nbytes(self) -> int:
        return sum(p.stat().st_size for p in self._index.values() if p.exists())

    @property
    def entries(self) -> int:
        return len(self._index)
