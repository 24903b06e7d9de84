"""Engine creation and the transaction boundary: one transaction per request, command or import job.

Services never commit; :func:`transaction` does, when the block ends without an exception, and
rolls everything back otherwise.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from astara.errors import StoreError

# Set in a pooled connection's info while it writes through a rollback journal, or while it does
# not check foreign keys (db/bulk_load.py): both are undone when the connection goes back to the pool.
ROLLBACK_JOURNAL = "astara_rollback_journal"
REFERENCES_UNCHECKED = "astara_references_unchecked"

# SQLite's largest page, for a new store. Measured on the IDS file against the default 4 KiB: the
# import 0.9-1.4 s faster (fewer B-tree levels and page splits for its random primary keys, fewer
# pages to index), statistics' full scans about 10 % faster, point reads the same. The costs: an
# edit writes 64 KiB per page it changes into the write-ahead log (about 0.1 ms against 0.04 ms),
# and an empty store takes 6.5 MB. (16 KiB pages gave about two thirds of the import's gain.)
PAGE_SIZE = 65536

# Threads that may each hold a connection at once: a server's page threads (AnyIO's pool for
# synchronous endpoints, set to this number in web/app.py) and the in-server jobs runner with its
# heartbeat. A SQLite connection is a file handle and its page cache: the pool keeps one per such
# thread, so under load no thread waits for one and none is opened again (each new one runs the
# PRAGMAs below, once); a few more for a token's short bookkeeping connection at the peak. A
# PostgreSQL connection is a server process: ten are kept and the rest opened when needed, so
# ``max_connections`` must cover server processes x (POOL_SIZE + POOL_OVERFLOW). Connections are
# opened on demand: a command that uses one holds one.
PAGE_THREADS = 40
POOL_SIZE = PAGE_THREADS + 2
POOL_OVERFLOW = 8
POSTGRES_KEPT = 10


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # (a new store's; an existing one keeps its own)
    _write_ahead_log(cursor)
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA mmap_size=1073741824")  # read through the OS page cache: halves scan times
    cursor.close()


def _write_ahead_log(cursor: Any) -> None:
    """WAL: readers see the last commit while a writer works. Another connection writing through a
    rollback journal (a large import, :func:`astara.db.bulk_load.rollback_journal`) holds the store
    meanwhile: then this one keeps the store's mode, and a later connection switches back."""
    with suppress(sqlite3.OperationalError):  # "database is locked": the switch needs the store to itself
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")


def _restore(dbapi_connection: Any, record: Any) -> None:
    """A connection goes back to the pool: the write-ahead log again after a rollback journal, and
    foreign keys checked again (see :mod:`astara.db.bulk_load`)."""
    if record is None:
        return
    journal = record.info.pop(ROLLBACK_JOURNAL, False)
    references = record.info.pop(REFERENCES_UNCHECKED, False)
    if not (journal or references):
        return
    cursor = dbapi_connection.cursor()
    try:
        if references:
            cursor.execute("PRAGMA foreign_keys=ON")
        if journal:
            _write_ahead_log(cursor)
    finally:
        cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a parent folder that exists."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if parsed.database not in (None, "", ":memory:") and "poolclass" not in kwargs:
            kwargs = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, **kwargs}
        engine = create_engine(url, **kwargs)
        # once per connection the pool opens, never per checkout
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _restore)
        return engine
    if "poolclass" not in kwargs:
        opened = POOL_SIZE + POOL_OVERFLOW - POSTGRES_KEPT
        kwargs = {"pool_size": POSTGRES_KEPT, "max_overflow": opened, **kwargs}
    return create_engine(url, pool_pre_ping=True, **kwargs)


@cache
def _factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """Yield a session; commit when the block ends, roll back on any exception."""
    session = _factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def head_revision() -> str:
    """The newest migration: they are numbered 0001, 0002... in one line, so the highest number.
    (Read from the file names: importing Alembic would cost every command a tenth of a second.)"""
    versions = Path(__file__).with_name("migrations") / "versions"
    return max(path.name[:4] for path in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))


def stored_revision(connection: Connection) -> str | None:
    """The schema revision Alembic recorded in the store; None for a store without one."""
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(current) if current else None


def ping(engine: Engine) -> None:
    """Raise the driver's own error unless the store answers a query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def require_schema(engine: Engine) -> None:
    """Raise a clear error when the store has not been initialised with ``astara init``."""
    try:
        tables = set(inspect(engine).get_table_names())
    except Exception as exc:  # the driver's own errors vary; all mean "cannot reach the store"
        raise StoreError(f"cannot open the database at {engine.url.render_as_string()}: {exc}") from exc
    if "seizure_events" not in tables:
        raise StoreError(
            f"the database at {engine.url.render_as_string()} is not initialised: run `astara init`"
        )
    if "alembic_version" not in tables:
        return  # built from the models directly (the tests' stores): nothing to compare
    head = head_revision()
    with engine.connect() as connection:
        current = stored_revision(connection)
    if current and current > head:
        raise StoreError(
            f"the database at {engine.url.render_as_string()} has schema revision {current}, newer than"
            f" this Astara's {head}: run the Astara version that upgraded it, or a newer one"
        )
    if current != head:
        raise StoreError(
            f"the database at {engine.url.render_as_string()} has schema revision {current or 'none'}; "
            f"this Astara needs {head}: run `astara db upgrade` (after `astara backup`)"
        )
