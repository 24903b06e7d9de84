"""A large import writes without SQLite's foreign-key checks (``db/bulk_load.unchecked_references``):
every reference it writes must still hold, and the checks are on again for the connection's next user.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.bulk_load import unchecked_references
from astara.db.engine import transaction
from fixtures.make import ids_row, import_file, large_imports_seen, write_csv, write_ids

pytestmark = pytest.mark.usefixtures("sqlite_only")


@pytest.fixture
def sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL checks every reference; the switch is SQLite's")


@pytest.fixture
def checks_while_writing(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every import counts as large; whether foreign keys were checked as each batch was written."""
    return large_imports_seen(monkeypatch, lambda c: c.exec_driver_sql("PRAGMA foreign_keys").scalar())


def _violations(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]


def _checked(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_large_import_writes_unchecked_and_every_reference_holds(
    engine: Engine, scope: Scope, tmp_path: Path, checks_while_writing: list[int]
) -> None:
    ids = write_ids(
        tmp_path / "ids.csv",
        [
            *(ids_row(AMOUNT=str(10 + n)) for n in range(6)),
            ids_row(AMOUNT="10"),  # an exact duplicate: merged into the first event
            ids_row(DRUG_NAME="Unobtainium"),  # rejected
        ],
    )
    assert import_file(engine, scope, ids, keep_valid=True).events_created == 6
    header = ["reference", "date", "country", "drug", "quantity", "unit", "person_name", "person_birth_date"]
    template = write_csv(
        tmp_path / "template.csv",
        header,
        [
            ["R-1", "2018-03-02", "AZ", "heroin", "260", "kg", "Rauf Mammadov", "1980-02-01"],
            ["R-1", "2018-03-02", "AZ", "hashish", "2", "kg", "Rauf Mammadov", "1980-02-01"],
            ["R-2", "2018-03-05", "AZ", "opium", "3", "kg", "", ""],
        ],
        ",",
    )
    report = import_file(engine, scope, template, mapping="astara")
    assert (report.events_created, report.items_created, report.persons_created) == (2, 3, 1)
    again = import_file(engine, scope, ids, keep_valid=True)
    assert (again.events_created, again.events_already_present) == (0, 6)

    assert checks_while_writing and set(checks_while_writing) == {0}  # every batch written unchecked
    assert _violations(engine) == []
    assert _checked(engine)  # on again once the import's connection went back to the pool


def test_the_check_finds_a_reference_that_does_not_hold(engine: Engine, scope: Scope) -> None:
    """(So that the test above can fail: an item whose event does not exist is reported.)"""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.exec_driver_sql(
            "INSERT INTO seizure_items (event_id, position, drug_code, kg_exact) "
            "VALUES ('no-such-event', 1, 'heroin', 0)"
        )
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    assert [row[0] for row in _violations(engine)] == ["seizure_items"]


def test_inside_a_transaction_the_checks_stay_on(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        session.connection().exec_driver_sql("UPDATE agencies SET name = name")  # SQLite's transaction begins
        assert unchecked_references(session) is False
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
