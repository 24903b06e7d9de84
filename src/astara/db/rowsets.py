"""Driver rows as plain data: what both processes of an import share, with no SQLAlchemy in it.

An import's worker process (:mod:`astara.imports.worker`) builds rows for the database driver
without touching the database; importing SQLAlchemy and the models would cost it a quarter of a
second before its first batch. So the row shapes it needs cross over as plain data: each
table's :class:`TableLayout` (its columns, the adapter of each, which must always be named),
made from the ORM tables by :func:`astara.db.bulk.table_layout` in the importing process, and
the rows leave as :class:`Rows` that :func:`astara.db.bulk.insert_groups` writes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any, NamedTuple

Adapter = Callable[[Any], Any]
EMPTY_JSON_LIST = "[]"


def sqlite_json(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, list | tuple):  # an object: the fast paths below are for lists
        return json.dumps(value, ensure_ascii=False)
    if value == []:
        return EMPTY_JSON_LIST
    if len(value) == 1 and type(value[0]) is int:  # source_rows of one row: the common case
        return f"[{value[0]}]"
    if all(type(v) is str for v in value):  # quality flags: as json.dumps writes them, faster
        return "[" + ", ".join(map(encode_basestring, value)) + "]"
    return json.dumps(value, ensure_ascii=False)


def sqlite_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def sqlite_datetime(value: dt.datetime | None) -> str | None:
    return value.isoformat(sep=" ") if value is not None else None


def sqlite_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def postgres_json(value: Any) -> Any:
    from psycopg.types.json import Json  # deferred: the PostgreSQL driver, only on PostgreSQL

    return None if value is None else Json(value)


class TableLayout(NamedTuple):
    """One table's columns as the driver takes them: names, each one's adapter (None: stored as
    is), and whether it must be named even when NULL (it has a server default)."""

    columns: tuple[str, ...]
    adapters: tuple[Adapter | None, ...]
    always_bound: tuple[bool, ...]


class Rows(NamedTuple):
    """Rows for one INSERT: the columns each row gives, values every row shares, the rows.

    ``shared`` values are written into the statement (SQLite only), not bound for every row.
    """

    columns: tuple[str, ...]
    shared: tuple[tuple[str, Any], ...]
    rows: list[tuple[Any, ...]]


def with_values(groups: list[Rows], values: dict[str, Any]) -> list[Rows]:
    """``groups`` with ``values`` (by column name) in place of their own, shared or bound."""
    out = []
    for group in groups:
        shared = tuple((name, values.get(name, value)) for name, value in group.shared)
        at = [(i, values[name]) for i, name in enumerate(group.columns) if name in values]
        rows = group.rows
        if at:
            rows = []
            for row in group.rows:
                changed = list(row)
                for i, value in at:
                    changed[i] = value
                rows.append(tuple(changed))
        out.append(Rows(group.columns, shared, rows))
    return out


def as_rows(layout: TableLayout, rows: Sequence[Sequence[Any]]) -> list[Rows]:
    """``rows`` (one value per column of ``layout``) as one :class:`Rows` naming every column
    (none when there are no rows; see :func:`astara.db.bulk.insert_groups`)."""
    if not rows:
        return []
    return [Rows(tuple(layout.columns), (), [tuple(r) for r in rows])]


def sql_literal(value: Any) -> str | None:
    """``value`` as an SQLite literal, or None when it is better bound (bytes, text with NUL...)."""
    if value is None:
        return "NULL"
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    return None
