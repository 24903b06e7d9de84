"""Two Astara nodes in one process, each with its own database and key pair.

The feed is carried by a function that signs the request like the HTTP client does and has the
other node check it and serve the page, so every signature is made and verified for real.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.agencies.service import create_agency
from astara.db.engine import make_engine, transaction
from astara.db.models import Base, EventEntityLink, Person, Vehicle
from astara.seizures import service as seizures
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.sharing import service, sync
from astara.sharing.agreements import load_agreement_file
from astara.sharing.feed import sign_request
from astara.sharing.keys import KeyPair, load_or_create
from astara.sharing.schemas import PartnerIn

EXAMPLE = Path(__file__).resolve().parents[2] / "src/astara/sharing/examples/az-ir-border-services.yaml"
TODAY = dt.date(2026, 1, 15)


@dataclass
class Node:
    engine: Engine
    scope: Scope
    keys: KeyPair
    data_dir: Path

    @contextmanager
    def unit(self) -> Iterator[tuple[Session, Scope]]:
        with transaction(self.engine) as session:
            yield session, self.scope


def make_node(root: Path, code: str, name: str, country: str, url: str | None = None) -> Node:
    root.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url or f"sqlite:///{root / 'astara.sqlite3'}")
    Base.metadata.create_all(engine)
    with transaction(engine) as session:
        scope = create_agency(session, code, name, country)
    return Node(engine, scope, load_or_create(root), root)


def link(a: Node, b: Node, agreement: Path = EXAMPLE) -> None:
    """Register each as the other's partner and load the agreement on both sides."""
    doc = load_agreement_file(agreement)
    for me, other in ((a, b), (b, a)):
        with me.unit() as (session, scope):
            service.add_partner(
                session,
                scope,
                PartnerIn(code=other.scope.agency_code, url="http://partner.test", key=other.keys.public_b64),
            )
            service.add_agreement(session, scope, doc)


def feed_of(server: Node) -> Any:
    """A fetch function (as :func:`astara.sharing.client.fetch_feed`) served by ``server`` in-process."""

    def fetch(url: str, keys: KeyPair, sender: str, to: str, after: int, limit: int) -> dict[str, Any]:
        query = f"after={after}&limit={limit}"
        headers = sign_request(keys, "GET", "/api/sharing/feed", query, sender, to)
        with transaction(server.engine) as session:
            scope, partner = sync.partner_scope(session, headers, "GET", "/api/sharing/feed", query, b"")
        with transaction(server.engine) as session:
            return sync.serve_feed(session, scope, server.keys, partner.code, after, limit)

    return fetch


def receipts_to(server: Node) -> Any:
    def post(url: str, keys: KeyPair, sender: str, to: str, receipts: list[dict[str, Any]]) -> dict[str, Any]:
        with transaction(server.engine) as session:
            partner = service.get_partner(session, server.scope, sender)
            return {"accepted": sync.accept_receipts(session, server.scope, partner, receipts)}

    return post


def record_seizure(
    node: Node,
    reference: str,
    *,
    transport: str = "truck",
    validated: bool = False,
    tlp: str | None = None,
    driver: str | None = None,
    plate: str | None = None,
) -> str:
    data = SeizureCreate(
        reference=reference, date="2025-11-03", place="Astara border crossing", country="AZ",
        departure_country="IR", transport=transport, concealment="false compartment",
        notes="informant K-7 tip",
        validation_status="validated" if validated else None, tlp=tlp,
        items=[SeizureItemIn(drug="heroin", quantity=260, unit="kg")],
    )  # fmt: skip
    with node.unit() as (session, scope):
        event = seizures.create_seizure(session, scope, data, today=TODAY)
        links = []
        if driver:
            session.add(Person(id=f"p-{reference}", agency_id=scope.agency_id, name=driver, nationality="IR"))
            links.append(("person", f"p-{reference}", "driver"))
        if plate:
            session.add(Vehicle(id=f"v-{reference}", agency_id=scope.agency_id, plate=plate, country="IR"))
            links.append(("vehicle", f"v-{reference}", "conveyance"))
        for kind, entity_id, role in links:
            session.add(EventEntityLink(agency_id=scope.agency_id, event_id=event.id, entity_type=kind,
                                        entity_id=entity_id, role=role))  # fmt: skip
        if links:
            session.flush()
            from astara.sharing import outbox

            outbox.record_changed(session, scope, [event.id], TODAY)  # the entities changed the record
        return event.id


@pytest.fixture
def az(tmp_path: Path, database_url: str) -> Iterator[Node]:
    """AZ-SCS: on PostgreSQL when ASTARA_TEST_DATABASE_URL names one (IR-ANP stays on SQLite)."""
    node = make_node(tmp_path / "az", "AZ-SCS", "State Customs Committee", "AZ", database_url)
    yield node
    node.engine.dispose()


@pytest.fixture
def ir(tmp_path: Path) -> Node:
    return make_node(tmp_path / "ir", "IR-ANP", "Anti-Narcotics Police", "IR")


@pytest.fixture
def linked(az: Node, ir: Node) -> tuple[Node, Node]:
    link(az, ir)
    return az, ir
