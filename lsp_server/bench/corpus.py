"""Real source files for the typing replays: code nobody on this project wrote, pinned by hash.

They come from what every machine of ours has installed: the Python standard library, npm's
bundled packages (JavaScript) and Debian's git documentation (Go). A file that is missing or
whose hash differs (another Python or npm version) is skipped and named in the report, never
silently replaced. No Rust sources are installed on these machines (no rust-src component), so
Rust has no replay yet.
"""

from __future__ import annotations

import hashlib
import os
import sysconfig
from dataclasses import dataclass
from pathlib import Path

STDLIB = Path(sysconfig.get_paths()["stdlib"])
NPM_MODULES = Path("/usr/lib/node_modules/npm/node_modules")
GIT_CONTRIB = Path("/usr/share/doc/git/contrib")


@dataclass(frozen=True)
class CorpusFile:
    language: str
    language_id: str
    path: Path
    sha256: str
    origin: str

    def load(self) -> str | None:
        """The file's text if it is present and unchanged, else None. A machine without the
        file installed can hold a copy in `$WATTCODE_BENCH_CORPUS` (same name, same hash)."""
        copies = os.environ.get("WATTCODE_BENCH_CORPUS")
        candidates = [self.path] + ([Path(copies) / self.path.name] if copies else [])
        for path in candidates:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == self.sha256:
                return data.decode("utf-8")
        return None


CORPUS = (
    CorpusFile(
        "Python",
        "python",
        STDLIB / "textwrap.py",
        "62867e40cdea6669b361f72af4d7daf0359f207c92cbeddfc7c7506397c1f31c",
        "CPython 3.11.7 standard library (PSF license)",
    ),
    CorpusFile(
        "Python",
        "python",
        STDLIB / "fractions.py",
        "b11e850e354808b882d13a70a911c29accd1dbdd41757566704e3b7206c74edb",
        "CPython 3.11.7 standard library (PSF license)",
    ),
    CorpusFile(
        "JavaScript",
        "javascript",
        NPM_MODULES / "semver" / "classes" / "range.js",
        "a6544485aa8575aa9854c67e2caa67726815de18a482d0ceb8a1003244de3bc1",
        "semver, bundled with npm 11 (ISC license)",
    ),
    CorpusFile(
        "Go",
        "go",
        GIT_CONTRIB / "persistent-https" / "client.go",
        "1114e0a4f73920cd9627d2dfee4674a68641d78387fc5d88891e9b9a95c9893f",
        "git's contrib/persistent-https, Debian package git (GPL-2.0)",
    ),
)

LARGE_FILE = CorpusFile(
    "Python",
    "python",
    STDLIB / "_pydecimal.py",
    "14cf1bf7ead78a0beb578f19ebc4ec82f542e0879f5b77d327f01abf74591586",
    "CPython 3.11.7 standard library (PSF license)",
)
"""Over 5,000 lines: the file the trimming cost is measured on."""
