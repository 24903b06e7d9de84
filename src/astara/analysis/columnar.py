"""The DuckDB engine for statistics: the same SQL, run on a columnar snapshot of the embedded store.

For whole-store questions over a million items SQLite scans row by row; DuckDB answers the same
grouped query from Parquet snapshots of the two tables in tens of milliseconds. The query is the
one :mod:`astara.analysis.repository` builds (agency scoping included), compiled to PostgreSQL SQL,
which DuckDB reads (with integer division, as in PostgreSQL and SQLite).

The snapshot lives beside the database (``<db>.analytics/``) so that the next command reuses it,
in parts: an agency's events of one import job, or those not imported, each part one Parquet file
of events and one of their items. ``snapshot_parts`` counts each part's changes
(:mod:`astara.db.snapshot_log`); the snapshot's ``manifest.json`` keeps the counts its files were
written at, so a query first re-exports the parts whose count moved (an import: its own new part)
and nothing else. A part is read from the committed data in batches and written as it is read, so
memory stays bounded whatever the store's size. Writes of the current, uncommitted transaction are
not in it. Files a newer manifest no longer names are deleted after :data:`GRACE` seconds, so
another process's query still reading them finishes first.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Select, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from astara.db.models import SeizureEvent, SeizureItem
from astara.errors import InvalidInput
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa
else:
    duckdb = deferred("duckdb", "heavy: loaded when a query first runs on the snapshot")
    pa = deferred("pyarrow", "heavy: loaded when a snapshot is first written")

# Columns no statistic groups or filters by: left out of the snapshot.
_SKIP = frozenset(
    {"notes", "source_rows", "quality_flags", "conveyance_ids", "participating_agencies", "kg_method",
     "drug_text", "unit_text", "quantity", "purity", "unit_code", "kg_exact", "legal_basis", "source_ref",
     "cover_cargo", "concealment_text", "transport_text", "place_type_text", "date_text", "content_hash",
     "source_file"}
)  # fmt: skip
TABLES: dict[str, Table] = {
    "seizure_events": SeizureEvent.__table__,  # type: ignore[dict-item]  # (a Table at run time)
    "seizure_items": SeizureItem.__table__,  # type: ignore[dict-item]
}
FORMAT = 2  # of manifest.json; another (or none) means a whole new snapshot
BATCH = 65_536  # rows read and written at a time
GRACE = 600.0  # seconds a file no longer named stays for queries that were reading it
_lock = threading.Lock()


def database_file(session: Session) -> Path:
    """The SQLite file behind the session, or an error for any other store."""
    url = session.get_bind().engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise InvalidInput("the duckdb engine reads the embedded SQLite store only; use the sql engine")
    return Path(url.database)


def _columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name not in _SKIP]


def _schema(table: Table) -> Any:
    """The snapshot's Arrow types: dates as dates, numbers as numbers, the rest as SQLite's text."""
    fields = []
    for name in _columns(table):
        kind = table.c[name].type
        if isinstance(kind, Boolean | Integer):
            arrow = pa.int64()
        elif isinstance(kind, Float):
            arrow = pa.float64()
        elif isinstance(kind, Date) and not isinstance(kind, DateTime):
            arrow = pa.date32()
        else:  # text, JSON and times: as SQLite stores them
            arrow = pa.string()
        fields.append(pa.field(name, arrow))
    return pa.schema(fields)


def _part_sql(name: str, key: tuple[int, str]) -> tuple[str, tuple[Any, ...]]:
    """A part's rows of table ``name``: its events, or the items of its events."""
    columns = _columns(TABLES[name])
    # (the index on (agency, import job) finds a part: IS NULL for events not imported)
    where = "e.agency_id = ? AND " + ("e.import_job_id IS NULL" if key[1] == "" else "e.import_job_id = ?")
    params: tuple[Any, ...] = (key[0],) if key[1] == "" else key
    if name == "seizure_events":
        return f"SELECT {', '.join(columns)} FROM seizure_events e WHERE {where}", params  # noqa: S608 - names from our models
    picked = ", ".join(f"i.{c}" for c in columns)
    # CROSS JOIN: SQLite keeps this order, the part's events first, then their items by event
    # (otherwise it may walk every item and look its event up).
    joined = "seizure_events e CROSS JOIN seizure_items i ON i.event_id = e.id"
    return f"SELECT {picked} FROM {joined} WHERE {where}", params  # noqa: S608 - names from our models


def _write_rows(cursor: sqlite3.Cursor, schema: Any, target: Path) -> int:
    """Write what ``cursor`` reads to ``target`` batch by batch; the number of rows."""
    import pyarrow.parquet as pq  # deferred: deferred() of a submodule would load pyarrow at once

    count = 0
    dates = [i for i, f in enumerate(schema) if f.type == pa.date32()]
    read_as = pa.schema([pa.field(f.name, pa.string()) if i in dates else f for i, f in enumerate(schema)])
    with pq.ParquetWriter(target, schema) as writer:
        while rows := cursor.fetchmany(BATCH):
            count += len(rows)
            columns = list(zip(*rows, strict=True))
            arrays = [pa.array(values, type=f.type) for values, f in zip(columns, read_as, strict=True)]
            for i in dates:  # ISO text in SQLite, a date in the snapshot
                arrays[i] = arrays[i].cast(pa.date32())
            writer.write_batch(pa.record_batch(arrays, schema=schema))
    return count


