"""Reports, sharing and network pages: each shows what its domain provides, for the acting agency."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import EventEntityLink, Person, SeizureEvent, Vehicle
from fixtures.make import ids_row, import_file, write_ids


def test_report_form_opens_the_report(
    api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    import_file(
        engine, scope, write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT=str(10 + i)) for i in range(3)])
    )
    assert "Bilateral periodic report" in api_client.get("/reports").text
    report = api_client.get("/reports/open", params={"type": "bilateral", "country": "AZ", "period": "2016",
                                                      "partner": "IR"})  # fmt: skip
    assert report.status_code == 200 and "Azerbaijan" in report.text and "3 of 3" in report.text
    assert (
        api_client.get(
            "/reports/open", params={"type": "gossip", "country": "AZ", "period": "2016"}
        ).status_code
        == 422
    )


def test_sharing_page_without_partners_says_what_to_do(api_client: TestClient) -> None:
    page = api_client.get("/sharing")
    assert page.status_code == 200 and 'href="/partners"' in page.text and "the chain is intact" in page.text


def test_network_data_for_the_view(
    api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    rows = [ids_row(AMOUNT="5"), ids_row(AMOUNT="6", SEIZURE_DATE="2016-07-01")]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    with transaction(engine) as session:
        events = session.scalars(select(SeizureEvent.id)).all()
        session.add_all([Person(id="p1", agency_id=scope.agency_id, name="Məmməd Rzayev"),
                         Vehicle(id="v1", agency_id=scope.agency_id, plate="10-AB-123")])  # fmt: skip
        session.flush()
        for event_id in events:
            session.add(EventEntityLink(agency_id=scope.agency_id, event_id=event_id, entity_type="person",
                                        entity_id="p1", role="driver"))  # fmt: skip
        session.add(EventEntityLink(agency_id=scope.agency_id, event_id=events[0], entity_type="vehicle",
                                    entity_id="v1", role="conveyance"))  # fmt: skip
    assert "vis-network.min.js" in api_client.get("/network").text
    data = api_client.get("/api/network").json()
    labels = {n["label"] for n in data["nodes"]}
    assert "Məmməd Rzayev" in labels and "10-AB-123" in labels and data["events"] == 2
