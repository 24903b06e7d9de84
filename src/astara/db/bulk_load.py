"""One seam for loading many rows at once: :func:`bulk_load` and the steps it takes.

An import writes hundreds of thousands of rows in one transaction. What makes that fast on
SQLite is a set of settings and tricks, each worth a fraction of a second on the IDS file and
each pinned by a test that compares the store with the plain path's. They are the steps below,
in the order they run; each says in its docstring why it exists. A step that does not apply (to
the dialect, or to a load this small, or to a dry run) is skipped and named in
:attr:`BulkLoad.skipped`; PostgreSQL, which takes the rows through COPY (:mod:`astara.db.bulk`),
goes through the same seam and takes only the steps marked for it.

    with bulk_load(session, plan) as load:   # the start steps: before the first write
        ...write a batch...; load.batch_written()
        load.finish()                        # what was set aside is made whole again
    # on leaving a finished load: planner statistics; on leaving any load: settings restored

What a step changes on the connection outlives neither the transaction nor the connection's
return to the pool (:func:`astara.db.engine._restore`). What it sets aside (indexes, the text
index's triggers) comes back with the rollback when the load fails.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from astara.db import textsearch
from astara.db.engine import REFERENCES_UNCHECKED, ROLLBACK_JOURNAL

SQLITE, POSTGRESQL = "sqlite", "postgresql"
PAGE_CACHE_KIB = 32768  # SQLite's page cache while a load writes (its default is 2 MB)
GC_THRESHOLDS = (50_000, 20, 100)  # the cyclic collector's thresholds while a load runs
ANALYSIS_ROWS = 2000  # index entries SQLite's ANALYZE reads per index (a sample: a full scan is not needed)


@dataclass(frozen=True)
class Plan:
    """What a load is about to write, which decides the steps it takes."""

    tables: tuple[str, ...]  # the tables it fills (their secondary indexes may be set aside)
    rows: int  # about how many rows it brings (an estimate is enough)
    large_from: int  # from this many rows, the steps that only pay at scale are taken
    keep_indexes: tuple[str, ...] = ()  # indexes kept up to date although the others are set aside
    hold_store: bool = False  # the caller may keep other readers waiting until the commit
    writes: bool = True  # False: a dry run, which writes no rows

    @property
    def large(self) -> bool:
        return self.writes and self.rows >= self.large_from


@dataclass
class BulkLoad:
    """A load under way: the steps taken and skipped, and what the end has to make whole again."""

    session: Session
    plan: Plan
    dialect: str
    taken: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rebuild: list[str] = field(default_factory=list)  # statements building the set-aside indexes
    text_index_after: int | None = None  # rowid after which events are not yet in the text index
    wrote: bool = False  # a batch of rows was written
    finished: bool = False
    undo: ExitStack = field(default_factory=ExitStack)

    def batch_written(self) -> None:
        """Call after each batch written: the text index takes the batch's events."""
        self.wrote = True
        if self.text_index_after is not None:
            self.text_index_after = textsearch.index_after(self.session.connection(), self.text_index_after)

    def finish(self) -> None:
        """The rows are all written and are to be kept: make whole what the start set aside."""
        _take(self, FINISH)
        self.finished = True


