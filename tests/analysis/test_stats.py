"""Statistics answer the founding article's kind of question from records."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.analysis.service import share_text, stats
from astara.db.engine import transaction
from astara.errors import InvalidInput
from fixtures.make import ids_row, import_file, write_ids


@pytest.fixture
def loaded(engine: Engine, scope: Scope, tmp_path: Path) -> Scope:
    """210 seizures in Azerbaijan in 2017, 184 of them departed from Iran; plus other years and countries."""
    rows = [
        ids_row(SEIZURE_DATE=f"2017-{1 + i % 12:02d}-{1 + i % 28:02d}", AMOUNT=str(10 + i))
        for i in range(184)
    ]
    rows += [
        ids_row(SEIZURE_DATE="2017-06-01", AMOUNT=str(500 + i), DEPARTURE_COUNTRY="Turkey") for i in range(20)
    ]
    rows += [ids_row(SEIZURE_DATE="2017-07-01", AMOUNT=str(900 + i), DEPARTURE_COUNTRY="") for i in range(6)]
    rows += [ids_row(SEIZURE_DATE="2016-07-01", AMOUNT=str(1 + i)) for i in range(7)]
    rows += [ids_row(COUNTRY="Georgia", SEIZURE_DATE="2017-07-01", AMOUNT=str(1 + i)) for i in range(5)]
    rows += [ids_row(SEIZURE_DATE="2017-08-01", DRUG_NAME="Opium", DRUG_UNIT="Kilogram", AMOUNT="2")]
    path = write_ids(tmp_path / "ids.csv", rows)
    import_file(engine, scope, path)
    return scope


def test_share_text_shows_numerator_and_denominator() -> None:
    assert share_text(184, 210) == ("184 of 210, 87.6 %", 87.6)
    assert share_text(0, 0) == ("0 of 0, 0.0 %", 0.0)


def test_how_many_seizures_in_azerbaijan_departed_from_iran(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        result = stats(
            session, loaded, ["departure_country"], ["country=Azerbaijan", "year=2017", "drug=heroin"]
        )
    assert result.total_events == 210
    by_key = {g.key: g for g in result.groups}
    assert by_key["IR"].events == 184 and by_key["IR"].share == "184 of 210, 87.6 %"
    assert by_key["TR"].events == 20 and by_key[None].label == "(unknown)"
    assert by_key["IR"].kg == pytest.approx(sum(10 + i for i in range(184)) / 1000)
    assert result.groups[0].key == "IR"  # most events first


def test_country_filters_accept_any_form(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        counts = {
            form: stats(session, loaded, ["year"], [f"country={form}"]).total_events
            for form in ("AZ", "AZE", "Azerbaijan", "Азербайджан", "Azərbaycan")
        }
    assert set(counts.values()) == {218}


def test_item_dimensions_count_each_event_once(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        result = stats(session, loaded, ["drug"], ["country=AZ"])
        by_month = stats(session, loaded, ["month"], ["country=AZ", "year=2017"], sort="key")
        groups = stats(session, loaded, ["drug_group"], ["country=AZ"])
    assert {g.key: g.events for g in result.groups} == {"heroin": 217, "opium": 1}
    assert {g.key for g in groups.groups} == {"opioids"}
    assert by_month.groups[0].label == "2017-01" and sum(g.events for g in by_month.groups) == 211


def test_unknown_fields_and_values_are_clear_errors(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        with pytest.raises(InvalidInput, match="unknown field 'colour'"):
            stats(session, loaded, ["colour"])
        with pytest.raises(InvalidInput, match="unknown country 'Narnia'"):
            stats(session, loaded, ["year"], ["country=Narnia"])
        with pytest.raises(InvalidInput, match="FIELD=VALUE"):
            stats(session, loaded, ["year"], ["country"])


def test_another_agency_sees_no_statistics(engine: Engine, loaded: Scope, scope_b: Scope) -> None:
    with transaction(engine) as session:
        assert stats(session, scope_b, ["country"]).total_events == 0


def test_events_with_several_items_count_once_per_group(engine: Engine, loaded: Scope) -> None:
    import datetime as dt

    from astara.seizures.schemas import SeizureCreate, SeizureItemIn
    from astara.seizures.service import create_seizure

    items = [
        SeizureItemIn(drug="heroin", quantity=2, unit="kg"),
        SeizureItemIn(drug="heroin", quantity=500, unit="g"),
        SeizureItemIn(drug="гашиш", quantity=3, unit="kg"),
    ]
    with transaction(engine) as session:
        create_seizure(
            session, loaded, SeizureCreate(date="2017-09-09", country="AZ", items=items), dt.date(2026, 1, 1)
        )
    with transaction(engine) as session:
        by_drug = stats(session, loaded, ["drug"], ["country=AZ", "year=2017"])
        by_year = stats(session, loaded, ["year"], ["country=AZ", "year=2017"])
        heroin = stats(session, loaded, ["year"], ["country=AZ", "year=2017", "drug=heroin"])
    groups = {g.key: g for g in by_drug.groups}
    assert groups["heroin"].events == 211 and groups["heroin"].items == 212
    assert groups["hashish"].events == 1 and groups["hashish"].kg == 3
    assert by_drug.total_events == 212  # the new event is in two groups but counted once in the total
    assert by_year.groups[0].events == 212 and by_year.groups[0].items == 214
    recorded = (
        sum(10 + i for i in range(184)) + sum(500 + i for i in range(20)) + sum(900 + i for i in range(6))
    ) / 1000
    assert heroin.groups[0].kg == pytest.approx(recorded + 2.5)  # only the heroin items of the new event
