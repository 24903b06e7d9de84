"""Networks of entities linked through seizures, their communities and centrality; timelines."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import EventEntityLink, Organization, Person, Phone, Vehicle
from astara.errors import InvalidInput
from astara.networks.service import network, timeline, to_graphml
from astara.seizures.service import list_seizures
from fixtures.make import ids_row, import_file, write_ids

# event index -> (entity type, entity id, role)
LINKS = {
    0: [("person", "ali", "driver"), ("vehicle", "truck", "vehicle")],
    1: [("person", "rauf", "driver"), ("vehicle", "truck", "vehicle")],
    2: [("person", "ali", "owner"), ("person", "samira", "courier"), ("phone", "mobile", "phone")],
    3: [("person", "samira", "courier"), ("phone", "mobile", "phone")],
    4: [("person", "davud", "consignee"), ("organization", "caspian", "consignor")],
}


@pytest.fixture
def linked(engine: Engine, scope: Scope, scope_b: Scope, tmp_path: Path) -> list[str]:
    rows = [ids_row(SEIZURE_DATE=f"2016-0{i + 1}-10", AMOUNT=str(100 + i)) for i in range(5)]
    rows.append(ids_row(SEIZURE_DATE="2016-07-01", DEPARTURE_COUNTRY="Turkey", AMOUNT="7"))
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    import_file(engine, scope_b, write_ids(tmp_path / "ids_b.csv", rows[:1]))
    with transaction(engine) as session:
        events = [e.id for e in list_seizures(session, scope, sort="date").items]
        other = list_seizures(session, scope_b).items[0].id
        a = scope.agency_id
        session.add_all(
            [
                Person(id="ali", agency_id=a, name="Əli Məmmədov"),
                Person(id="rauf", agency_id=a, name="Rauf Quliyev"),
                Person(id="samira", agency_id=a, name="Samira Həsənova"),
                Person(id="davud", agency_id=a, name="Davud Rzayev"),
                Vehicle(id="truck", agency_id=a, plate="10-AB-123", kind="truck"),
                Phone(id="mobile", agency_id=a, number="+994501234567"),
                Organization(id="caspian", agency_id=a, name="Caspian Logistics MMC"),
                Person(id="other", agency_id=scope_b.agency_id, name="Agency B's own suspect"),
            ]
        )
        for index, links in LINKS.items():
            for kind, entity_id, role in links:
                session.add(
                    EventEntityLink(
                        agency_id=a, event_id=events[index], entity_type=kind, entity_id=entity_id, role=role
                    )
                )
        session.add(
            EventEntityLink(
                agency_id=scope_b.agency_id,
                event_id=other,
                entity_type="person",
                entity_id="other",
                role="driver",
            )
        )
    return events


def test_network_finds_the_bridge_and_the_separate_group(
    engine: Engine, scope: Scope, linked: list[str]
) -> None:
    with transaction(engine) as session:
        result = network(session, scope, ["country=AZ"])
    entities = {n.id: n for n in result.nodes if n.kind != "event"}
    assert set(entities) == {
        "person:ali", "person:rauf", "person:samira", "person:davud", "vehicle:truck", "phone:mobile",
        "organization:caspian",
    }  # fmt: skip
    assert result.events == 5
    central = max(entities.values(), key=lambda n: n.betweenness or 0)
    assert central.label == "Əli Məmmədov"  # links the truck's drivers to the courier and her phone
    assert entities["person:davud"].community == entities["organization:caspian"].community
    assert entities["person:davud"].community != entities["person:ali"].community
    shared = {(e.source, e.target): e.weight for e in result.edges if e.kind == "shared"}
    assert shared[("person:samira", "phone:mobile")] == 2
    graph = nx.read_graphml(io.BytesIO(to_graphml(result).encode()))
    assert graph.number_of_nodes() == len(result.nodes) and graph.nodes["person:ali"]["kind"] == "person"


def test_network_filters_and_agency_scope(
    engine: Engine, scope: Scope, scope_b: Scope, linked: list[str]
) -> None:
    with transaction(engine) as session:
        early = network(session, scope, ["month=2016-01"])
        other = network(session, scope_b)
    assert {n.label for n in early.nodes if n.kind != "event"} == {"Əli Məmmədov", "10-AB-123"}
    assert [n.label for n in other.nodes if n.kind != "event"] == ["Agency B's own suspect"]


def test_timelines_of_an_entity_a_place_and_a_route(engine: Engine, scope: Scope, linked: list[str]) -> None:
    with transaction(engine) as session:
        ali = timeline(session, scope, entity="person:ali")
        route = timeline(session, scope, route="TR>AZ")
        place = timeline(session, scope, place="az-ir-astara-road")
        with pytest.raises(InvalidInput):
            timeline(session, scope, route="nowhere")
        with pytest.raises(InvalidInput):
            timeline(session, scope, entity="person:ali", place="x")
    assert [e.event_id for e in ali.entries] == [linked[0], linked[2]]
    assert [e.roles for e in ali.entries] == [["driver"], ["owner"]]
    assert ali.subject == "person Əli Məmmədov" and ali.entries[0].drugs == "Heroin"
    assert len(route.entries) == 1 and route.entries[0].route == "Türkiye → Azerbaijan → Azerbaijan"
    assert len(place.entries) == 6 and place.entries[0].date is not None
    assert [e.date for e in place.entries] == sorted(e.date for e in place.entries if e.date)


def test_network_and_timeline_endpoints(api_client: TestClient, linked: list[str]) -> None:
    data = api_client.get("/api/network", params={"where": ["country=AZ"]}).json()
    assert {n["id"] for n in data["nodes"]} >= {"person:ali", "vehicle:truck"}
    graphml = api_client.get("/api/network.graphml")
    assert graphml.status_code == 200 and "<graphml" in graphml.text
    ali = api_client.get("/api/timeline", params={"entity": "person:ali"}).json()
    assert [e["event_id"] for e in ali["entries"]] == [linked[0], linked[2]]
