"""Identities beyond the network: an alert names the identity, a partner's received record joins it and
its timeline marks the record as received."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.imports.schemas import ImportOptions
from astara.imports.service import run_import
from astara.matching import identities, store, watch
from astara.networks.service import format_timeline, timeline
from astara.sharing import outbox, service
from fixtures.make import TODAY
from sharing.conftest import EXAMPLE, Node, feed_of, link, make_node, receipts_to, record_seizure

REZAEI = [
    {"name": "Mohammad Rezaei", "birth_date": "1984-03-21", "nationality": "IR", "id_number": "K12345678"},
    {"name": "محمد رضایی", "birth_date": "1984-03-21", "nationality": "IR", "id_number": "K 1234 5678"},
    {"name": "Мохаммад Резаи", "birth_date": "1984-03-21", "nationality": "IR", "id_number": "K12345678"},
]


def test_an_alert_names_the_identity_in_every_script(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        watch.create_list(session, scope, "drivers")
        watch.add_entry(
            session, scope, "drivers", "person", {"name": "Mohammad Rezaei", "birth_date": "1984-03-21"}
        )
        store.create_entity(session, scope, "person", REZAEI[1])
        store.create_entity(session, scope, "person", REZAEI[2])
        entity, raised = store.create_entity(session, scope, "person", REZAEI[0])
    assert raised
    with transaction(engine) as session:
        alerts = watch.alerts(session, scope)
        members = identities.members_of(session, scope, "person", [entity.id])[entity.id]
    about = next(a["identity"] for a in alerts if a["entity_id"] == entity.id)
    assert about["count"] == 3 and about["members"] == members
    assert set(about["names"]) == {r["name"] for r in REZAEI}
    assert about["link"] == f"/identities/person/{members[0]}"


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """AZ sends IR names under an agreement that lets them out."""
    agreement = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    names = {"id": "names", "categories": ["seizure_facts", "nominal"],
             "fields": ["reference", "person.name", "person.nationality", "person.birth_date"]}  # fmt: skip
    path = tmp_path / "agreement.yaml"
    path.write_text(
        yaml.safe_dump({**agreement, "clauses": [*agreement["clauses"], names]}), encoding="utf-8"
    )
    az = make_node(tmp_path / "az", "AZ-SCS", "State Customs Committee", "AZ")
    ir = make_node(tmp_path / "ir", "IR-ANP", "Anti-Narcotics Police", "IR")
    link(az, ir, path)
    yield az, ir
    az.engine.dispose()
    ir.engine.dispose()


def test_a_received_record_joins_the_identity_and_the_timeline_marks_it(nodes: tuple[Node, Node]) -> None:
    az, ir = nodes
    event_id = record_seizure(ir, "IR-2025-0007")
    with ir.unit() as (session, scope):
        own, _ = store.create_entity(session, scope, "person", REZAEI[1], event_id=event_id, role="driver")
        own_id = own.id
    sent = record_seizure(az, "AZ-2025-0301")
    with az.unit() as (session, scope):
        latin = {k: v for k, v in REZAEI[0].items() if k != "id_number"}
        store.create_entity(session, scope, "person", latin, event_id=sent, role="driver")
        outbox.record_changed(session, scope, [sent], TODAY)  # the person changed the record
    service.pull(ir.unit, ir.keys, "AZ-SCS", 500, fetch=feed_of(az), post=receipts_to(az))
    with ir.unit() as (session, scope):
        members = identities.members_of(session, scope, "person", [own_id])[own_id]
        line = timeline(session, scope, entity=f"person:{own_id}")
        incremental = {
            (i.identity_id, tuple(i.members)) for i in identities.repository.identities(session, scope)
        }
        identities.resolve(session, scope)
        full = {(i.identity_id, tuple(i.members)) for i in identities.repository.identities(session, scope)}
    # the received person joined on arrival, as the full run joins it
    assert any(m.startswith("r") for m in members) and own_id in members
    assert incremental == full
    received = [e for e in line.entries if e.received_from]
    assert [(e.event_id, e.received_from) for e in received] == [("AZ-2025-0301", "AZ-SCS")]  # latest version
    assert [e.received_from for e in line.entries].count(None) == 1
    assert "received from AZ-SCS: AZ-2025-0301" in format_timeline(line)


def _import_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    header = ["reference", "date", "country", "drug", "quantity", "unit", "conveyance_ids", "person_name",
              "person_birth_date", "person_nationality", "person_id_number"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for n, row in enumerate(rows, start=1):
            base = {"reference": f"IMP-{n}", "date": f"2025-03-0{n}", "country": "AZ", "drug": "heroin",
                    "quantity": "12", "unit": "kg"}  # fmt: skip
            writer.writerow([{**base, **row}.get(h, "") for h in header])
    return path


def test_an_imported_person_joins_the_identity_of_a_stored_one(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    with transaction(engine) as session:
        stored, _ = store.create_entity(session, scope, "person", REZAEI[0])
        truck, _ = store.create_entity(session, scope, "vehicle", {"plate": "10-AB-123", "country": "AZ"})
        stored_id, truck_id = stored.id, truck.id
    persian = {"person_name": REZAEI[1]["name"], "person_birth_date": "1984-03-21",
               "person_nationality": "IR",
               "person_id_number": "K12345678", "conveyance_ids": "10-AB-123 (AZ)"}  # fmt: skip
    path = _import_csv(tmp_path / "people.csv", [persian, {"person_name": "Rauf Quliyev"}])
    with transaction(engine) as session:
        report = run_import(session, scope, path, ImportOptions(mapping="astara", today=TODAY))
    assert report.persons_created == 2
    with transaction(engine) as session:
        people = identities.members_of(session, scope, "person", [stored_id])[stored_id]
        vehicles = identities.members_of(session, scope, "vehicle", [truck_id])[truck_id]
        line = timeline(session, scope, entity=f"person:{stored_id}")
        after_import = {
            (i.identity_id, tuple(i.members)) for i in identities.repository.identities(session, scope)
        }
        identities.resolve(session, scope)
        full = {(i.identity_id, tuple(i.members)) for i in identities.repository.identities(session, scope)}
    assert len(people) == 2 and stored_id in people  # one identity: the stored record and the imported one
    assert len(vehicles) == 2 and truck_id in vehicles
    assert [e.event_id for e in line.entries] and len(line.entries) == 1
    assert after_import == full
