"""Fast bulk inserts for import jobs: driver-level ``executemany`` (SQLite) or COPY (PostgreSQL).

SQLAlchemy's Core insert processes every bound value of every row in Python; for a 300,000-row
import that costs more than the database itself. Here values are adapted once per column kind
for the dialect in use (SQLite: ISO text and JSON text; PostgreSQL: native dates, JSON wrapper)
and handed to the driver as tuples. :mod:`astara.imports.records` builds the import's rows with
these adapters (as plain data: :mod:`astara.db.rowsets`), applying them once to the values every
row shares.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import JSON, Boolean, Date, DateTime, Table, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from astara.db.engine import REFERENCES_UNCHECKED, ROLLBACK_JOURNAL
from astara.db.rowsets import (
    Adapter,
    Rows,
    TableLayout,
    postgres_json,
    sql_literal,
    sqlite_bool,
    sqlite_date,
    sqlite_datetime,
    sqlite_json,
)


def column_adapters(table: Table, columns: Sequence[str], dialect: str) -> list[Adapter | None]:
    """Per column, the function that turns a Python value into what ``dialect``'s driver stores."""
    adapters: list[Adapter | None] = []
    for name in columns:
        kind = table.c[name].type
        if isinstance(kind, JSON):
            adapters.append(sqlite_json if dialect == "sqlite" else postgres_json)
        elif dialect != "sqlite":
            adapters.append(None)
        elif isinstance(kind, DateTime):
            adapters.append(sqlite_datetime)
        elif isinstance(kind, Date):
            adapters.append(sqlite_date)
        elif isinstance(kind, Boolean):
            adapters.append(sqlite_bool)
        else:
            adapters.append(None)
    return adapters


def always_bound(table: Table, columns: Sequence[str]) -> list[bool]:
    """Per column, whether it must be named even when NULL (it has a server default)."""
    return [table.c[name].server_default is not None for name in columns]


def table_layout(table: Table, columns: Sequence[str], dialect: str) -> TableLayout:
    """``columns`` of ``table`` as plain data for building driver rows (:mod:`astara.db.rowsets`)."""
    return TableLayout(
        tuple(columns), tuple(column_adapters(table, columns, dialect)), tuple(always_bound(table, columns))
    )


def insert_sql(session: Session, table: Table, columns: Sequence[str]) -> str:
    """The driver-level INSERT statement for ``columns`` of ``table``, in the dialect's paramstyle."""
    dialect = session.connection().dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 - names come from the ORM table, quoted
        f"VALUES ({', '.join([marker] * len(columns))})"
    )


def insert_adapted(session: Session, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``sql`` (from :func:`insert_sql`) for rows whose values are already adapted to the driver."""
    if rows:
        session.connection().exec_driver_sql(sql, rows)


def insert_groups(session: Session, table: Table, groups: Sequence[Rows]) -> None:
    """Insert each group of rows (adapted values; see :class:`astara.db.rowsets.Rows`).

    SQLite: one ``executemany`` a group. Values every row of a group shares are written into the
    statement as literals rather than bound row after row, and ``None`` is bound through the
    adapter :func:`astara.db.engine.make_engine` registers (as quickly as a number). PostgreSQL
    takes the rows through COPY, its bulk-load protocol, in the same transaction: several times
    faster than ``executemany`` of INSERTs.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    quote = connection.dialect.identifier_preparer.quote
    for columns, shared, rows in groups:
        if not rows:
            continue
        if dialect == "postgresql":
            if shared:
                raise ValueError("shared values are for SQLite statements")
            sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            continue
        literals = [(name, sql_literal(value)) for name, value in shared]
        if any(literal is None for _name, literal in literals):
            raise ValueError(f"a shared value of {table.name} cannot be written as a literal")
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        names = [*columns, *(name for name, _ in literals)]
        values = [marker] * len(columns) + [cast(str, literal) for _, literal in literals]
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in names)}) "  # noqa: S608 - names from the ORM table, quoted; literals quoted by sql_literal
            f"VALUES ({', '.join(values)})"
        )
        connection.exec_driver_sql(sql, rows)


