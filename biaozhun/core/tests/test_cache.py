"""SharedFileCache: one add() wins across processes; culling forgets only expired entries."""

import multiprocessing
import os

import pytest

from biaozhun.core.cache import SharedFileCache


def _cache(path, **options) -> SharedFileCache:
    return SharedFileCache(str(path), {"OPTIONS": options})


def test_add_takes_a_key_once_until_it_expires(tmp_path):
    cache = _cache(tmp_path)
    assert cache.add("nonce", 1, timeout=60) is True
    assert cache.add("nonce", 2, timeout=60) is False
    assert cache.get("nonce") == 1
    assert cache.add("gone", 1, timeout=0) is True  # timeout 0: expired at once
    assert cache.add("gone", 2, timeout=60) is True
    assert cache.get("gone") == 2
    # Only the entries themselves are left: no temporary files.
    assert sorted(os.listdir(tmp_path)) == sorted(
        os.path.basename(cache._key_to_file(k)) for k in ("nonce", "gone"))


def _add_at_once(path, barrier, results):
    cache = _cache(path)
    barrier.wait()
    results.put(cache.add("consultations:challenge:same", os.getpid(), timeout=60))


def test_exactly_one_of_eight_processes_adding_one_key_succeeds(tmp_path):
    context = multiprocessing.get_context("spawn")
    for _round in range(3):
        folder = tmp_path / str(_round)
        barrier, results = context.Barrier(8), context.Queue()
        workers = [context.Process(target=_add_at_once, args=(folder, barrier, results))
                   for _ in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        outcomes = [results.get(timeout=5) for _ in workers]
        assert sorted(outcomes) == [False] * 7 + [True]


def test_culling_forgets_expired_entries_only(tmp_path):
    cache = _cache(tmp_path, MAX_ENTRIES=4)
    for i in range(3):
        assert cache.add(f"old{i}", 1, timeout=0)
    for i in range(2):
        assert cache.add(f"live{i}", 1, timeout=60)
    assert cache.add("next", 1, timeout=60)  # five entries: the three expired ones go
    assert len(os.listdir(tmp_path)) == 3
    for key in ("live0", "live1", "next"):
        assert cache.add(key, 2, timeout=60) is False
    for i in range(4):  # over the threshold with only live entries: none is dropped
        assert cache.add(f"more{i}", 1, timeout=60)
    assert len(os.listdir(tmp_path)) == 7


def test_production_settings_use_it_for_challenges_without_redis():
    from config import settings as production

    if production.CACHE_URL:
        pytest.skip("CACHE_URL is set: challenges live in Redis")
    assert production.CACHES["challenges"] == {
        "BACKEND": "biaozhun.core.cache.SharedFileCache",
        "LOCATION": str(production.VAR_DIR / "cache" / "challenges"),
        "OPTIONS": {"MAX_ENTRIES": 10_000}}