def _part_file(name: str, key: tuple[int, str]) -> str:
    job = hashlib.sha256(key[1].encode()).hexdigest()[:12] if key[1] else "none"
    return f"{name}-{key[0]}-{job}-{uuid.uuid4().hex[:8]}.parquet"


def _export(conn: sqlite3.Connection, home: Path, key: tuple[int, str]) -> dict[str, Any] | None:
    """Write one part's two files; None for a part without events."""
    files: dict[str, Any] = {}
    for name in TABLES:
        file = _part_file(name, key)
        sql, params = _part_sql(name, key)
        rows = _write_rows(conn.execute(sql, params), _schema(TABLES[name]), home / file)
        if name == "seizure_events" and rows == 0:
            (home / file).unlink()
            return None
        files[name] = file
        files[f"{name}_rows"] = rows
    return files


def _empty_files(home: Path) -> dict[str, str]:
    """A file of no rows per table: DuckDB's view has its columns when no part has rows."""
    import pyarrow.parquet as pq  # deferred: deferred() of a submodule would load pyarrow at once

    out = {}
    for name, table in TABLES.items():
        schema = _schema(table)
        file = f"{name}-empty.parquet"
        pq.write_table(schema.empty_table(), home / file)
        out[name] = file
    return out


def _changes(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        f"{a}/{j}": n for a, j, n in conn.execute("SELECT agency_id, import_job, changes FROM snapshot_parts")
    }


def _key(text: str) -> tuple[int, str]:
    agency, _, job = text.partition("/")
    return int(agency), job


def _read_manifest(home: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((home / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == FORMAT else None


def _write_manifest(home: Path, manifest: dict[str, Any]) -> None:
    staged = home / "manifest.json.new"
    staged.write_text(json.dumps(manifest, sort_keys=True))
    os.replace(staged, home / "manifest.json")


def _build(conn: sqlite3.Connection, home: Path, counted: dict[str, int]) -> dict[str, Any]:
    """A whole new snapshot (no usable manifest): every part there is."""
    for old in home.iterdir():
        if old.name != ".lock":
            _remove(old)
    keys = conn.execute(
        "SELECT DISTINCT agency_id, coalesce(import_job_id, '') FROM seizure_events"
    ).fetchall()
    parts = {}
    for agency, job in keys:
        files = _export(conn, home, (agency, job))
        if files is not None:
            parts[f"{agency}/{job}"] = {"changes": counted.get(f"{agency}/{job}", 0), **files}
    return {"format": FORMAT, "empty": _empty_files(home), "parts": parts, "retired": []}


def _refresh(conn: sqlite3.Connection, home: Path, manifest: dict[str, Any], counted: dict[str, int]) -> bool:
    """Re-export the parts whose change count moved; True when something was."""
    parts: dict[str, Any] = manifest["parts"]
    moved = [k for k, n in counted.items() if parts.get(k, {}).get("changes", 0) != n]
    moved += [k for k, part in parts.items() if k not in counted and part["changes"] != 0]
    if not moved:
        return False
    now = time.time()
    for key in moved:
        old = parts.pop(key, None)
        if old is not None:
            manifest["retired"] += [[old[name], now] for name in TABLES]
        files = _export(conn, home, _key(key))
        if files is not None:
            parts[key] = {"changes": counted.get(key, 0), **files}
    return True


def _remove(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            _remove(child)
        path.rmdir()
    else:
        path.unlink(missing_ok=True)


def _sweep(home: Path, manifest: dict[str, Any]) -> bool:
    """Delete the retired files past their grace; True when the manifest changed."""
    now, kept = time.time(), []
    for name, retired_at in manifest["retired"]:
        if now - retired_at >= GRACE:
            (home / name).unlink(missing_ok=True)
        else:
            kept.append([name, retired_at])
    changed = len(kept) != len(manifest["retired"])
    manifest["retired"] = kept
    return changed


@contextmanager
def _exclusive(home: Path) -> Iterator[None]:
    """One thread of one process checks or updates the snapshot at a time."""
    with _lock, open(home / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def snapshot(db: Path) -> dict[str, list[Path]]:
    """The Parquet files of each table as the store is now committed (made or refreshed first)."""
    home = db.with_name(db.name + ".analytics")
    home.mkdir(exist_ok=True)
    with _exclusive(home):
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            conn.execute("BEGIN")  # one read transaction: the counts and the rows of one commit
            counted = _changes(conn)
            manifest = _read_manifest(home)
            if manifest is None:
                manifest = _build(conn, home, counted)
                changed = True
            else:
                changed = _refresh(conn, home, manifest, counted)
            if _sweep(home, manifest) or changed:
                _write_manifest(home, manifest)
        finally:
            conn.close()
    return {
        name: [home / manifest["empty"][name]] + [home / part[name] for part in manifest["parts"].values()]
        for name in TABLES
    }


def execute(session: Session, stmt: Select[Any]) -> list[tuple[Any, ...]]:
    """Run ``stmt`` on DuckDB over the snapshot of the session's SQLite file."""
    files = snapshot(database_file(session))
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it unannotated
    sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    conn = duckdb.connect()
    try:
        conn.execute("SET integer_division = true")
        for name, paths in files.items():
            conn.read_parquet([str(p) for p in paths]).create_view(name)
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()
