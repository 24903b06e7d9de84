"""Identities beyond the network: an alert names the identity, a partner's received record joins it and
its timeline marks the record as received."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
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
