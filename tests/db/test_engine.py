"""The embedded store's connection settings: a new store gets large pages and the write-ahead log;
a store made before keeps the page size it has."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from astara.db.engine import PAGE_SIZE, make_engine
from astara.db.migrate import upgrade


def _pragma(path: Path, name: str) -> object:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"PRAGMA {name}").fetchone()[0]


def test_a_new_store_has_large_pages_and_the_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "new" / "astara.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    assert _pragma(path, "page_size") == PAGE_SIZE == 65536
    assert _pragma(path, "journal_mode") == "wal"


def test_a_store_with_small_pages_keeps_them_and_works(tmp_path: Path) -> None:
    path = tmp_path / "astara.sqlite3"
    with sqlite3.connect(path) as connection:  # as SQLite's default made stores before
        connection.execute("CREATE TABLE earlier (n INTEGER)")
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as connection:
        row = "INSERT INTO agencies (code, name, created_at) VALUES ('AZ', 'AZ', '2026-01-01')"
        connection.execute(text(row))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT code FROM agencies")).scalar() == "AZ"
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()
    assert _pragma(path, "page_size") == 4096
