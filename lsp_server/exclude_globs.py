"""`wattcode.exclude`: which documents wattcode never reads, by glob patterns on their path.

The rules, `.gitignore`'s where they fit an editor that may not know the workspace root:

- A pattern without a slash matches the file name in any folder (`*.pem`, `.env.*`).
- A pattern with a slash matches the end of the path at a folder boundary (`config/prod.yaml`
  matches `/home/me/app/config/prod.yaml`); one that starts with `/` (or `~/`) matches the
  whole path from the root (the home folder).
- `*` and `?` stop at `/`; `**` spans folders (`**/secrets.*`, `build/**`); `[abc]` is a class;
  a pattern ending in `/` matches everything inside such a folder.
- `!pattern` re-includes what an earlier pattern excluded: the last pattern that matches wins.
  A leading `\\!` is a literal `!`.

Pure: no LSP, no files read. `ExcludeList.match()` takes a path; `document_path()` makes one
from a document's URI.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_EXCLUDE = (
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "id_rsa*",
    "*.p12",
    "*.pfx",
    ".netrc",
    ".git-credentials",
    "**/secrets.*",
)
"""Files that commonly hold secrets: environment files, private keys, key stores and
credential files."""


@dataclass(frozen=True)
class ExcludeRule:
    pattern: str
    """As the user wrote it, `!` included."""
    negated: bool
    regex: re.Pattern[str]


@dataclass(frozen=True)
class ExcludeList:
    rules: tuple[ExcludeRule, ...]

    def match(self, path: str) -> str | None:
        """The pattern that excludes `path` (a `/`-separated path), or None when none does or
        a later `!pattern` re-includes it."""
        decided: ExcludeRule | None = None
        for rule in self.rules:
            if rule.regex.search(path):
                decided = rule
        return None if decided is None or decided.negated else decided.pattern


@functools.lru_cache(maxsize=8)
def compile_patterns(patterns: tuple[str, ...]) -> ExcludeList:
    """The patterns as an `ExcludeList` (cached: settings hand the same tuple each time)."""
    rules = []
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern.removeprefix("\\")
        if body.strip():
            rules.append(ExcludeRule(pattern, negated, re.compile(_regex(body))))
    return ExcludeList(tuple(rules))


def _regex(glob: str) -> str:
    if glob.endswith("/"):
        glob += "**"
    if glob.startswith("~/"):
        glob = Path.home().as_posix().rstrip("/") + glob[1:]
    if glob.startswith("/"):
        return "^/" + _translate(glob.lstrip("/")) + "$"
    # A file name, or a tail of the path that starts at a folder boundary.
    return "(?:^|/)" + _translate(glob) + "$"


def _translate(glob: str) -> str:
    """A glob body as a regex: `**/` is any number of folders, `**` anything, `*` and `?`
    anything but `/`."""
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and (end := glob.find("]", i + 2)) != -1:
            inner = glob[i + 1 : end]
            negate = inner[:1] in ("!", "^")
            inner = re.sub(r"([\\\[\]])", r"\\\1", inner[1:] if negate else inner)
            out.append(f"[{'^' if negate else ''}{inner}]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def document_path(uri: str) -> str:
    """A document URI's path with `/` separators (`file:///C:/x` → `C:/x`; an untitled
    document's name as it is)."""
    parts = urlsplit(uri)
    path = unquote(parts.path or parts.netloc or uri)
    if re.match(r"^/[A-Za-z]:/", path):
        path = path[1:]
    return path.replace("\\", "/")