def drop_secondary_indexes(session: Session, tables: Sequence[str], keep: Sequence[str] = ()) -> list[str]:
    """On SQLite, drop the secondary indexes of ``tables`` but those named in ``keep``; return the
    statements that build them again.

    For a large import, building an index once at the end (over sorted keys) is cheaper than
    keeping it through hundreds of thousands of random inserts: about a third of a 300,000-row
    import's writes. An index whose keys arrive in order costs less to keep (the caller knows
    which). Both the drop and the rebuild belong to the caller's transaction, so a failed
    import's rollback restores the indexes as they were, and readers of the store keep seeing
    them throughout (or wait for the commit: :func:`rollback_journal`). Primary keys and unique
    constraints stay and are checked on every row.
    Other databases keep their indexes (an empty list).
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return []
    marks = ", ".join("?" * len(tables))
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master "  # noqa: S608 - markers only
        f"WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY name",
        tuple(tables),
    ).all()
    quote = connection.dialect.identifier_preparer.quote
    dropped = [(name, sql) for name, sql in indexes if name not in keep]
    for name, _sql in dropped:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    return [sql for _name, sql in dropped]


def create_indexes(session: Session, statements: Sequence[str]) -> None:
    """Run the statements :func:`drop_secondary_indexes` returned.

    (SQLite's sorter threads, ``PRAGMA threads``, were measured here: building the indexes of a
    300,000-row import took as long with two or four as with none.)
    """
    connection = session.connection()
    for sql in statements:
        connection.exec_driver_sql(sql)


@contextmanager
def flushed_meanwhile(session: Session, wanted: bool = True) -> Iterator[None]:
    """On SQLite, while the block runs, a thread has the operating system write what was written
    to the store's file so far to the disk.

    A large import's commit waits for its pages to reach the disk (``synchronous``): for a
    300,000-row import, 250 MB, of which most were written before its indexes are built. Flushing
    them while the indexes are built takes about 0.07 s off the commit. It changes nothing about
    what the commit guarantees (the journal still decides what a crash leaves); where the flush
    cannot be made, the commit's own sync does it all.
    """
    connection = session.connection()
    path = None
    if wanted and connection.dialect.name == "sqlite":
        for _seq, name, file in connection.exec_driver_sql("PRAGMA database_list"):
            if name == "main" and file:
                path = file
    if path is None:
        yield
        return
    thread = threading.Thread(target=_flush, args=(path,), name="astara-store-flush", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _flush(path: str) -> None:
    """Write ``path``'s data still in the operating system's cache to the disk (best effort)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        getattr(os, "fdatasync", os.fsync)(fd)
    except OSError:  # (e.g. a system that syncs only files opened for writing)
        pass
    finally:
        os.close(fd)


def unchecked_references(session: Session) -> bool:
    """On SQLite, stop checking foreign keys on this connection until it goes back to the pool
    (:mod:`astara.db.engine` turns them on again). Returns whether they are off.

    For an import's bulk writes only: every reference of its rows is one the import made or
    looked up itself (the agency and user acting, its own job, the events of the same batch), and
    ``tests/imports/test_import_references.py`` checks a large import's store with SQLite's own
    ``PRAGMA foreign_key_check``. Checking costs a look-up per reference: about a quarter of a
    second of a 300,000-row import, most of it an item's look-up of its event. SQLite ignores the
    switch inside a transaction: then the checks stay on, and this returns False.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        return False  # a transaction is open: the switch did nothing
    connection.connection.info[REFERENCES_UNCHECKED] = True
    return True


def bulk_update(
    session: Session,
    table: Table,
    columns: Sequence[str],
    keys: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """``UPDATE table SET columns WHERE keys``, one driver-level executemany.

    Each row holds the new ``columns`` values followed by the ``keys`` values, as Python values.
    """
    if not rows:
        return
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(c)} = {marker}' for c in columns)} "  # noqa: S608 - names come from the ORM table, quoted
        f"WHERE {' AND '.join(f'{quote(k)} = {marker}' for k in keys)}"
    )
    adapters = column_adapters(table, [*columns, *keys], connection.dialect.name)
    active = [(i, a) for i, a in enumerate(adapters) if a is not None]
    adapted = []
    for row in rows:
        values = list(row)
        for i, adapt in active:
            values[i] = None if values[i] is None else adapt(values[i])
        adapted.append(tuple(values))
    connection.exec_driver_sql(sql, adapted)


def rollback_journal(session: Session) -> bool:
    """On SQLite, when no other connection has the store open, write through a rollback journal
    instead of the write-ahead log until this connection goes back to the pool (then it returns
    to WAL: :mod:`astara.db.engine`). Returns whether it switched.

    For a large import into a store of its own (``astara import``), this writes each new page
    once, into the database file, instead of into the log and again at the checkpoint that
    follows the commit: about 0.7 s of a 300,000-row import. The commit stays atomic (the journal
    keeps the pages the import overwrites; after a crash, the next connection rolls them back),
    with ``synchronous=FULL`` meanwhile. The price: a reader that starts during the import waits
    for its commit instead of reading the state before it. Any other open connection (a running
    server) refuses the switch, and the import writes through the log as usual.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    try:
        mode = connection.exec_driver_sql("PRAGMA journal_mode=DELETE").scalar()
    except OperationalError:  # another connection has the store open, or a write has begun
        return False
    if mode != "delete":  # (an in-memory store keeps its own)
        return False
    connection.connection.info[ROLLBACK_JOURNAL] = True
    connection.exec_driver_sql("PRAGMA synchronous=FULL")
    return True


