"""Fast bulk inserts for import jobs: one prepared statement, driver-level ``executemany``.

SQLAlchemy's Core insert processes every bound value of every row in Python; for a 300,000-row
import that costs more than the database itself. Here values are adapted once per column kind
for the dialect in use (SQLite: ISO text and JSON text; PostgreSQL: native dates, JSON wrapper)
and handed to the driver as tuples.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Table, text
from sqlalchemy.orm import Session

Adapter = Callable[[Any], Any]
EMPTY_JSON_LIST = "[]"


def _sqlite_json(value: Any) -> Any:
    if value is None:
        return None
    if value == []:
        return EMPTY_JSON_LIST
    if len(value) == 1 and type(value[0]) is int:  # source_rows of one row: the common case
        return f"[{value[0]}]"
    return json.dumps(value, ensure_ascii=False)


def _sqlite_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    return value.isoformat(sep=" ") if value is not None else None


def _sqlite_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _postgres_json(value: Any) -> Any:
    from psycopg.types.json import Json

    return None if value is None else Json(value)


def _adapters(table: Table, columns: Sequence[str], dialect: str) -> list[Adapter | None]:
    adapters: list[Adapter | None] = []
    for name in columns:
        kind = table.c[name].type
        if isinstance(kind, JSON):
            adapters.append(_sqlite_json if dialect == "sqlite" else _postgres_json)
        elif dialect != "sqlite":
            adapters.append(None)
        elif isinstance(kind, DateTime):
            adapters.append(_sqlite_datetime)
        elif isinstance(kind, Date):
            adapters.append(_sqlite_date)
        elif isinstance(kind, Boolean):
            adapters.append(_sqlite_bool)
        else:
            adapters.append(None)
    return adapters


def bulk_insert(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` within the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 - names come from the ORM table, quoted
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    adapters = _adapters(table, columns, dialect)
    active = [(i, a) for i, a in enumerate(adapters) if a is not None]
    if active:
        adapted = []
        for row in rows:
            values = list(row)
            for i, adapt in active:
                values[i] = adapt(values[i])
            adapted.append(values)
        rows = adapted
    connection.exec_driver_sql(sql, [tuple(r) for r in rows])


def refresh_statistics(session: Session) -> None:
    """Let the query planner see the new table sizes (cheap; keeps id lookups on the primary key)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA analysis_limit=2000"))  # sample; a full scan is not needed
        connection.execute(text("ANALYZE"))
    else:
        connection.execute(text("ANALYZE seizure_events"))
        connection.execute(text("ANALYZE seizure_items"))
