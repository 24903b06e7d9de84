"""Fast bulk inserts for import jobs: driver-level ``executemany`` (SQLite) or COPY (PostgreSQL).

SQLAlchemy's Core insert processes every bound value of every row in Python; for a 300,000-row
import that costs more than the database itself. Here values are adapted once per column kind
for the dialect in use (SQLite: ISO text and JSON text; PostgreSQL: native dates, JSON wrapper)
and handed to the driver as tuples. :mod:`astara.imports.records` builds the import's rows with
these adapters (as plain data: :mod:`astara.db.rowsets`), applying them once to the values every
row shares. The settings around such writes (journal, indexes, statistics...) are the steps of
:func:`astara.db.bulk_load.bulk_load`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import JSON, Boolean, Date, DateTime, Table
from sqlalchemy.orm import Session

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


def adapted_rows(
    table: Table, columns: Sequence[str], dialect: str, rows: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """Rows of Python values for ``columns``, adapted to what ``dialect``'s driver stores (None: NULL)."""
    active = [(i, a) for i, a in enumerate(column_adapters(table, columns, dialect)) if a is not None]
    adapted = []
    for row in rows:
        values = list(row)
        for i, adapt in active:
            values[i] = None if values[i] is None else adapt(values[i])
        adapted.append(tuple(values))
    return adapted


def insert_values(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]], batch: int = 10_000
) -> None:
    """Insert rows of Python values for ``columns`` of ``table``, adapted and run ``batch`` at a time."""
    sql = insert_sql(session, table, columns)
    dialect = session.connection().dialect.name
    for start in range(0, len(rows), batch):
        insert_adapted(session, sql, adapted_rows(table, columns, dialect, rows[start : start + batch]))


def insert_groups(session: Session, table: Table, groups: Sequence[Rows]) -> None:
    """Insert each group of rows (adapted values; see :class:`astara.db.rowsets.Rows`).

    SQLite: one ``executemany`` a group. Values every row of a group shares are written into the
    statement as literals rather than bound row after row (and a bulk load binds ``None`` as
    quickly as a number: :mod:`astara.db.bulk_load`). PostgreSQL
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
    connection.exec_driver_sql(sql, adapted_rows(table, [*columns, *keys], connection.dialect.name, rows))
