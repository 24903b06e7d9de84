"""The sharing REST API: agreements, explain, partners, permission, and the signed feed's refusals."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth.service import create_token
from astara.db.engine import transaction
from astara.db.models import User
from astara.settings import Settings
from astara.sharing.keys import load_or_create

from .conftest import EXAMPLE


def _doc() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def test_an_agreement_is_added_listed_and_explained(api_client: TestClient, tmp_path: Any) -> None:
    doc = _doc()
    doc["valid_from"], doc["valid_until"] = str(doc["valid_from"]), str(doc["valid_until"])
    added = api_client.post("/api/sharing/agreements", json=doc)
    assert added.status_code == 201, added.text
    assert added.json()["partner_code"] == "IR-ANP"
    assert [a["code"] for a in api_client.get("/api/sharing/agreements").json()] == ["AZ-IR-BORDER-2024"]
    partner = {
        "code": "IR-ANP",
        "url": "http://127.0.0.1:9",
        "key": load_or_create(tmp_path / "ir").public_b64,
    }
    assert api_client.post("/api/sharing/partners", json=partner).status_code == 201
    created = api_client.post("/api/seizures", json={
        "date": "2025-11-03", "country": "AZ", "transport": "truck",
        "items": [{"drug": "opium", "quantity": 515, "unit": "kg"}],
    }).json()  # fmt: skip
    why = api_client.get(
        "/api/sharing/explain", params={"partner": "IR-ANP", "record": created["id"], "field": "items.kg"}
    )
    assert why.status_code == 200 and why.json()["shared"] and why.json()["fields"][0]["clause"] == "art4.1"
    [status] = api_client.get("/api/sharing/status").json()
    assert status["backlog"] == 1  # the new seizure was queued for IR-ANP in the same request


def test_a_bad_agreement_gets_422_naming_the_field(api_client: TestClient) -> None:
    doc = _doc()
    doc["valid_from"], doc["valid_until"] = str(doc["valid_from"]), str(doc["valid_until"])
    doc["onward_sharing"] = "sometimes"
    answer = api_client.post("/api/sharing/agreements", json=doc)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["field"] == "onward_sharing"


def test_an_analyst_may_not_manage_sharing(settings: Settings, engine: Engine, scope: Scope) -> None:
    from astara.web.app import create_app

    with transaction(engine) as session:
        session.add(User(agency_id=scope.agency_id, username="leyla@az-scs", role="analyst"))
        session.flush()
        user = session.query(User).filter_by(username="leyla@az-scs").one()
        analyst = Scope(scope.agency_id, scope.agency_code, user.id, "analyst")
        token = create_token(session, analyst, "analyst")[1]
    client = TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/sharing/agreements").status_code == 403


def test_the_feed_refuses_unsigned_requests(api_client: TestClient) -> None:
    answer = api_client.get("/api/sharing/feed", params={"after": 0})
    assert answer.status_code == 401
    assert "X-Astara" in answer.json()["error"]["message"] or "x-astara" in answer.json()["error"]["message"]
