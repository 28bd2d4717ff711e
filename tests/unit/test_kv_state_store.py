from __future__ import annotations

from pathlib import Path

from cache.kv_state_store import KvStateStore


def test_saved_state_is_found_for_a_prompt_that_extends_it(tmp_path: Path) -> None:
    store = KvStateStore(tmp_path, "model-a", max_bytes=1 << 20)
    store.save([1, 2, 3, 4], b"state-of-four")
    store.save([1, 2], b"state-of-two")
    again = KvStateStore(tmp_path, "model-a", max_bytes=1 << 20)  # a restarted daemon
    found = again.find([1, 2, 3, 4, 5, 6])
    assert found is not None
    assert found.tokens == (1, 2, 3, 4) and found.data == b"state-of-four"
    assert again.find([1, 2, 9]).tokens == (1, 2)  # type: ignore[union-attr]
    assert again.find([7, 8]) is None


def test_other_models_do_not_see_the_state(tmp_path: Path) -> None:
    KvStateStore(tmp_path, "model-a", max_bytes=1 << 20).save([1, 2], b"x")
    assert KvStateStore(tmp_path, "model-b", max_bytes=1 << 20).find([1, 2, 3]) is None


def test_corrupt_files_are_ignored_and_removed(tmp_path: Path) -> None:
    store = KvStateStore(tmp_path, "m", max_bytes=1 << 20)
    store.save([5, 6, 7], b"good-data")
    (path,) = (tmp_path / "m").glob("*.kvstate")
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0xFF
    path.write_bytes(bytes(raw))
    (tmp_path / "m" / "junk.kvstate").write_bytes(b"not a state")
    reopened = KvStateStore(tmp_path, "m", max_bytes=1 << 20)
    assert reopened.find([5, 6, 7, 8]) is None
    assert list((tmp_path / "m").glob("*.kvstate")) == []
    assert reopened.rejected == 2


def test_truncated_file_is_rejected(tmp_path: Path) -> None:
    store = KvStateStore(tmp_path, "m", max_bytes=1 << 20)
    store.save([1, 2, 3], b"abcdef")
    (path,) = (tmp_path / "m").glob("*.kvstate")
    path.write_bytes(path.read_bytes()[:-20])
    assert KvStateStore(tmp_path, "m", max_bytes=1 << 20).find([1, 2, 3]) is None
    assert not path.exists()


def test_disk_budget_drops_the_oldest(tmp_path: Path) -> None:
    store = KvStateStore(tmp_path, "m", max_bytes=2500)
    for i in range(4):
        store.save([i, i + 1], bytes(1000))
    assert store.nbytes <= 2500
    assert store.find([3, 4]) is not None and store.find([0, 1]) is None
