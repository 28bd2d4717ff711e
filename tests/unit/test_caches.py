"""The cache data structures (the model-backed correctness tests are in tests/model/)."""

from __future__ import annotations

from cache.kv_state_cache import KvStateCache
from cache.suggestion_cache import SuggestionCache


def test_exact_repeat_and_typing_through() -> None:
    cache = SuggestionCache()
    cache.remember("a.py", "def f(x):\n    return ", "\n", "x * 2")
    assert cache.lookup("a.py", "def f(x):\n    return ", "\n").text == "x * 2"
    hit = cache.lookup("a.py", "def f(x):\n    return x ", "\n")
    assert hit is not None and hit.text == "* 2" and hit.typed == 2
    assert cache.hits == 2 and cache.lookups == 2


def test_misses_when_anything_else_changed() -> None:
    cache = SuggestionCache()
    cache.remember("a.py", "x = ", "\n", "compute()")
    assert cache.lookup("a.py", "x = comp", "\n)") is None  # the text after the cursor changed
    assert cache.lookup("a.py", "x = cons", "\n") is None  # typed something else
    assert cache.lookup("b.py", "x = comp", "\n") is None  # another document
    assert cache.lookup("a.py", "y = x = comp", "\n") is None  # an edit before the cursor
    assert cache.lookup("a.py", "x = compute()", "\n") is None  # typed it all: nothing left
    assert cache.hits == 0


def test_bounded_per_document_and_overall() -> None:
    cache = SuggestionCache(max_entries=5, per_document=3)
    for i in range(4):
        cache.remember("a", f"p{i}", "", "text")
    assert cache.entries == 3
    for i in range(4):
        cache.remember(f"doc{i}", "p", "", "text")
    assert cache.entries == 5
    cache.forget("a")
    assert cache.entries <= 4
    assert cache.nbytes > 0


def test_kv_states_are_evicted_least_recently_used_first() -> None:
    cache = KvStateCache(max_bytes=3000)
    cache.put("a", [1] * 10, b"x" * 900)
    cache.put("b", [1] * 10, b"x" * 900)
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("c", [1] * 10, b"x" * 900)
    assert cache.entries == 3
    cache.put("d", [1] * 10, b"x" * 900)
    assert cache.get("b") is None and cache.get("a") is not None
    assert cache.nbytes <= 3000 and cache.evicted == 1


def test_a_state_larger_than_the_cap_is_not_kept() -> None:
    cache = KvStateCache(max_bytes=100)
    cache.put("a", [1], b"x" * 200)
    assert cache.entries == 0
