"""MISP events come back as the same seizures; bad files are refused whole with every problem named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import AuditEntry, MatchAlert, Person, SeizureEvent, Vehicle
from astara.errors import ImportFailed, InvalidInput
from astara.interchange.service import run_import
from astara.matching import watch
from fixtures.make import TODAY
from interchange.conftest import Loaded, export_file

for _library in ("followthemoney", "stix2", "stix2validator", "pymisp"):  # the astara[interchange] extra
    pytest.importorskip(_library)

COMPARED = (
    "reference",
    "date",
    "date_precision",
    "country",
    "place_text",
    "departure_country",
    "destination_country",
    "transit_countries",
    "transport",
    "tlp",
    "total_kg",
)


def _import(engine: Engine, scope: Scope, path: Path, mapping: str = "misp", **kw: Any):  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        return run_import(session, scope, path, mapping, today=TODAY, **kw)


def _seizures(engine: Engine, scope: Scope) -> list[tuple[Any, ...]]:
    with transaction(engine) as session:
        events = session.scalars(select(SeizureEvent).where(SeizureEvent.agency_id == scope.agency_id)).all()
        rows = [
            tuple(getattr(e, k) for k in COMPARED)
            + tuple((i.drug_code, i.quantity, i.unit_code, i.kg) for i in e.items)
            for e in events
        ]
    return sorted(rows, key=repr)


def _count(engine: Engine, scope: Scope, model: Any) -> int:
    with transaction(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(model).where(model.agency_id == scope.agency_id))
            or 0
        )


def test_misp_round_trip_gives_the_same_seizures(
    engine: Engine, loaded: Loaded, scope_b: Scope, tmp_path: Path
) -> None:
    export_file(engine, loaded.scope, tmp_path / "out.misp.json", "misp")
    report = _import(engine, scope_b, tmp_path / "out.misp.json")
    assert (report.read, report.seizures_created, report.rejected, report.unknown) == (3, 3, 0, [])
    assert _seizures(engine, scope_b) == _seizures(engine, loaded.scope)
    assert report.entities_created == 3 and _count(engine, scope_b, Person) == 1
    with transaction(engine) as session:
        event = session.scalars(
            select(SeizureEvent).where(
                SeizureEvent.agency_id == scope_b.agency_id, SeizureEvent.reference == "SCS-2016-0412"
            )
        ).one()
        assert event.source_type == "interchange"
        agencies = session.scalars(
            select(SeizureEvent.reporting_agency).where(  # the org of every event
                SeizureEvent.agency_id == scope_b.agency_id
            )
        ).all()
        assert sorted(agencies) == ["State Customs Committee"] * 3  # (the agency's name where none was set)
    again = _import(engine, scope_b, tmp_path / "out.misp.json")
    assert (again.seizures_created, again.already_present) == (0, 3)  # a re-import changes nothing


def test_imported_parties_are_matched_against_watch_lists(
    engine: Engine, loaded: Loaded, scope_b: Scope, tmp_path: Path
) -> None:
    export_file(engine, loaded.scope, tmp_path / "out.misp.json", "misp")
    with transaction(engine) as session:
        watch.create_list(session, scope_b, "trucks")
        watch.add_entry(session, scope_b, "trucks", "vehicle", {"plate": "10 AB 123", "country": "AZ"})
    report = _import(engine, scope_b, tmp_path / "out.misp.json")
    assert report.watch_alerts == 1 and _count(engine, scope_b, MatchAlert) == 1


def _misp(events: list[dict[str, Any]], path: Path) -> Path:
    path.write_text(json.dumps({"response": [{"Event": e} for e in events]}), encoding="utf-8")
    return path


def _event(
    uuid: str, *, quantity: str | None = "2", extra: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    drug = [{"object_relation": "object-type", "type": "text", "value": "heroin"}]
    if quantity is not None:
        drug.append(
            {"object_relation": "quantity", "type": "counter", "value": quantity, "comment": "unit: kg"}
        )
    return {
        "uuid": uuid,
        "info": "seizure reported by a partner MISP",
        "date": "2016-06-01",
        "Tag": [{"name": "tlp:green"}],
        "Orgc": {"name": "Border Guard"},
        "Attribute": extra or [],
        "Object": [
            {"name": "physical-object", "Attribute": drug},
            {
                "name": "geolocation",
                "Attribute": [{"object_relation": "countrycode", "type": "text", "value": "AZ"}],
            },
        ],
    }


GOOD = "5b1f3c2e-1111-4a4a-8b8b-000000000001"
NO_QUANTITY = "5b1f3c2e-1111-4a4a-8b8b-000000000002"
UNKNOWN = [{"type": "ip-dst", "category": "Network activity", "value": "203.0.113.9"}]


def test_a_bad_event_refuses_the_file_with_every_problem_named(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    path = _misp(
        [_event(GOOD, extra=UNKNOWN), _event(NO_QUANTITY, quantity=None), {"uuid": "x"}], tmp_path / "m.json"
    )
    with pytest.raises(ImportFailed) as failed:
        _import(engine, scope, path)
    problems = failed.value.details
    assert {
        "event": f"2 ({NO_QUANTITY})",
        "attribute": "physical-object 1: quantity",
        "reason": "no quantity (quantity or weight)",
    } in problems
    assert any(p["event"] == "3" and p["reason"].startswith("pymisp cannot load it") for p in problems)
    assert _count(engine, scope, SeizureEvent) == 0  # nothing was written


def test_keep_valid_stores_the_valid_events_and_keeps_unknown_fields_in_notes(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    path = _misp([_event(GOOD, extra=UNKNOWN), _event(NO_QUANTITY, quantity=None)], tmp_path / "m.json")
    report = _import(engine, scope, path, keep_valid=True)
    assert (report.status, report.seizures_created, report.rejected) == ("partial", 1, 1)
    assert report.unknown == [
        {"event": f"1 ({GOOD})", "attribute": "Network activity/ip-dst", "value": "203.0.113.9"}
    ]
    with transaction(engine) as session:
        event = session.scalars(select(SeizureEvent).where(SeizureEvent.agency_id == scope.agency_id)).one()
        assert event.notes == "MISP Network activity/ip-dst: 203.0.113.9"
        assert (event.tlp, event.reporting_agency, event.reference) == (
            "green",
            "Border Guard",
            f"MISP {GOOD}",
        )


def test_a_service_rule_names_the_misp_attribute(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    event = _event(GOOD)
    event["Object"][0]["Attribute"][0]["value"] = "moon dust"  # no drug of the vocabulary
    with pytest.raises(ImportFailed) as failed:
        _import(engine, scope, _misp([event], tmp_path / "m.json"))
    assert failed.value.details[0]["attribute"] == "physical-object 1: object-type"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"type": "bundle", "id": "bundle--1", "objects": []}', "STIX bundle"),
        ("[1, 2]", "expected"),
        ("not json", "not JSON"),
    ],
)
def test_files_that_are_not_misp_are_refused_clearly(
    engine: Engine, scope: Scope, tmp_path: Path, content: str, why: str
) -> None:
    (tmp_path / "x.json").write_text(content)
    with pytest.raises(InvalidInput, match=why):
        _import(engine, scope, tmp_path / "x.json")


def test_ftm_import_fills_the_matching_store(
    engine: Engine, loaded: Loaded, scope_b: Scope, tmp_path: Path
) -> None:
    export_file(engine, loaded.scope, tmp_path / "out.ftm.json", "ftm")
    report = _import(engine, scope_b, tmp_path / "out.ftm.json", "ftm")
    assert (report.entities_created, report.rejected) == (3, 0)  # a person, a vehicle, an organization
    assert report.skipped == report.read - 3  # events, places, links, the passport
    with transaction(engine) as session:
        vehicle = session.scalars(select(Vehicle).where(Vehicle.agency_id == scope_b.agency_id)).one()
        assert (vehicle.plate, vehicle.country, vehicle.kind) == ("10-AB-123", "AZ", "truck")
    (tmp_path / "bad.json").write_text(
        '{"id": "p1", "schema": "Person", "properties": {}}\n{"schema": "Nope"}\n'
    )
    with pytest.raises(ImportFailed) as failed:
        _import(engine, scope_b, tmp_path / "bad.json", "ftm")
    assert [p["line"].split(" ")[0] for p in failed.value.details] == ["1", "2"]


def test_import_cli_lists_problems_and_round_trips(
    cli_env: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from fixtures.cli import run_cli

    assert run_cli(monkeypatch, capsys, "init")[0] == 0
    path = _misp([_event(GOOD), _event(NO_QUANTITY, quantity=None)], tmp_path / "m.json")
    code, _, err = run_cli(monkeypatch, capsys, "import", str(path), "--mapping", "misp")
    assert code == 6 and "1 of 2 events are bad; nothing was imported" in err
    assert "physical-object 1: quantity" in err
    code, out, err = run_cli(monkeypatch, capsys, "import", str(path), "--mapping", "misp", "--keep-valid")
    assert code == 0, err
    assert "seizures created              1" in out


@pytest.mark.slow
def test_demo_azerbaijan_2016_round_trip(
    engine: Engine, scope: Scope, scope_b: Scope, tmp_path: Path
) -> None:
    from astara.demo.service import load_demo

    with transaction(engine) as session:
        load_demo(session, scope, TODAY)
    where = ["country=AZ", "year=2016"]
    exported = export_file(engine, scope, tmp_path / "az2016.misp.json", "misp", where=where)
    report = _import(engine, scope_b, tmp_path / "az2016.misp.json")
    assert exported.records > 100 and report.seizures_created == exported.records and report.rejected == 0

    def az2016(s: Scope) -> list[tuple[Any, ...]]:  # (the IDS rows have no reference: MISP's uuid is one)
        return sorted(
            (row[1:] for row in _seizures(engine, s) if row[3] == "AZ" and row[1].year == 2016), key=repr
        )

    assert az2016(scope_b) == az2016(scope) and len(az2016(scope)) == exported.records


@pytest.mark.slow
def test_a_thousand_events_with_problems_spread_through_them(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    events = [_event(f"5b1f3c2e-2222-4a4a-8b8b-{n:012d}") for n in range(1000)]
    events[10] = _event("5b1f3c2e-2222-4a4a-8b8b-bad000000010", quantity=None)
    events[500]["Object"][0]["Attribute"][0]["value"] = "moon dust"  # refused by the seizure rules
    events[998]["Object"].pop(1)  # no geolocation
    path = _misp(events, tmp_path / "many.json")
    with pytest.raises(ImportFailed, match="3 of 1,000 events are bad") as failed:
        _import(engine, scope, path)
    assert [p["event"].split(" ")[0] for p in failed.value.details] == ["11", "501", "999"]
    assert _count(engine, scope, SeizureEvent) == 0
    report = _import(engine, scope, path, keep_valid=True)
    assert (report.seizures_created, report.rejected) == (997, 3) and _count(
        engine, scope, SeizureEvent
    ) == 997


def test_another_producers_event_with_a_weight_and_split_names(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    event = _event(GOOD)
    event["Object"][0]["Attribute"] = [
        {"object_relation": "name", "type": "text", "value": "опий"},  # the drug by a Russian name
        {"object_relation": "weight", "type": "text", "value": "12.5 kg"},
    ]
    event["Object"].append(
        {
            "name": "person",
            "Attribute": [
                {"object_relation": "first-name", "type": "first-name", "value": "Leyla"},
                {"object_relation": "last-name", "type": "last-name", "value": "Əliyeva"},
                {"object_relation": "passport-number", "type": "passport-number", "value": "C7654321"},
            ],
        }
    )
    report = _import(engine, scope, _misp([event], tmp_path / "m.json"))
    assert (report.seizures_created, report.entities_created, report.unknown) == (1, 1, [])
    with transaction(engine) as session:
        seizure = session.scalars(select(SeizureEvent).where(SeizureEvent.agency_id == scope.agency_id)).one()
        item = seizure.items[0]
        assert (item.drug_code, item.quantity, item.unit_code, item.kg) == ("opium", 12.5, "kg", 12.5)
        person = session.scalars(select(Person).where(Person.agency_id == scope.agency_id)).one()
        assert (person.name, person.id_number) == ("Leyla Əliyeva", "C7654321")
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.agency_id == scope.agency_id)
        ).all()
    assert actions.count("import") == 1 and actions.count("create") == 1


def test_ftm_persons_raise_watch_list_alerts(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    from followthemoney import model

    person = model.make_entity("Person")
    person.id = "someone-elses-id-1"
    person.add("name", "Rauf Mammadov")
    person.add("birthDate", "1979-05-02")
    (tmp_path / "p.json").write_text(json.dumps(person.to_dict()) + "\n", encoding="utf-8")
    with transaction(engine) as session:
        watch.create_list(session, scope, "couriers")
        watch.add_entry(
            session, scope, "couriers", "person", {"name": "Rauf Məmmədov", "birth_date": "1979-05-02"}
        )
    report = _import(engine, scope, tmp_path / "p.json", "ftm")
    assert (report.entities_created, report.watch_alerts) == (1, 1)
