"""The DuckDB engine for statistics: the same SQL, run on a columnar snapshot of the embedded store.

For whole-store questions over a million items SQLite scans row by row; DuckDB answers the same
grouped query from Parquet snapshots of the two tables in tens of milliseconds. The query is the
one :mod:`astara.analysis.repository` builds (agency scoping included), compiled to PostgreSQL SQL,
which DuckDB reads (with integer division, as in PostgreSQL and SQLite). The snapshot is taken from
the committed data of the SQLite file and rebuilt when the file (or its write-ahead log) changes:
it lives beside the database (``<db>.analytics/``) so that the next command reuses it. Writes of
the current, uncommitted transaction are not in it.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from astara.db.models import SeizureEvent, SeizureItem
from astara.errors import InvalidInput

# Columns no statistic groups or filters by: left out of the snapshot.
_SKIP = frozenset(
    {"notes", "source_rows", "quality_flags", "conveyance_ids", "participating_agencies", "kg_method",
     "drug_text", "unit_text", "quantity", "purity", "unit_code", "kg_exact", "legal_basis", "source_ref",
     "cover_cargo", "concealment_text", "transport_text", "place_type_text", "date_text", "content_hash",
     "source_file"}
)  # fmt: skip
_lock = threading.Lock()


def database_file(session: Session) -> Path:
    """The SQLite file behind the session, or an error for any other store."""
    url = session.get_bind().engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise InvalidInput("the duckdb engine reads the embedded SQLite store only; use the sql engine")
    return Path(url.database)


def _fingerprint(db: Path) -> str:
    parts = []
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists():
            stat = path.stat()
            parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _columns(table: Any) -> list[str]:
    return [c.name for c in table.columns if c.name not in _SKIP]


def _write(db: Path, target: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for name, table in (
            ("seizure_events", SeizureEvent.__table__),
            ("seizure_items", SeizureItem.__table__),
        ):
            columns = _columns(table)
            cursor = conn.execute(f"SELECT {', '.join(columns)} FROM {name}")  # noqa: S608 - names from our models
            values = list(zip(*cursor.fetchall(), strict=True)) or [() for _ in columns]
            data = {c: pa.array(v) for c, v in zip(columns, values, strict=True)}
            if "date" in data:  # ISO text in SQLite, a date in the snapshot
                data["date"] = data["date"].cast(pa.date32())
            pq.write_table(pa.table(data), target / f"{name}.parquet")
    finally:
        conn.close()


def snapshot(db: Path) -> Path:
    """The folder of Parquet snapshots for the file as it is now committed (built when missing)."""
    home = db.with_name(db.name + ".analytics")
    folder = home / _fingerprint(db)
    with _lock:
        if not (folder / "seizure_items.parquet").exists():
            building = home / f"building-{folder.name}"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir(parents=True)
            _write(db, building)
            for old in home.iterdir():
                if old != building:
                    shutil.rmtree(old, ignore_errors=True)
            building.rename(folder)
    return folder


def execute(session: Session, stmt: Select[Any]) -> list[tuple[Any, ...]]:
    """Run ``stmt`` on DuckDB over the snapshot of the session's SQLite file."""
    import duckdb

    folder = snapshot(database_file(session))
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it unannotated
    sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    conn = duckdb.connect()
    try:
        conn.execute("SET integer_division = true")
        for name in ("seizure_events", "seizure_items"):
            conn.read_parquet(str(folder / f"{name}.parquet")).create_view(name)
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()