@dataclass(frozen=True)
class Step:
    """One named step: the dialects it is for, and the function that takes it (False: does not apply)."""

    name: str
    dialects: tuple[str, ...]
    run: Callable[[BulkLoad], bool]

    @property
    def why(self) -> str:
        """The first sentence of the function's docstring."""
        return (self.run.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ").split(". ")[0].rstrip(".")


def _take(load: BulkLoad, steps: tuple[Step, ...]) -> None:
    for step in steps:
        if load.dialect in step.dialects and step.run(load):
            load.taken.append(step.name)
        else:
            load.skipped.append(step.name)


@contextmanager
def bulk_load(session: Session, plan: Plan) -> Iterator[BulkLoad]:
    """Take the start steps (before the load's first write), yield the load; on leaving it, take the
    end steps if :meth:`BulkLoad.finish` was called and the block raised nothing, and undo the
    settings the start changed, whatever happened."""
    load = BulkLoad(session, plan, session.connection().dialect.name)
    with load.undo:
        _take(load, START)
        yield load
        if load.finished:
            _take(load, END)


# The steps, in the order they run. ---------------------------------------------------------


def rollback_journal(session: Session) -> bool:
    """Write each new page once, into the store's file, instead of into the write-ahead log and
    again at the checkpoint after the commit.

    On SQLite, when no other connection has the store open: a rollback journal until this
    connection goes back to the pool (then the WAL again: :mod:`astara.db.engine`). The commit
    stays atomic (the journal keeps the pages the load overwrites; after a crash the next
    connection rolls them back), with ``synchronous=FULL`` meanwhile. The price: a reader that
    starts during the load waits for its commit. Any other open connection (a running server)
    refuses the switch, and the load writes through the log as usual. Returns whether it switched.
    """
    connection = session.connection()
    if connection.dialect.name != SQLITE:
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


def _rollback_journal(load: BulkLoad) -> bool:
    """Write each page once, for a large load whose caller may hold the store (:func:`rollback_journal`)."""
    return load.plan.large and load.plan.hold_store and rollback_journal(load.session)


def unchecked_references(session: Session) -> bool:
    """Skip SQLite's foreign-key look-ups: every reference a load writes is one it made or looked up.

    Until this connection goes back to the pool (:mod:`astara.db.engine` turns them on again).
    ``tests/imports/test_import_references.py`` checks a large import's store with SQLite's own
    ``PRAGMA foreign_key_check``. SQLite ignores the switch inside a transaction: then the checks
    stay on, and this returns False.
    """
    connection = session.connection()
    if connection.dialect.name != SQLITE:
        return False
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        return False  # a transaction is open: the switch did nothing
    connection.connection.info[REFERENCES_UNCHECKED] = True
    return True


def _unchecked_references(load: BulkLoad) -> bool:
    """Skip foreign-key look-ups (:func:`unchecked_references`), for a large load."""
    return load.plan.large and unchecked_references(load.session)


_NO_VALUES: dict[object, None] = {}  # its .get: a C function that answers None for any key


def _null_adapter(load: BulkLoad) -> bool:
    """Bind None as quickly as a number: Python's sqlite3 otherwise looks for an adapter of None
    and fails twice, for every NULL of every row.

    The registration is the process's and stays (it changes no stored value: the adapter answers
    None, which is bound as NULL); registering it again changes nothing.
    """
    if load.plan.writes:
        sqlite3.register_adapter(type(None), _NO_VALUES.get)
    return load.plan.writes


def _transaction_begun(load: BulkLoad) -> bool:
    """Begin SQLite's transaction now, for a large load, after the switches SQLite takes only
    outside one: a rollback then undoes what the steps after this one set aside.

    (Python's sqlite3 begins one only before an INSERT, UPDATE or DELETE: a DROP INDEX before the
    load's first row would be committed at once.) ``IMMEDIATE``: the write lock at once (waiting
    for another writer as long as the busy timeout allows), so that no read snapshot taken first
    can go stale before the first write.
    """
    driver = load.session.connection().connection.driver_connection
    if not load.plan.large or driver is None or driver.in_transaction:
        return False
    load.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    return True


def _page_cache(load: BulkLoad) -> bool:
    """Hold the indexes' pages in memory: with SQLite's default 2 MB cache the random inserts into
    the primary key and the kept indexes spill and re-read their pages.

    32 MB for this connection while the load runs, then its size before.
    """
    if not load.plan.writes:
        return False
    connection = load.session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{int(PAGE_CACHE_KIB)}")
    load.undo.callback(connection.exec_driver_sql, f"PRAGMA cache_size={int(before or -2000)}")
    return True


def _set_indexes_aside(load: BulkLoad) -> bool:
    """Build the secondary indexes once at the end, over sorted keys, rather than keep them through
    hundreds of thousands of random inserts.

    Only for a large load at least as large as what the tables hold (the indexes are shared),
    and not the indexes in ``plan.keep_indexes``: kept up to date while the rows are still being
    prepared, they cost no time at the end (their caller says why each pays). The drop belongs
    to the transaction: a failed load's rollback restores the indexes, and readers keep seeing
    them (or wait for the commit: :func:`rollback_journal`). Primary keys and unique constraints
    stay and are checked on every row.
    """
    plan, connection = load.plan, load.session.connection()
    if not plan.large:
        return False
    quote = connection.dialect.identifier_preparer.quote
    held = connection.exec_driver_sql(f"SELECT count(*) FROM {quote(plan.tables[0])}").scalar() or 0  # noqa: S608 - a quoted table name
    if plan.rows < held:
        return False
    marks = ", ".join("?" * len(plan.tables))
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master "  # noqa: S608 - markers only
        f"WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY name",
        plan.tables,
    ).all()
    for name, sql in indexes:
        if name not in plan.keep_indexes:
            connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
            load.rebuild.append(sql)
    return bool(load.rebuild)


