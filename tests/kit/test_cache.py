"""Slow figures are cached per agency for a while, and forgotten when the agency's records change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope
from astara.db.engine import make_engine, transaction
from astara.db.models import SeizureEvent
from astara.kit.cache import FigureCache, store_of
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.seizures.service import create_seizure
from fixtures.make import ids_row, import_file, write_ids


def test_entries_expire_and_are_forgotten_per_agency() -> None:
    now = [0.0]
    cache = FigureCache(ttl=10, size=3, clock=lambda: now[0])
    calls: list[str] = []

    def compute(value: str) -> str:
        calls.append(value)
        return value

    assert cache.get("db", 1, "k", lambda: compute("a")) == "a"
    assert cache.get("db", 1, "k", lambda: compute("b")) == "a"  # cached
    assert cache.get("db", 2, "k", lambda: compute("c")) == "c"  # another agency, its own entry
    cache.forget("db", 1)
    assert cache.get("db", 1, "k", lambda: compute("d")) == "d"
    assert cache.get("db", 2, "k", lambda: compute("e")) == "c"  # agency 2 untouched
    now[0] = 11
    assert cache.get("db", 2, "k", lambda: compute("f")) == "f"  # expired
    for key in ("x", "y", "z"):
        cache.get("db", 3, key, lambda: compute("g"))
    assert cache.get("db", 1, "k", lambda: compute("h")) == "h"  # the oldest entries made room
    assert calls == ["a", "c", "d", "f", "g", "g", "g", "h"]
    assert cache.get("other db", 2, "k", lambda: compute("i")) == "i"  # the same agency id in another store


def test_a_new_record_shows_in_the_count_at_once(
    api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    assert api_client.get("/api/seizures").json()["total"] == 0
    import_file(engine, scope, write_ids(tmp_path / "a.csv", [ids_row(AMOUNT="5")]))
    assert api_client.get("/api/seizures").json()["total"] == 1
    body = {"reference": "C-1", "country": "AZ", "date": "2020-01-01",
            "items": [{"drug": "heroin", "quantity": 1, "unit": "kg"}]}  # fmt: skip
    assert api_client.post("/api/seizures", json=body).status_code == 201
    assert api_client.get("/api/seizures").json()["total"] == 2


def test_one_thread_computes_while_the_others_wait() -> None:
    import threading
    import time

    cache = FigureCache()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("db", 1, "k", slow))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 8 and len(calls) == 1


def test_an_expired_value_is_served_while_one_thread_refreshes_it() -> None:
    import threading

    now = [0.0]
    cache = FigureCache(ttl=10, clock=lambda: now[0])
    assert cache.get("db", 1, "total", lambda: 100) == 100
    now[0] = 11  # expired
    started, release = threading.Event(), threading.Event()

    def slow_recount() -> int:
        started.set()
        release.wait(5)
        return 101

    refresher = threading.Thread(target=lambda: cache.get("db", 1, "total", slow_recount))
    refresher.start()
    assert started.wait(5)
    # a second reader neither waits for the recount nor runs its own
    assert cache.get("db", 1, "total", lambda: 999) == 100
    release.set()
    refresher.join(5)
    assert cache.get("db", 1, "total", lambda: 999) == 101
    cache.forget("db", 1)  # after a write: nothing stale is served
    assert cache.get("db", 1, "total", lambda: 102) == 102


def test_a_failed_computation_leaves_no_lock_behind() -> None:
    cache = FigureCache()

    def broken() -> int:
        raise RuntimeError("store unavailable")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            cache.get("db", 1, "k", broken)
    assert cache.get("db", 1, "k", lambda: 7) == 7


def test_a_write_by_another_process_shows_in_the_next_answer(
    engine: Engine, scope: Scope, database_url: str, tmp_path: Path
) -> None:
    """Two engines and two caches stand for two server processes on one store."""
    other_engine = make_engine(database_url)
    ours, theirs = FigureCache(), FigureCache()
    counted: list[str] = []

    def count(cache: FigureCache, engine: Engine, who: str) -> int:
        with transaction(engine) as session:

            def compute() -> int:
                counted.append(who)
                return len(session.scalars(select(SeizureEvent.id)).all())

            return cache.get(store_of(session), scope.agency_id, "events", compute)

    try:
        assert count(ours, engine, "ours") == 0 and count(ours, engine, "ours") == 0
        assert counted == ["ours"]  # the second answer was cached
        import_file(other_engine, scope, write_ids(tmp_path / "a.csv", [ids_row(AMOUNT="5")]))
        assert count(ours, engine, "ours") == 1  # written through the other engine: seen at once
        with transaction(other_engine) as session:
            body = SeizureCreate(
                date="2020-01-01", country="AZ", items=[SeizureItemIn(drug="heroin", quantity=1, unit="kg")]
            )
            create_seizure(session, scope, body, dt.date(2026, 1, 1))
            assert (
                theirs.get(store_of(session), scope.agency_id, "events", lambda: -1) == -1
            )  # its own write: not kept
        assert count(theirs, other_engine, "theirs") == 2 and count(ours, engine, "ours") == 2
        assert count(ours, engine, "ours") == 2 and counted == ["ours", "ours", "theirs", "ours"]
    finally:
        other_engine.dispose()


def test_a_figure_checked_against_the_store_version_outlives_the_short_lifetime(
    engine: Engine, scope: Scope
) -> None:
    """A checked figure is recounted when the data changes, not every two minutes under load."""
    now = [0.0]
    cache = FigureCache(ttl=120, versioned_ttl=3600, clock=lambda: now[0])
    counted: list[float] = []

    def count() -> int:
        with transaction(engine) as session:

            def compute() -> int:
                counted.append(now[0])
                return len(session.scalars(select(SeizureEvent.id)).all())

            return cache.get(store_of(session), scope.agency_id, "events", compute)

    assert count() == 0
    now[0] = 600.0  # past the short lifetime: still the same version, still cached
    assert count() == 0 and counted == [0.0]
    now[0] = 3700.0  # past the long one: counted again
    assert count() == 0 and counted == [0.0, 3700.0]
    assert cache.get("no session", scope.agency_id, "k", lambda: 1) == 1
    now[0] = 3830.0  # a figure read without a session keeps the short lifetime
    assert cache.get("no session", scope.agency_id, "k", lambda: 2) == 2
