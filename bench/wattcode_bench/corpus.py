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

WIDE_CORPUS = (
    *CORPUS,
    CorpusFile(
        "Python",
        "python",
        STDLIB / "shlex.py",
        "42ab6060f316e121e374e6621d8c1c98b8db323903c3df289a810c45a8ae46a7",
        "CPython 3.11.7 standard library (PSF license)",
    ),
    CorpusFile(
        "Python",
        "python",
        STDLIB / "colorsys.py",
        "d9800f8e81d46e63ca6f2e7d6ac5f344d85afb92c3cf6d103b5f977f1ad66ac2",
        "CPython 3.11.7 standard library (PSF license)",
    ),
    CorpusFile(
        "Python",
        "python",
        STDLIB / "glob.py",
        "fa579f8a50a66313d34d339f10be0821c9b4fed6207e8ba8e29ed1c5e119f740",
        "CPython 3.11.7 standard library (PSF license)",
    ),
    CorpusFile(
        "JavaScript",
        "javascript",
        NPM_MODULES / "semver" / "classes" / "semver.js",
        "813b2c185512d30c9b931c2fed8140889d9d7490ceeeedc370da30337dc8ca57",
        "semver, bundled with npm 11 (ISC license)",
    ),
    CorpusFile(
        "JavaScript",
        "javascript",
        NPM_MODULES / "semver" / "classes" / "comparator.js",
        "054202956430d63d5ff4599fae09760ce465b489e4f0b5ef5ce7cc7ac21157ac",
        "semver, bundled with npm 11 (ISC license)",
    ),
    CorpusFile(
        "JavaScript",
        "javascript",
        NPM_MODULES / "ini" / "lib" / "ini.js",
        "007123836ffec243f41c8b35584fb3db0498aa12a440a9e0efc675d0000f4c32",
        "ini, bundled with npm 11 (ISC license)",
    ),
    CorpusFile(
        "Go",
        "go",
        GIT_CONTRIB / "persistent-https" / "proxy.go",
        "c34a0c571e7dae0cc97056935c987be3ffe895aa09b1ec79805ad6501038dc52",
        "git's contrib/persistent-https, Debian package git (GPL-2.0)",
    ),
    CorpusFile(
        "Go",
        "go",
        GIT_CONTRIB / "persistent-https" / "socket.go",
        "a90284d4cd2e261056759cd404a56e432b8a4f0edd0d06ab225317a66a4fe99e",
        "git's contrib/persistent-https, Debian package git (GPL-2.0)",
    ),
    CorpusFile(
        "Go",
        "go",
        GIT_CONTRIB / "persistent-https" / "main.go",
        "73f7ca6cdfa19cc42720f1800093faede3f5f59d32fcad7c82772a781675716a",
        "git's contrib/persistent-https, Debian package git (GPL-2.0)",
    ),
)
"""`--corpus wide`: the default four and nine more of the same origins, none of which the gating
rules were chosen on (the rules were read off replays of the default four)."""

HELD_OUT_CORPUS = WIDE_CORPUS[len(CORPUS) :]
"""`--corpus held-out`: the nine of the wide corpus that no rule or threshold was chosen on."""

CORPORA = {"default": CORPUS, "wide": WIDE_CORPUS, "held-out": HELD_OUT_CORPUS}

LARGE_FILE = CorpusFile(
    "Python",
    "python",
    STDLIB / "_pydecimal.py",
    "14cf1bf7ead78a0beb578f19ebc4ec82f542e0879f5b77d327f01abf74591586",
    "CPython 3.11.7 standard library (PSF license)",
)
"""Over 5,000 lines: the file the trimming cost is measured on."""
