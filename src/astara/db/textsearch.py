"""The list's text search, indexed: SQLite FTS5 and PostgreSQL full-text over the events' text.

The searched columns are ``SEARCHED``. A search is the words typed: each must appear in an event
(as a word of any script, case folded), the last one also as the start of a word, so a word
being typed finds already. Words are what Python's ``[^\\W_]+`` finds; both databases split the
stored text the same way (SQLite's ``unicode61`` tokenizer; on PostgreSQL the punctuation is
turned into spaces before ``to_tsvector('simple', ...)``, so ``AZ-2016-001`` is three words
there too).

SQLite: ``seizure_events_fts`` is an FTS5 table over the events' own rows (external content,
joined on ``rowid``), kept by three triggers. A large import drops the triggers and indexes each
batch's new events in one statement (:func:`suspend`, :func:`index_after`,
:func:`restore_triggers`; :mod:`astara.db.bulk_load`). A
SQLite ``VACUUM`` or a migration that copies ``seizure_events`` may renumber its rowids: run
:func:`rebuild` after one. PostgreSQL: a GIN index on the same ``to_tsvector`` expression the
query uses. Any other engine (DuckDB over a snapshot) matches the words with ``ILIKE``.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, String, and_, bindparam, literal_column, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import Boolean

TABLE = "seizure_events"
FTS = "seizure_events_fts"
PG_INDEX = "ix_events_text_search"
SEARCHED = ("place_text", "reference", "notes", "admin_area")
WORD = re.compile(r"[^\W_]+")
_PUNCTUATION = "!\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~"  # (not %: the driver's placeholder mark)

_COLUMNS = ", ".join(SEARCHED)
_NEW = ", ".join(f"new.{c}" for c in SEARCHED)
_OLD = ", ".join(f"old.{c}" for c in SEARCHED)
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({_COLUMNS}, content='{TABLE}', "
    "content_rowid='rowid', tokenize='unicode61 remove_diacritics 0')"
)
SQLITE_TRIGGERS = (  # names and columns are this module's constants
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON {TABLE} BEGIN "  # noqa: S608
    f"INSERT INTO {FTS}(rowid, {_COLUMNS}) VALUES (new.rowid, {_NEW}); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON {TABLE} BEGIN "  # noqa: S608
    f"INSERT INTO {FTS}({FTS}, rowid, {_COLUMNS}) VALUES ('delete', old.rowid, {_OLD}); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF {_COLUMNS} ON {TABLE} BEGIN "  # noqa: S608
    f"INSERT INTO {FTS}({FTS}, rowid, {_COLUMNS}) VALUES ('delete', old.rowid, {_OLD}); "
    f"INSERT INTO {FTS}(rowid, {_COLUMNS}) VALUES (new.rowid, {_NEW}); END",
)
TRIGGER_NAMES = (f"{FTS}_insert", f"{FTS}_delete", f"{FTS}_update")


def _document(prefix: str = "") -> str:
    """The PostgreSQL text searched: the columns, punctuation turned into spaces (index = query)."""
    joined = " || ' ' || ".join(f"coalesce({prefix}{c}, '')" for c in SEARCHED)
    spaces = " " * len(_PUNCTUATION)
    punctuation = _PUNCTUATION.replace("'", "''")
    return f"to_tsvector('simple'::regconfig, translate({joined}, '{punctuation}', '{spaces}'))"


PG_CREATE = f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {TABLE} USING gin ({_document()})"


def install(connection: Connection) -> None:
    """Create the index of the text search (and, on SQLite, fill it from the events there are)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(SQLITE_TABLE)
        for sql in SQLITE_TRIGGERS:
            connection.exec_driver_sql(sql)
        rebuild(connection)
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(PG_CREATE)


def uninstall(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for name in TRIGGER_NAMES:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS}")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")


def rebuild(connection: Connection) -> None:
    """Index every event again (SQLite; PostgreSQL's index needs no help)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")  # noqa: S608 - constants


def suspend(connection: Connection) -> bool:
    """Stop keeping the index row by row (SQLite), for a bulk load that ends with :func:`resume`."""
    if connection.dialect.name != "sqlite":
        return False
    for name in TRIGGER_NAMES:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    return True


def resume(connection: Connection) -> None:
    """Keep the index again and index what was loaded meanwhile (one pass over the events)."""
    restore_triggers(connection)
    rebuild(connection)


def restore_triggers(connection: Connection) -> None:
    """Keep the index row by row again (SQLite), after :func:`suspend` and :func:`index_after`."""
    for sql in SQLITE_TRIGGERS:
        connection.exec_driver_sql(sql)


def last_rowid(connection: Connection) -> int:
    """The highest rowid of the events (SQLite): the events loaded after it are the new ones."""
    return int(connection.exec_driver_sql(f"SELECT coalesce(max(rowid), 0) FROM {TABLE}").scalar() or 0)  # noqa: S608 - a constant


def index_after(connection: Connection, rowid: int) -> int:
    """Index the events whose rowid is above ``rowid`` (SQLite, while :func:`suspend` ed: each new
    event once, in one statement); return the highest rowid now."""
    connection.exec_driver_sql(
        f"INSERT INTO {FTS}(rowid, {_COLUMNS}) SELECT rowid, {_COLUMNS} FROM {TABLE} WHERE rowid > ?",  # noqa: S608 - constants
        (rowid,),
    )
    return last_rowid(connection)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For Alembic's comparison: the index lives outside the models (an FTS table, an expression)."""
    return not (name and (name.startswith(FTS) or name == PG_INDEX))


def words(q: str | None) -> list[str]:
    return WORD.findall(q or "")


class TextMatch(ColumnElement[bool]):
    """Events whose searched text has every word of ``terms`` (the last one as a prefix)."""

    inherit_cache = False
    type = Boolean()
    _is_implicitly_boolean = True  # else SQLite's WHERE gets "... = 1", which no index serves

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms


def matches(q: str | None) -> ColumnElement[bool] | None:
    """The condition for the text ``q``, or None when it has no word to look for."""
    terms = words(q)
    return TextMatch(terms) if terms else None


@compiles(TextMatch, "sqlite")
def _sqlite(element: TextMatch, compiler: Any, **kw: Any) -> str:
    *first, last = element.terms
    query = " ".join([*(f'"{w}"' for w in first), f'"{last}"*'])
    bound = compiler.process(bindparam(None, query, type_=String()), **kw)
    return f"{TABLE}.rowid IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH {bound})"  # noqa: S608 - bound


@compiles(TextMatch, "postgresql")
def _postgresql(element: TextMatch, compiler: Any, **kw: Any) -> str:
    *first, last = element.terms
    query = " & ".join([*first, f"{last}:*"])
    bound = compiler.process(bindparam(None, query, type_=String()), **kw)
    return f"{_document(TABLE + '.')} @@ to_tsquery('simple'::regconfig, {bound})"


@compiles(TextMatch)
def _other(element: TextMatch, compiler: Any, **kw: Any) -> str:
    columns = [literal_column(f"{TABLE}.{c}", String()) for c in SEARCHED]
    each = [or_(*(c.ilike(f"%{w}%") for c in columns)) for w in element.terms]
    return str(compiler.process(and_(*each), **kw))