@contextmanager
def large_write_cache(session: Session, kib: int = 32768) -> Iterator[None]:
    """On SQLite, give this connection a larger page cache while a big import writes, then restore it.

    The events' primary-key index and the secondary indexes take random inserts; with SQLite's
    default 2 MB cache their pages keep being spilled and re-read. 32 MB holds them for a
    300,000-row import (about 10 % off the inserts) at a bounded memory cost.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


ANALYSIS_ROWS = 2000  # index entries SQLite's ANALYZE reads per index (a sample: a full scan is not needed)


def refresh_statistics(session: Session) -> None:
    """Let the query planner see the new table sizes (cheap; keeps id lookups on the primary key).

    On SQLite the statistics are sampled, and the sample misleads about the agency: the first
    entries of an index on (agency_id, ...) all belong to one agency, so the planner took
    ``agency_id = ?`` for a condition that keeps a few thousand rows of a store where it keeps
    them all. It then walked such an index for every question (0.14 s instead of 0.06 s for a
    month-by-month count of 270,000 events). So the estimate of rows per agency in each of those
    indexes is set to the rows over the agencies holding rows of the table, and the planner
    reloads the statistics.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(text("ANALYZE seizure_events"))
        connection.execute(text("ANALYZE seizure_items"))
        return
    connection.exec_driver_sql(f"PRAGMA analysis_limit={int(ANALYSIS_ROWS)}")
    connection.exec_driver_sql("ANALYZE")
    quote = connection.dialect.identifier_preparer.quote
    stats = connection.exec_driver_sql("SELECT tbl, idx, stat FROM sqlite_stat1 WHERE idx IS NOT NULL").all()
    agencies: dict[str, int] = {}
    for table, index, stat in stats:
        first = connection.exec_driver_sql(f"PRAGMA index_info({quote(index)})").first()
        figures = str(stat).split()
        if first is None or first[2] != "agency_id" or len(figures) < 2:
            continue
        if table not in agencies:
            agencies[table] = _agencies_holding(session, quote(table))
        figures[1] = str(max(1, int(figures[0]) // max(1, agencies[table])))
        connection.exec_driver_sql(
            "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND idx = ?", (" ".join(figures), table, index)
        )
    connection.exec_driver_sql("ANALYZE sqlite_master")  # (the planner reads the statistics again)


def _agencies_holding(session: Session, table: str) -> int:
    """How many agencies hold rows of ``table`` (quoted): a seek in its agency index per agency."""
    connection = session.connection()
    count, last = 0, -(2**63)
    while True:
        found = connection.exec_driver_sql(
            f"SELECT agency_id FROM {table} WHERE agency_id > ? ORDER BY agency_id LIMIT 1",  # noqa: S608 - a quoted table name
            (last,),
        ).first()
        if found is None:
            return count
        count, last = count + 1, found[0]
