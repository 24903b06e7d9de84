"""The three exports validate with their formats' own libraries, keep ids stable and follow the policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from astara.db.engine import transaction
from astara.db.models import AuditEntry
from astara.errors import InvalidInput
from astara.matching.store import create_entity, judge
from astara.sharing import service as sharing
from astara.sharing.agreements import load_agreement_file
from interchange.conftest import Loaded, export_file

for _library in ("followthemoney", "stix2", "stix2validator", "pymisp"):  # the astara[interchange] extra
    pytest.importorskip(_library)

EXAMPLE = Path(__file__).resolve().parents[2] / "src/astara/sharing/examples/az-ir-border-services.yaml"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_ftm_entities_load_in_the_ftm_model(engine: Engine, loaded: Loaded, tmp_path: Path) -> None:
    from followthemoney import model

    report = export_file(engine, loaded.scope, tmp_path / "out.ftm.json", "ftm")
    entities = _lines(tmp_path / "out.ftm.json")
    assert report.records == 3 and report.objects == len(entities)
    for data in entities:
        proxy = model.get_proxy(data)
        assert proxy.schema.validate(data) is None, data
    by_schema: dict[str, list[dict[str, Any]]] = {}
    for data in entities:
        by_schema.setdefault(data["schema"], []).append(data)
    assert len(by_schema["Event"]) == 3
    person = by_schema["Person"][0]
    assert person["properties"]["name"] == ["Rauf Məmmədov"] and person["properties"]["birthDate"] == [
        "1979-05-02"
    ]
    assert by_schema["Vehicle"][0]["properties"]["registrationNumber"] == ["10-AB-123"]
    assert by_schema["Organization"][0]["properties"]["name"] == ["Xəzər Logistika MMC"]
    assert by_schema["Passport"][0]["properties"]["holder"] == [person["id"]]
    roles = {
        (link["properties"]["subject"][0], link["properties"]["role"][0]) for link in by_schema["UnknownLink"]
    }
    assert (person["id"], "driver") in roles
    truck = next(e for e in by_schema["Event"] if e["properties"]["recordId"] == ["SCS-2016-0412"])
    assert person["id"] in truck["properties"]["involved"] and truck["properties"]["date"] == ["2016-04-12"]
    assert truck["properties"]["name"] == ["Seizure SCS-2016-0412: Heroin, Opium 45.5 kg, Astara"]


def test_ftm_ids_are_stable_and_a_merged_identity_names_what_it_replaces(
    engine: Engine, loaded: Loaded, tmp_path: Path
) -> None:
    export_file(engine, loaded.scope, tmp_path / "a.json", "ftm")
    export_file(engine, loaded.scope, tmp_path / "b.json", "ftm")
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()
    first = {d["id"] for d in _lines(tmp_path / "a.json")}
    with transaction(engine) as session:  # the same driver, recorded again on the hashish seizure
        again, _ = create_entity(
            session,
            loaded.scope,
            "person",
            {"name": "Rauf Mammadov", "birth_date": "1979"},
            event_id=loaded.hashish,
            role="driver",
        )
        judge(session, loaded.scope, "person", loaded.driver, again.id, "same")
    export_file(engine, loaded.scope, tmp_path / "c.json", "ftm")
    persons = [d for d in _lines(tmp_path / "c.json") if d["schema"] == "Person"]
    assert len(persons) == 1
    kept, gone = sorted([loaded.driver, again.id])
    assert persons[0]["id"].endswith(kept) and persons[0]["referents"] == [
        persons[0]["id"].replace(kept, gone)
    ]
    assert (persons[0]["id"] in first) == (
        kept == loaded.driver
    )  # the old id lives on when it is the smaller


def test_stix_bundle_passes_the_oasis_validator(engine: Engine, loaded: Loaded, tmp_path: Path) -> None:
    from astara.interchange.stix import EXTENSION_ID, TLP2_IDS, validate

    export_file(engine, loaded.scope, tmp_path / "out.stix.json", "stix")
    text = (tmp_path / "out.stix.json").read_text()
    assert validate(text) == []
    bundle = json.loads(text)
    objects = {o["id"]: o for o in bundle["objects"]}
    reports = [o for o in bundle["objects"] if o["type"] == "report"]
    assert len(reports) == 3
    truck = next(r for r in reports if r["extensions"][EXTENSION_ID]["reference"] == "SCS-2016-0412")
    facts = truck["extensions"][EXTENSION_ID]
    assert [(i["drug_code"], i["kg"]) for i in facts["items"]] == [("heroin", 42.5), ("opium", 3.0)]
    assert (
        facts["route"]["transit_countries"] == ["AZ", "GE"] and facts["vehicles"][0]["plate"] == "10-AB-123"
    )
    assert truck["object_marking_refs"] == [TLP2_IDS["amber"]]
    marking = objects[TLP2_IDS["amber"]]
    assert (
        marking["extensions"]["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"]["tlp_2_0"]
        == "amber"
    )
    driver = next(objects[r["ref"]] for r in facts["roles"] if r["role"] == "driver")
    assert driver["identity_class"] == "individual" and driver["name"] == "Rauf Məmmədov"
    assert any(
        objects[ref]["type"] == "location" and objects[ref].get("name") == "Astara"
        for ref in truck["object_refs"]
    )
    assert objects[EXTENSION_ID]["type"] == "extension-definition"


def test_the_validator_catches_a_broken_bundle(engine: Engine, loaded: Loaded, tmp_path: Path) -> None:
    from astara.interchange.stix import validate

    export_file(engine, loaded.scope, tmp_path / "out.stix.json", "stix")
    bundle = json.loads((tmp_path / "out.stix.json").read_text())
    next(o for o in bundle["objects"] if o["type"] == "report").pop("published")
    assert validate(json.dumps(bundle))


def test_misp_events_load_in_pymisp(engine: Engine, loaded: Loaded, tmp_path: Path) -> None:
    from pymisp import MISPEvent

    export_file(engine, loaded.scope, tmp_path / "out.misp.json", "misp")
    events = json.loads((tmp_path / "out.misp.json").read_text())["response"]
    assert len(events) == 3
    loaded_events = []
    for raw in events:
        event = MISPEvent()
        event.load(raw)
        loaded_events.append(event)
    truck = next(e for e in loaded_events if any(a.value == "SCS-2016-0412" for a in e.attributes))
    assert [t.name for t in truck.tags] == ["tlp:amber"] and truck.Orgc.name == "State Customs Committee"
    names = sorted(o.name for o in truck.objects)
    assert names == ["geolocation", "organization", "person", "physical-object", "physical-object", "vehicle"]
    person = next(o for o in truck.objects if o.name == "person")
    assert {a.object_relation: a.value for a in person.attributes}["role"] == "driver"


def test_a_partner_export_follows_the_agreement(engine: Engine, loaded: Loaded, tmp_path: Path) -> None:
    with transaction(engine) as session:
        sharing.add_agreement(session, loaded.scope, load_agreement_file(EXAMPLE))
    report = export_file(engine, loaded.scope, tmp_path / "p.json", "misp", partner="ir-anp")
    assert report.records == 2 and set(report.refused) == {loaded.red}
    assert "TLP:RED" in report.refused[loaded.red]
    text = (tmp_path / "p.json").read_text()
    assert "Rauf" not in text and "C01234567" not in text  # names and document numbers are not shared
    assert "10-AB-123" in text  # the plate of a road seizure is (art6.2)
    own = export_file(engine, loaded.scope, tmp_path / "own.json", "misp")
    assert own.records == 3 and "Rauf" in (tmp_path / "own.json").read_text()
    with transaction(engine) as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "export")))
    assert [(e.partner_code, e.details["refused"], e.details["format"]) for e in entries] == [
        ("IR-ANP", 1, "misp"),
        (None, 0, "misp"),
    ]


def test_a_partner_without_an_agreement_in_force_is_refused(
    engine: Engine, loaded: Loaded, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="no agreement with TR-JGK"):
        export_file(engine, loaded.scope, tmp_path / "p.json", "stix", partner="TR-JGK")
    assert not (tmp_path / "p.json").exists()


def test_export_cli_writes_a_validated_stix_file(
    cli_env: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from astara.interchange.stix import validate
    from fixtures.cli import run_cli

    assert run_cli(monkeypatch, capsys, "init")[0] == 0
    code, out, err = run_cli(monkeypatch, capsys, "export", str(tmp_path / "x.json"), "--layout", "stix")
    assert code == 0, err
    assert "wrote 0 seizures" in out and validate((tmp_path / "x.json").read_text()) == []
    code, _, err = run_cli(monkeypatch, capsys, "export", str(tmp_path / "y.csv"), "--partner", "IR-ANP")
    assert code == 2 and "interchange layouts" in err
