"""A large import with the store to itself writes through a rollback journal, then WAL again.

The journal keeps the commit atomic: a failed import leaves nothing, a process killed in the
middle leaves the store as it was, and any other open connection makes the import keep WAL.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import SeizureEvent
from astara.errors import ImportFailed
from astara.imports import service
from astara.imports.schemas import ImportOptions, ImportReport
from conftest import TODAY
from fixtures.make import ids_row, import_file, large_imports_seen, write_ids

pytestmark = pytest.mark.usefixtures("sqlite_only")


@pytest.fixture
def sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("journal modes are SQLite's")


def _journal(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.exec_driver_sql("PRAGMA journal_mode").scalar())


def _import(engine: Engine, scope: Scope, path: Path) -> ImportReport:
    """As ``astara import`` does: it may hold the store while it imports."""
    with transaction(engine) as session:
        options = ImportOptions(mapping="unodc_ids", today=TODAY)
        return service.run_import(session, scope, path, options, may_hold_store=True)


def _events(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(SeizureEvent)) or 0)


@pytest.fixture
def journals(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every import counts as large; the journal mode each batch was written in."""
    return large_imports_seen(monkeypatch, lambda c: c.exec_driver_sql("PRAGMA journal_mode").scalar())


def test_a_large_import_alone_writes_through_a_rollback_journal_then_wal_again(
    engine: Engine, scope: Scope, tmp_path: Path, journals: list[str]
) -> None:
    assert _journal(engine) == "wal"
    good = write_ids(tmp_path / "good.csv", [ids_row(AMOUNT=str(10 + n)) for n in range(5)])
    assert _import(engine, scope, good).events_created == 5
    assert journals == ["delete"]
    assert _journal(engine) == "wal"  # back once the import's connection returned to the pool

    bad = write_ids(tmp_path / "bad.csv", [ids_row(AMOUNT="77"), ids_row(DRUG_NAME="Unobtainium")])
    with pytest.raises(ImportFailed):
        _import(engine, scope, bad)
    assert _events(engine) == 5  # the failed import left nothing
    assert _journal(engine) == "wal"

    server = write_ids(tmp_path / "server.csv", [ids_row(AMOUNT="88")])
    assert import_file(engine, scope, server).events_created == 1  # as the server imports: never held
    assert journals[-1] == "wal"


def test_an_import_while_another_connection_is_open_keeps_the_write_ahead_log(
    engine: Engine, scope: Scope, tmp_path: Path, journals: list[str]
) -> None:
    other = sqlite3.connect(str(engine.url.database))  # a server holding the store open
    try:
        other.execute("SELECT count(*) FROM seizure_events").fetchall()
        path = write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT=str(10 + n)) for n in range(3)])
        assert _import(engine, scope, path).events_created == 3
        assert journals == ["wal"]
        assert other.execute("SELECT count(*) FROM seizure_events").fetchone() == (3,)
    finally:
        other.close()


KILLED_MID_WRITE = """
import os, sys
from sqlalchemy import text
from astara.db.bulk_load import rollback_journal
from astara.db.engine import make_engine, transaction

engine = make_engine(sys.argv[1])
with transaction(engine) as session:
    assert rollback_journal(session)
    connection = session.connection()
    connection.exec_driver_sql("PRAGMA cache_size=5")  # spill the changes into the file itself
    connection.exec_driver_sql("DELETE FROM seizure_items")
    connection.exec_driver_sql("DELETE FROM seizure_events")
    print("deleted", connection.execute(text("SELECT count(*) FROM seizure_events")).scalar(), flush=True)
    os._exit(9)  # killed before the commit
"""


def test_a_process_killed_while_writing_through_the_journal_leaves_the_store_as_it_was(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    path = write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT=str(10 + n)) for n in range(40)])
    import_file(engine, scope, path)
    engine.dispose()  # the store to the child alone
    database = Path(str(engine.url.database))
    url = engine.url.render_as_string(hide_password=False)
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_MID_WRITE), url],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert child.returncode == 9, child.stderr
    assert "deleted 0" in child.stdout
    assert database.with_name(database.name + "-journal").exists()  # a hot journal is left behind
    assert _events(engine) == 40  # the next connection rolled it back
    assert _journal(engine) == "wal"