def _text_index_by_batch(load: BulkLoad) -> bool:
    """Index each batch's events for the text search in one statement after the batch, rather than
    row by row through the triggers (each row then writes an index segment of its own).

    With the other indexes set aside. The batches' statements run while the rows after them are
    being prepared, and only the new events are indexed (a rebuild would read every event); the
    triggers come back at the end (:func:`_text_index_whole`).
    """
    if not load.rebuild or textsearch.TABLE not in load.plan.tables:
        return False
    connection = load.session.connection()
    load.text_index_after = textsearch.last_rowid(connection)
    return textsearch.suspend(connection)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _gc_thresholds(load: BulkLoad) -> bool:
    """Run Python's cyclic garbage collector rarely: a load keeps hundreds of thousands of small
    objects alive, which the default thresholds re-walk again and again, and makes no cycles.

    The thresholds as before when the load ends.
    """
    load.undo.enter_context(_fewer_collections())
    return True


START = (
    Step("rollback_journal", (SQLITE,), _rollback_journal),
    Step("unchecked_references", (SQLITE,), _unchecked_references),
    Step("transaction_begun", (SQLITE,), _transaction_begun),
    Step("null_adapter", (SQLITE,), _null_adapter),
    Step("page_cache", (SQLITE,), _page_cache),
    Step("set_indexes_aside", (SQLITE,), _set_indexes_aside),
    Step("text_index_by_batch", (SQLITE,), _text_index_by_batch),
    Step("gc_thresholds", (SQLITE, POSTGRESQL), _gc_thresholds),
)


def _database_file(load: BulkLoad) -> str | None:
    for _seq, name, file in load.session.connection().exec_driver_sql("PRAGMA database_list"):
        if name == "main" and file:
            return str(file)
    return None


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


def _flush_meanwhile(load: BulkLoad) -> bool:
    """Have a thread write the rows to the disk while the indexes are built, so that the commit,
    which waits for its pages to reach the disk, finds most of them there.

    It changes nothing about what the commit guarantees (the journal decides what a crash
    leaves); where the flush cannot be made, the commit's own sync does it all.
    """
    path = _database_file(load) if load.rebuild else None
    if path is None:
        return False
    thread = threading.Thread(target=_flush, args=(path,), name="astara-store-flush", daemon=True)
    thread.start()
    load.undo.callback(thread.join)
    return True


def _rebuild_indexes(load: BulkLoad) -> bool:
    """Build the indexes set aside at the start, now that every row is in (before the statistics)."""
    connection = load.session.connection()
    for sql in load.rebuild:
        connection.exec_driver_sql(sql)
    return bool(load.rebuild)


def _text_index_whole(load: BulkLoad) -> bool:
    """Keep the text index row by row again: every event of the load is in it (by batch, so far)."""
    if load.text_index_after is None:
        return False
    textsearch.restore_triggers(load.session.connection())
    load.text_index_after = None
    return True


FINISH = (
    Step("flush_meanwhile", (SQLITE,), _flush_meanwhile),
    Step("rebuild_indexes", (SQLITE,), _rebuild_indexes),
    Step("text_index_whole", (SQLITE,), _text_index_whole),
)


def refresh_statistics(session: Session) -> None:
    """Let the query planner see the new table sizes (cheap; keeps id look-ups on the primary key).

    On SQLite the statistics are sampled, and the sample misleads about the agency: the first
    entries of an index on (agency_id, ...) all belong to one agency, so the planner took
    ``agency_id = ?`` for a condition that keeps a few thousand rows of a store where it keeps
    them all, and walked such an index for every question. So the estimate of rows per agency in
    each of those indexes is set to the rows over the agencies holding rows of the table, and the
    planner reloads the statistics.
    """
    connection = session.connection()
    if connection.dialect.name != SQLITE:
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


def _planner_statistics(load: BulkLoad) -> bool:
    """Tell the query planner the tables' new sizes and how rows spread over agencies, once the
    rows are in and the indexes built (:func:`refresh_statistics`)."""
    if not load.wrote:
        return False
    refresh_statistics(load.session)
    return True


END = (Step("planner_statistics", (SQLITE, POSTGRESQL), _planner_statistics),)

STEPS = START + FINISH + END
