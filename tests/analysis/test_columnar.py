"""The duckdb engine gives the figures the store gives, and sees new commits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.analysis.service import stats
from astara.db.engine import transaction
from astara.errors import InvalidInput
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.seizures.service import create_seizure
from fixtures.make import ids_row, import_file, write_ids

QUESTIONS = [
    (["departure_country"], ["country=AZ", "year=2017"]),
    (["drug"], []),
    (["quarter", "drug_group"], ["country=AZ"]),
    (["month"], ["drug=heroin", "quarter=2017Q3"]),
    (["place"], ["departure_country=none"]),
]


@pytest.fixture
def loaded(engine: Engine, scope: Scope, tmp_path: Path) -> Scope:
    if engine.dialect.name != "sqlite":
        pytest.skip("the duckdb engine reads the embedded SQLite store")
    rows = [ids_row(SEIZURE_DATE=f"2017-{1 + i % 12:02d}-03", AMOUNT=str(10 + i)) for i in range(40)]
    rows += [ids_row(SEIZURE_DATE="2017-08-09", DEPARTURE_COUNTRY="", DRUG_NAME="Opium", AMOUNT="3")]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    items = [
        SeizureItemIn(drug="heroin", quantity=2, unit="kg"),
        SeizureItemIn(drug="hashish", quantity=5, unit="kg"),
    ]
    with transaction(engine) as session:
        create_seizure(
            session, scope, SeizureCreate(date="2017-09-01", country="AZ", items=items), dt.date(2026, 1, 1)
        )
    return scope


def test_duckdb_engine_gives_the_same_figures(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        for by, where in QUESTIONS:
            store = stats(session, loaded, by, where)
            columnar = stats(session, loaded, by, where, engine="duckdb")
            assert columnar.model_dump() == store.model_dump(), (by, where)


def test_duckdb_engine_sees_what_was_committed_since(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        before = stats(session, loaded, ["year"], engine="duckdb").total_events
    with transaction(engine) as session:
        create_seizure(
            session,
            loaded,
            SeizureCreate(
                date="2018-01-05", country="AZ", items=[SeizureItemIn(drug="opium", quantity=1, unit="kg")]
            ),
            dt.date(2026, 1, 1),
        )
    with transaction(engine) as session:
        assert stats(session, loaded, ["year"], engine="duckdb").total_events == before + 1
        with pytest.raises(InvalidInput, match="engine"):
            stats(session, loaded, ["year"], engine="spark")
