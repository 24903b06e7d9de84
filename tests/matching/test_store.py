"""The matching store: blocking keys across scripts, candidate queries, judgements, watch lists and the
alerts that spreadsheet imports, the service and partners' records raise."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import EventEntityLink, MatchKey, Person, SharingReceived
from astara.errors import Conflict, InvalidInput, NotFound
from astara.imports.schemas import ImportOptions
from astara.imports.service import run_import
from astara.matching import store, watch
from astara.matching.keys import keys_of
from conftest import TODAY

# (kind, record a, record b, do they share a blocking key)
KEY_CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("person", {"name": "محمد رضایی"}, {"name": "MOHAMMAD REZAEI"}, True),
    ("person", {"name": "محمد رضایی"}, {"name": "Мохаммад Резаи"}, True),
    ("person", {"name": "Məmməd Rzayev"}, {"name": "Мамед Рзаев"}, True),
    ("person", {"name": "Məmməd Rzayev"}, {"name": "RZAYEV MAMMAD"}, True),
    ("person", {"name": "Hossein Karimi"}, {"name": "حسین کریمی"}, True),
    ("person", {"name": "Hüseyn Kərimov"}, {"name": "Гусейн Каримов"}, True),
    ("person", {"name": "Seyed Ali Mousavi"}, {"name": "سید علی موسوی"}, True),
    ("person", {"name": "Qasem Soleimani"}, {"name": "Ghasem Soleymani"}, True),
    # a typo in the surname still meets through the given name and the full birth date
    (
        "person",
        {"name": "Reza Tavakoli", "birth_date": "1979-04-02"},
        {"name": "Reza Tavakkoly", "birth_date": "1979-04-02"},
        True,
    ),
    ("person", {"name": "Reza Nasiri"}, {"name": "Reza Nazari"}, False),
    ("person", {"name": "Əli Məmmədli"}, {"name": "Vəli Məmmədli"}, False),
    ("vehicle", {"plate": "12B345-67", "country": "IR"}, {"plate": "۱۲ ب ۳۴۵ ایران ۶۷"}, True),
    ("vehicle", {"plate": "10-AB-123", "country": "AZ"}, {"plate": "1O AB 123", "country": "AZ"}, True),
    ("vehicle", {"plate": "10-AB-123", "country": "AZ"}, {"plate": "10-AB-124", "country": "AZ"}, False),
    ("vehicle", {"vin": "1M8GDM9AXKP042788"}, {"vin": "1M8GDM9AXKPO42788"}, True),
    ("organization", {"name": "Kaspi Tranzit MMC"}, {"name": "ООО «Каспи Транзит»"}, True),
    ("organization", {"registration": "VÖEN 1700123451"}, {"registration": "1700123451"}, True),
]


@pytest.mark.parametrize(("kind", "a", "b", "shared"), KEY_CASES)
def test_blocking_keys_meet_across_scripts(
    kind: str, a: dict[str, Any], b: dict[str, Any], shared: bool
) -> None:
    assert bool(keys_of(kind, a) & keys_of(kind, b)) is shared, (keys_of(kind, a), keys_of(kind, b))


def _person(engine: Engine, scope: Scope, **fields: Any) -> str:
    with transaction(engine) as session:
        entity, _ = store.create_entity(session, scope, "person", fields)
        return str(entity.id)


def test_query_finds_only_rows_sharing_a_key_and_ranks_them(engine: Engine, scope: Scope) -> None:
    same = _person(engine, scope, name="Məmməd Rzayev", birth_date="1971-05-05", nationality="AZ")
    namesake = _person(engine, scope, name="Мамед Рзаев", birth_date="1950-01-01", nationality="AZ")
    _person(engine, scope, name="Farid Aliyev", birth_date="1971-05-05", nationality="AZ")
    with transaction(engine) as session:
        result = store.query(
            session, scope, "person", {"name": "Mamed Rzaev", "birth_date": "1971-05-05", "nationality": "AZ"}
        )
    ids = [c["entity_id"] for c in result["candidates"]]
    assert ids == [same, namesake]  # Farid Aliyev shares no key and is never read
    assert result["considered"] == 2
    top, other = result["candidates"]
    assert top["match"] and top["decision"] == "match" and top["score"] > 0.9
    assert not other["match"] and other["decision"] == "no match"
    names = {f["name"] for f in other["explanation"]["features"]}
    assert "birth_year_disjoint" in names
    assert result["algorithm"] == "astara-match-1" and result["threshold"] == 0.5


def test_query_is_scoped_to_the_agency(engine: Engine, scope: Scope, scope_b: Scope) -> None:
    _person(engine, scope, name="Məmməd Rzayev", birth_date="1971-05-05")
    with transaction(engine) as session:
        assert store.query(session, scope_b, "person", {"name": "Mamed Rzaev"})["candidates"] == []
        with pytest.raises(InvalidInput, match="nothing to search by"):
            store.query(session, scope, "person", {"nationality": "AZ"})


def test_judgements_are_kept_reversible_and_used_by_later_queries(engine: Engine, scope: Scope) -> None:
    a = _person(engine, scope, name="Məmməd Rzayev", birth_date="1971-05-05", nationality="AZ")
    b = _person(engine, scope, name="Мамед Рзаев", birth_date="1971-05-05", nationality="AZ")
    c = _person(engine, scope, name="محمد رضایف", birth_date="1971", nationality="AZ")
    with transaction(engine) as session:
        first = {x["entity_id"]: x for x in store.query(session, scope, "person", entity_id=a)["candidates"]}
        assert first[b]["match"] and first[b]["judgement"] is None
        store.judge(session, scope, "person", b, a, "not_same", "different fathers per the case file")
        store.judge(session, scope, "person", a, c, "same")
    with transaction(engine) as session:
        after = {x["entity_id"]: x for x in store.query(session, scope, "person", entity_id=a)["candidates"]}
    assert after[b]["decision"] == "judged not the same" and not after[b]["match"]
    assert (
        after[b]["judgement"]["verdict"] == "not_same" and after[b]["judgement"]["user_id"] == scope.user_id
    )
    assert after[c]["decision"] == "confirmed same"
    with transaction(engine) as session:
        store.judge(session, scope, "person", a, b, "same")  # reversed; the first is kept in the history
        history = [r.verdict for r in store.judgement_history(session, scope, b, a)]
        again = {x["entity_id"]: x for x in store.query(session, scope, "person", entity_id=a)["candidates"]}
    assert history == ["not_same", "same"]
    assert again[b]["decision"] == "confirmed same"
    with transaction(engine) as session:
        with pytest.raises(InvalidInput, match="unknown verdict"):
            store.judge(session, scope, "person", a, b, "maybe")
        with pytest.raises(NotFound):
            store.judge(session, scope, "person", a, "nobody", "same")


def _template_csv(path: Path, people: list[tuple[str, str, str]]) -> Path:
    header = ["reference", "date", "country", "drug", "quantity", "unit", "person_name", "person_birth_date",
              "person_nationality"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for n, (name, born, nationality) in enumerate(people, start=1):
            writer.writerow(
                [f"REF-{n}", "2025-03-0" + str(n), "AZ", "heroin", "12", "kg", name, born, nationality]
            )
    return path


def _import(engine: Engine, scope: Scope, path: Path) -> Any:
    with transaction(engine) as session:
        return run_import(session, scope, path, ImportOptions(mapping="astara", today=TODAY))


def test_watch_listed_persian_name_alerts_on_a_latin_or_cyrillic_import(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    with transaction(engine) as session:
        watch.create_list(session, scope, "couriers", "heroin couriers, Astara route")
        entry = watch.add_entry(
            session,
            scope,
            "couriers",
            "person",
            {"name": "محمد رضایی", "birth_date": "1985-06-12", "nationality": "IR"},
        )
        entry_id = entry.id
    path = _template_csv(
        tmp_path / "seizures.csv",
        [
            ("MOHAMMAD REZAEI", "1985-06-12", "IR"),
            ("Мохаммад Резаи", "1985-06-12", "IR"),
            ("Mohammad Rezaei", "1962-01-01", "IR"),  # a namesake a generation older: no alert
            ("Farid Aliyev", "1985-06-12", "AZ"),
        ],
    )
    report = _import(engine, scope, path)
    assert report.persons_created == 4 and report.watch_alerts == 2
    with transaction(engine) as session:
        alerts = watch.alerts(session, scope)
        links = session.scalar(select(func.count()).select_from(EventEntityLink))
        persons = session.scalar(select(func.count()).select_from(Person))
    assert links == 4 and persons == 4
    assert sorted(a["label"].split(" ~ ")[1] for a in alerts) == [
        "MOHAMMAD REZAEI (1985-06-12 IR)",
        "Мохаммад Резаи (1985-06-12 IR)",
    ]
    for alert in alerts:
        assert alert["list"] == "couriers" and alert["entry_id"] == entry_id and alert["origin"] == "import"
        assert alert["event_id"] and alert["score"] > 0.9
        features = {f["name"]: f for f in alert["explanation"]["features"]}
        assert features["name_match"]["value"] == 1.0 and features["birth_date_match"]["value"] == 1.0
    # importing the same file again changes nothing and raises nothing
    again = _import(engine, scope, path)
    assert again.events_created == 0 and again.watch_alerts == 0
    with transaction(engine) as session:
        acknowledged = watch.acknowledge(session, scope, alerts[0]["id"])
        assert acknowledged.acknowledged_by == scope.user_id
        with pytest.raises(Conflict):
            watch.acknowledge(session, scope, alerts[0]["id"])
        assert len(watch.alerts(session, scope)) == 1
        assert len(watch.alerts(session, scope, "acknowledged")) == 1
        assert watch.open_alert_count(session, scope) == 1


def test_imported_persons_are_candidates_and_a_bad_birth_date_rejects_the_row(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    _import(engine, scope, _template_csv(tmp_path / "a.csv", [("Мохаммад Резаи", "1985-06-12", "IR")]))
    with transaction(engine) as session:
        result = store.query(session, scope, "person", {"name": "محمد رضایی", "birth_date": "1985-06-12"})
    assert [c["label"] for c in result["candidates"]] == ["Мохаммад Резаи (1985-06-12 IR)"]
    assert result["candidates"][0]["match"]
    bad = _template_csv(tmp_path / "b.csv", [("Ali Karimi", "12/06/85", "IR")])
    with pytest.raises(Exception, match="rows are bad") as info:
        _import(engine, scope, bad)
    assert "is not YYYY or YYYY-MM-DD" in str(getattr(info.value, "details", ""))


def test_service_created_entities_and_removed_entries(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        watch.create_list(session, scope, "trucks")
        entry = watch.add_entry(session, scope, "trucks", "vehicle", {"plate": "12B345-67", "country": "IR"})
        with pytest.raises(Conflict):
            watch.create_list(session, scope, "trucks")
        with pytest.raises(InvalidInput, match="nothing to match by"):
            watch.add_entry(session, scope, "trucks", "vehicle", {"make": "Volvo"})
        _, alerts = store.create_entity(
            session, scope, "vehicle", {"plate": "۱۲ ب ۳۴۵ ایران ۶۷", "country": "IR"}
        )
        assert len(alerts) == 1 and alerts[0].origin == "service"
        watch.remove_entry(session, scope, "trucks", entry.id)
        _, alerts = store.create_entity(session, scope, "vehicle", {"plate": "12 B 345 67", "country": "IR"})
        assert alerts == []
        shown = watch.show_list(session, scope, "trucks", include_removed=True)
        assert shown["entries"][0]["removed_at"] is not None
        assert watch.show_list(session, scope, "trucks")["entries"] == []


def test_entity_changes_refile_keys_and_reindex_rebuilds_them(engine: Engine, scope: Scope) -> None:
    pid = _person(engine, scope, name="Farid Aliyev", birth_date="1980-01-01")
    with transaction(engine) as session:
        store.update_entity(session, scope, "person", pid, {"name": "Mohammad Rezaei"})
        found = store.query(session, scope, "person", {"name": "محمد رضایی"})["candidates"]
        assert [c["entity_id"] for c in found] == [pid]
        assert store.query(session, scope, "person", {"name": "Farid Aliyev"})["candidates"] == []
        before = sorted(session.scalars(select(MatchKey.key).where(MatchKey.entity_id == pid)))
        session.query(MatchKey).delete()
        counts = store.reindex(session, scope)
        after = sorted(session.scalars(select(MatchKey.key).where(MatchKey.entity_id == pid)))
    assert counts["person"] == 1 and before == after and before


def test_received_partner_records_are_candidates_and_raise_alerts(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        watch.create_list(session, scope, "couriers")
        watch.add_entry(
            session, scope, "couriers", "person", {"name": "Məmməd Rzayev", "birth_date": "1971-05-05"}
        )
        row = SharingReceived(
            agency_id=scope.agency_id, partner_code="IR-ANP", record_id="r1", version=1, cursor=1,
            agreement_code="AZ-IR", tlp="amber", onward_sharing="forbidden", signature="s",
            record={"entities": [
                {"type": "person", "role": "driver",
                 "fields": {"name": "محمد رضایف", "birth_date": "1971-05-05"}},
                {"type": "phone", "role": "used", "fields": {"number": "+989121234567"}},
            ]},
        )  # fmt: skip
        session.add(row)
        store.index_received(session, scope, [row])
        result = store.query(session, scope, "person", {"name": "Mamed Rzaev", "birth_date": "1971-05-05"})
        alerts = watch.alerts(session, scope)
    assert [c["source"] for c in result["candidates"]] == ["received from IR-ANP"]
    assert result["candidates"][0]["entity_id"] == f"r{row.id}.0" and result["candidates"][0]["match"]
    assert len(alerts) == 1 and alerts[0]["origin"] == "received"


def test_an_entity_linked_to_an_event_once_and_only_to_the_agencys_events(
    engine: Engine, scope: Scope, scope_b: Scope
) -> None:
    import datetime as dt

    from astara.seizures import service as seizures
    from astara.seizures.schemas import SeizureCreate, SeizureItemIn

    data = SeizureCreate(reference="A-1", date="2025-03-02", country="AZ",
                         items=[SeizureItemIn(drug="heroin", quantity=20, unit="kg")])  # fmt: skip
    with transaction(engine) as session:
        event = seizures.create_seizure(session, scope, data, today=dt.date(2026, 1, 1))
        fields = {"name": "Kaspi Tranzit MMC", "country": "AZ"}
        first, _ = store.create_entity(
            session, scope, "organization", fields, event_id=event.id, role="consignee"
        )
        again, _ = store.create_entity(
            session, scope, "organization", fields, event_id=event.id, role="consignee"
        )
        links = session.scalar(select(func.count()).select_from(EventEntityLink))
        with pytest.raises(NotFound):
            store.create_entity(session, scope_b, "organization", fields, event_id=event.id)
        with pytest.raises(InvalidInput, match="needs a name"):
            store.update_entity(session, scope, "organization", first.id, {"name": ""})
    assert first.id == again.id and links == 1
