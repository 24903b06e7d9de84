"""Statistics answer the founding article's kind of question from records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.service import share_text, stats
from astara.db.engine import transaction
from astara.db.models import SeizureEvent, SeizureItem
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


def _counted_by_hand(
    session: Session, scope: Scope, field: str, drug: str | None
) -> dict[Any, tuple[int, int, float]]:
    """(events, items, kg) per value of ``field`` (an item's drug or group, or the event's country),
    counting each event once per group, from the stored items one by one."""
    groups: dict[Any, tuple[int, int, float]] = {}
    for event in session.scalars(select(SeizureEvent).where(SeizureEvent.agency_id == scope.agency_id)):
        items = [i for i in event.items if drug is None or i.drug_code == drug]
        keys: dict[Any, list[SeizureItem]] = {}
        for item in items:
            key = event.country if field == "country" else getattr(item, field)
            keys.setdefault(key, []).append(item)
        for key, its in keys.items():
            events, count, kg = groups.get(key, (0, 0, 0.0))
            groups[key] = (events + 1, count + len(its), kg + sum(i.kg or 0.0 for i in its))
    return groups


def test_statistics_on_items_agree_with_counting_the_items(engine: Engine, loaded: Scope) -> None:
    """Events whose items share one drug are answered from the events alone, the others through
    their items: together, the figures are those of counting every item by hand; and editing an
    event's items moves it between the two."""
    import datetime as dt

    from astara.seizures.schemas import SeizureCreate, SeizureItemIn
    from astara.seizures.service import create_seizure, update_seizure

    def seizure(*items: tuple[str, float, str]) -> SeizureCreate:
        kinds = [SeizureItemIn(drug=d, quantity=q, unit=u) for d, q, u in items]
        return SeizureCreate(date="2017-09-09", country="AZ", items=kinds)

    today = dt.date(2026, 1, 1)
    with transaction(engine) as session:
        heroin = seizure(("heroin", 2, "kg"), ("heroin", 500, "g"))
        one_drug = create_seizure(session, loaded, heroin, today)
        create_seizure(session, loaded, seizure(("heroin", 1, "kg"), ("hashish", 3, "kg")), today)
        opioids = seizure(("opium", 4, "kg"), ("heroin", 3, "kg"))  # two drugs of one group
        create_seizure(session, loaded, opioids, today)
    for step in ("before", "after"):
        with transaction(engine) as session:
            if step == "after":  # the event of one drug gets a second drug, and the other way round
                mixed = seizure(("heroin", 2, "kg"), ("cocaine", 1, "kg"))
                update_seizure(session, loaded, one_drug.id, mixed)
            stored = session.get(SeizureEvent, one_drug.id)
            assert stored is not None
            assert stored.drug_code == ("heroin" if step == "before" else None)
            for field, where, drug in [
                ("drug_code", [], None),
                ("drug_group", [], None),
                ("country", ["drug=heroin"], "heroin"),
                ("drug_group", ["drug=heroin"], "heroin"),
            ]:
                result = stats(session, loaded, [field.removesuffix("_code")], where)
                expected = _counted_by_hand(session, loaded, field, drug)
                got = {g.key: (g.events, g.items, g.kg) for g in result.groups}
                assert got.keys() == expected.keys(), (step, field, where)
                for key, (events, items, kg) in expected.items():
                    assert got[key][:2] == (events, items), (step, field, where, key)
                    assert got[key][2] == pytest.approx(kg), (step, field, where, key)
                counted = {
                    e.id
                    for e in session.scalars(select(SeizureEvent))
                    if e.agency_id == loaded.agency_id and any(drug in (None, i.drug_code) for i in e.items)
                }
                assert result.total_events == len(counted), (step, field, where)
