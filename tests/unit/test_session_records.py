"""Which shown suggestion hover reports for a line."""

from __future__ import annotations

from lsp_server.session import SUGGESTION_CACHE, Session, SuggestionRecord
from models.generation import GenerationStats


def record(start: int, end: int, stop_reason: str) -> SuggestionRecord:
    stats = GenerationStats(10, 0, 10, 20, 0.1, 0.5, 0.4, stop_reason)
    return SuggestionRecord(start_line=start, end_line=end, text="x", stats=stats)


def test_a_cache_served_rest_does_not_hide_the_generation_it_came_from() -> None:
    session = Session()
    generated = record(3, 7, "finished")
    session.add_record("file:///a.py", generated)
    # The user accepted line 3 and typed on: the rest (lines 4-7) came from the cache.
    session.add_record("file:///a.py", record(4, 7, SUGGESTION_CACHE))
    assert all(session.record_at("file:///a.py", line) is generated for line in range(3, 8))


def test_a_newer_generation_on_the_line_wins_and_a_cache_record_alone_is_shown() -> None:
    session = Session()
    session.add_record("file:///a.py", record(3, 4, "finished"))
    newer = record(4, 4, "stop-token")
    session.add_record("file:///a.py", newer)
    assert session.record_at("file:///a.py", 4) is newer
    cached = record(9, 9, SUGGESTION_CACHE)
    session.add_record("file:///a.py", cached)
    assert session.record_at("file:///a.py", 9) is cached
    assert session.record_at("file:///a.py", 8) is None


def test_the_newest_record_on_a_line_is_found_whatever_its_source() -> None:
    session = Session()
    generated = record(3, 5, "finished")
    cached = record(4, 5, SUGGESTION_CACHE)
    session.add_record("file:///a.py", generated)
    session.add_record("file:///a.py", cached)
    assert session.newest_at("file:///a.py", 4) is cached
    assert session.newest_at("file:///a.py", 3) is generated
