"""The duckdb engine gives the figures the store gives, and sees new commits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope, scoped_delete
from astara.analysis.service import stats
from astara.db.engine import transaction
from astara.db.models import SeizureEvent
from astara.errors import InvalidInput
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.seizures.service import create_seizure, update_seizure
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


def both_engines_agree(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        for by, where in [*QUESTIONS, (["year"], [])]:
            store = stats(session, scope, by, where)
            columnar = stats(session, scope, by, where, engine="duckdb")
            assert columnar.model_dump() == store.model_dump(), (by, where)


def manifest(engine: Engine) -> dict[str, Any]:
    db = Path(str(engine.url.database))
    return cast(
        dict[str, Any], json.loads(db.with_name(db.name + ".analytics").joinpath("manifest.json").read_text())
    )


def test_after_an_edit_a_delete_and_an_import_both_engines_agree(
    engine: Engine, loaded: Scope, tmp_path: Path
) -> None:
    both_engines_agree(engine, loaded)
    with transaction(engine) as session:
        first, second, *_ = session.scalars(select(SeizureEvent.id).order_by(SeizureEvent.id)).all()
        body = SeizureCreate(
            date="2016-02-01", country="GE", items=[SeizureItemIn(drug="opium", quantity=9, unit="kg")]
        )
        update_seizure(session, loaded, first, body, today=dt.date(2026, 1, 1))
    both_engines_agree(engine, loaded)
    with transaction(engine) as session:
        session.execute(scoped_delete(SeizureEvent, loaded).where(SeizureEvent.id == second))
    both_engines_agree(engine, loaded)
    before = manifest(engine)["parts"]
    rows = [ids_row(SEIZURE_DATE="2019-05-05", AMOUNT=str(5 + i)) for i in range(3)]
    import_file(engine, loaded, write_ids(tmp_path / "more.csv", rows))
    both_engines_agree(engine, loaded)
    after = manifest(engine)["parts"]
    assert len(after) == len(before) + 1
    assert {k: after[k] for k in before} == before  # only the import's own part was written


def test_a_snapshot_of_another_format_is_made_anew(engine: Engine, loaded: Scope) -> None:
    both_engines_agree(engine, loaded)
    db = Path(str(engine.url.database))
    (db.with_name(db.name + ".analytics") / "manifest.json").write_text("{}")
    both_engines_agree(engine, loaded)
    assert manifest(engine)["format"] == 2
