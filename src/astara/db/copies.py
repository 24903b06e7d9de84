"""Copying the store out and back: SQLite's online backup API, or PostgreSQL's pg_dump and psql.

A copy is consistent while the server writes: SQLite's backup API copies one snapshot, and on
PostgreSQL the row counts of the manifest and pg_dump read the same exported snapshot.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL, make_url

from astara.errors import InvalidInput, StoreError

SQLITE_MEMBER = "store/astara.sqlite3"
PG_MEMBER = "store/astara.pgdump"


def dialect(url: str) -> str:
    return make_url(url).get_backend_name()


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput("an in-memory SQLite store cannot be backed up or restored")
    return Path(database)


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows of each of the store's tables (the search index's shadow tables left out)."""
    names = inspect(connection).get_table_names()
    count = 'SELECT count(*) FROM "{}"'  # the store's own table names, from its catalogue
    return {
        name: int(connection.execute(text(count.format(name))).scalar_one())
        for name in sorted(names)
        if not name.startswith("seizure_events_fts")
    }


def revision_of(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(found) if found else None


# SQLite ---------------------------------------------------------------------------------------


def sqlite_copy(url: str, dest: Path) -> None:
    """One consistent copy of the store, taken while others read and write it."""
    source = sqlite_path(url)
    if not source.exists():
        raise StoreError(f"there is no store at {source}: nothing to back up")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(dest)) as out:
        src.execute("PRAGMA busy_timeout=10000")
        src.backup(out)
        out.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it


def sqlite_is_empty(path: Path) -> bool:
    if not path.exists():
        return True
    with closing(sqlite3.connect(path)) as con:
        found = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        return bool(found[0] == 0)


def sqlite_put(copy: Path, target: Path) -> None:
    """Move the checked copy into place (a rename: all or nothing), dropping an old write-ahead log."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if copy.stat().st_dev != target.parent.stat().st_dev:  # a rename cannot cross file systems
        beside = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(copy, beside)
        copy = beside
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(copy, target)


# PostgreSQL -----------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StoreError(
            f"{name} is not installed: install the PostgreSQL client programs (postgresql-client)"
        )
    return found


def _major(program: str) -> int:
    out = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if match is None:
        raise StoreError(f"cannot read the version of {program}: {out.strip()!r}")
    return int(match.group(1))


def check_client(connection: Connection, name: str) -> str:
    """The path of ``name`` (pg_dump, pg_restore, psql), refused when older than the server."""
    program = _tool(name)
    server = int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    client = _major(program)
    if client < server:
        raise StoreError(
            f"{name} is version {client}, the server {server}:"
            f" install the PostgreSQL {server} client programs"
        )
    return program


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for the client programs (the password in the environment, not argv)."""
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise StoreError(f"{what} failed: {reason[0] if reason else f'exit code {done.returncode}'}")


@contextmanager
def pg_snapshot(engine: Engine) -> Iterator[tuple[Connection, str]]:
    """A read-only transaction and the id of its exported snapshot, held while the block runs."""
    with engine.connect() as connection:
        connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot = str(connection.execute(text("SELECT pg_export_snapshot()")).scalar_one())
        try:
            yield connection, snapshot
        finally:
            connection.rollback()


def pg_dump(engine: Engine, connection: Connection, snapshot: str, dest: Path) -> str:
    """Dump the store's schema in the custom format from ``snapshot``; returns the schema's name."""
    program = check_client(connection, "pg_dump")
    schema = str(connection.execute(text("SELECT current_schema()")).scalar_one())
    args, env = _libpq(engine.url)
    _run(
        [program, *args, "--format=custom", "--no-owner", "--no-acl", f"--schema={schema}",
         f"--snapshot={snapshot}", f"--file={dest}", str(engine.url.database)],
        env, "pg_dump",
    )  # fmt: skip
    return schema


def pg_target_schema(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT current_schema()")).scalar_one())


def pg_schema_exists(engine: Engine, schema: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"), {"s": schema}
        ).first()
    return found is not None


def pg_restore(engine: Engine, dump: Path, dumped_schema: str, work: Path) -> None:
    """Restore ``dump`` into the engine's current schema in one transaction: the schema is replaced
    by the dump's (renamed when the names differ) and nothing changes if any statement fails."""
    with engine.connect() as connection:
        restore, psql = check_client(connection, "pg_restore"), check_client(connection, "psql")
    target = pg_target_schema(engine)
    if dumped_schema != target and pg_schema_exists(engine, dumped_schema):
        raise InvalidInput(
            f"the backup holds schema {dumped_schema!r}, which exists in this database beside the target"
            f" {target!r}: restore into another database, or into schema {dumped_schema!r}"
        )
    args, env = _libpq(engine.url)
    listing = work / "toc.list"
    done = subprocess.run([restore, "--list", str(dump)], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise StoreError(f"pg_restore cannot read the dump: {done.stderr.strip()}")
    # the schema itself is made below, so that the target can be dropped and renamed in the same transaction
    kept = [
        line for line in done.stdout.splitlines() if not re.search(r" SCHEMA - | COMMENT - SCHEMA ", line)
    ]
    listing.write_text("\n".join(kept) + "\n", encoding="utf-8")
    script = work / "restore.sql"
    _run([restore, "--no-owner", "--no-acl", f"--use-list={listing}", f"--file={script}", str(dump)], env,
         "pg_restore")  # fmt: skip
    before, after = work / "before.sql", work / "after.sql"
    before.write_text(
        f'DROP SCHEMA IF EXISTS "{target}" CASCADE;\nCREATE SCHEMA "{dumped_schema}";\n', encoding="utf-8"
    )
    rename = f'ALTER SCHEMA "{dumped_schema}" RENAME TO "{target}";\n' if dumped_schema != target else ""
    after.write_text(rename, encoding="utf-8")
    _run(
        [psql, *args, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
         f"--file={before}", f"--file={script}", f"--file={after}", f"--dbname={engine.url.database}"],
        env, "restoring the PostgreSQL dump (nothing was changed)",
    )  # fmt: skip


def pg_is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def agency_figures(connection: Connection) -> dict[str, dict[str, int]]:
    """Per agency: events, items and the audit chain's length (what a restore must give back)."""
    tables = set(inspect(connection).get_table_names())
    out: dict[str, dict[str, int]] = {}
    for agency_id, code in connection.execute(text("SELECT id, code FROM agencies ORDER BY code")):
        figures = {}
        for name, table in (("events", "seizure_events"), ("audit_entries", "audit_log")):
            if table in tables:
                figures[name] = int(
                    connection.execute(
                        text(f"SELECT count(*) FROM {table} WHERE agency_id = :a"),  # noqa: S608 - a fixed table name
                        {"a": agency_id},
                    ).scalar_one()
                )
        out[str(code)] = figures
    return out


def server_version(connection: Connection) -> str:
    """The database server's version, for a backup's manifest."""
    query = "SELECT sqlite_version()" if connection.dialect.name == "sqlite" else "SHOW server_version"
    return str(connection.execute(text(query)).scalar())
