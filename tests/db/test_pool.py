"""The pool keeps a connection for every page thread: under full load no thread waits for one, and
none is opened (and its PRAGMAs run) again once returned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from astara.db.engine import PAGE_THREADS, make_engine


def test_every_page_thread_keeps_its_connection_and_its_pragmas_run_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'astara.sqlite3'}")
    opened: list[Any] = []
    event.listen(engine, "connect", lambda connection, _record: opened.append(connection))
    for _ in range(3):  # three rounds of every page thread holding a connection at once
        held = [engine.connect() for _ in range(PAGE_THREADS)]
        assert all(c.execute(text("PRAGMA foreign_keys")).scalar() == 1 for c in held)
        for connection in held:
            connection.close()
    assert len(opened) == PAGE_THREADS
    engine.dispose()
