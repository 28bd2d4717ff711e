"""`wattcode.exclude`'s glob rules (lsp_server/exclude_globs.py): file names in any folder,
path tails, `**`, classes and `!` negation where the last match wins."""

from __future__ import annotations

import pytest

from lsp_server.exclude_globs import DEFAULT_EXCLUDE, compile_patterns, document_path


def excluded(path: str, *patterns: str) -> str | None:
    return compile_patterns(patterns or DEFAULT_EXCLUDE).match(path)


@pytest.mark.parametrize(
    "path",
    [
        "/home/me/app/.env",
        "/home/me/app/.env.local",
        "/srv/certs/server.pem",
        "/srv/certs/server.key",
        "/home/me/.ssh/id_rsa",
        "/home/me/.ssh/id_rsa.pub",
        "/tmp/store.p12",
        "/tmp/store.pfx",
        "/home/me/.netrc",
        "/home/me/.git-credentials",
        "/home/me/app/config/secrets.yaml",
        "secrets.json",
        "C:/Users/me/app/.env",
    ],
)
def test_the_defaults_exclude_common_secret_files(path: str) -> None:
    assert excluded(path) is not None


@pytest.mark.parametrize(
    "path",
    [
        "/home/me/app/main.py",
        "/home/me/app/env.py",
        "/home/me/app/.envrc.py.txt/x.py",
        "/home/me/app/keys.py",
        "/home/me/app/secrets/readme.md",
        "/home/me/app/my_secrets.yaml",
    ],
)
def test_the_defaults_leave_ordinary_files_alone(path: str) -> None:
    assert excluded(path) is None


def test_the_pattern_that_matched_is_reported() -> None:
    assert excluded("/a/b/server.key") == "*.key"
    assert excluded("/a/config/secrets.toml") == "**/secrets.*"


def test_a_bare_pattern_matches_the_file_name_in_any_folder() -> None:
    assert excluded("/a/b/c/notes.txt", "notes.txt") == "notes.txt"
    assert excluded("/a/b/c/notes.txt.bak", "notes.txt") is None
    assert excluded("/a/notes.txt/x.py", "notes.txt") is None


def test_a_pattern_with_a_slash_matches_a_tail_of_the_path() -> None:
    assert excluded("/home/me/app/config/prod.yaml", "config/prod.yaml")
    assert excluded("/home/me/app/myconfig/prod.yaml", "config/prod.yaml") is None
    assert excluded("/home/me/app/config/deep/prod.yaml", "config/*.yaml") is None


def test_a_leading_slash_anchors_at_the_root() -> None:
    assert excluded("/srv/app/a.py", "/srv/**")
    assert excluded("/home/srv/app/a.py", "/srv/**") is None


def test_double_star_spans_folders_and_a_trailing_slash_means_a_folder() -> None:
    assert excluded("/w/private/a/b/c.py", "private/**")
    assert excluded("/w/private/a/b/c.py", "private/")
    assert excluded("/w/a/b/c.py", "**/b/*.py")
    assert excluded("/w/a/c.py", "a/**/c.py")  # `**/` may be no folder at all
    assert excluded("/w/a/x/y/c.py", "a/**/c.py")


def test_star_and_question_mark_stay_within_a_folder() -> None:
    assert excluded("/w/a/b.py", "a*b.py") is None
    assert excluded("/w/ab.py", "a?.py")
    assert excluded("/w/a/.py", "a?.py") is None


def test_classes() -> None:
    assert excluded("/w/key1.txt", "key[0-9].txt")
    assert excluded("/w/keyx.txt", "key[0-9].txt") is None
    assert excluded("/w/keyx.txt", "key[!0-9].txt")


def test_negation_re_includes_and_the_last_match_wins() -> None:
    patterns = (".env", ".env.*", "!.env.example")
    assert excluded("/w/.env.example", *patterns) is None
    assert excluded("/w/.env.local", *patterns) == ".env.*"
    assert excluded("/w/.env.example", "!.env.example", ".env.*") == ".env.*"


def test_a_literal_exclamation_mark_and_blank_patterns() -> None:
    assert excluded("/w/!important.txt", "\\!important.txt") == "\\!important.txt"
    assert excluded("/w/a.py", "", "   ", "!") is None


def test_regex_characters_are_literal() -> None:
    assert excluded("/w/a+b(1).py", "a+b(1).py")
    assert excluded("/w/aab1.py", "a+b(1).py") is None


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("file:///home/me/app/.env", "/home/me/app/.env"),
        ("file:///home/me/my%20app/a.py", "/home/me/my app/a.py"),
        ("file:///c%3A/Users/me/.env", "c:/Users/me/.env"),
        ("untitled:Untitled-1", "Untitled-1"),
    ],
)
def test_document_paths_from_uris(uri: str, path: str) -> None:
    assert document_path(uri) == path


def test_the_vs_code_commands_literal_patterns_match_only_their_path() -> None:
    """editor-client's `literalPattern` puts glob characters in classes."""
    assert excluded("/w/config/prod [1].yaml", "config/prod [[]1].yaml")
    assert excluded("/w/config/prod 1.yaml", "config/prod [[]1].yaml") is None
    assert excluded("/w/a*b.txt", "a[*]b.txt") and excluded("/w/axb.txt", "a[*]b.txt") is None
