"""Hole 3: twenty writers save over version 1 at once; the database lets exactly one win.

Real threads against the store under test (a SQLite file, or PostgreSQL when
ASTARA_TEST_DATABASE_URL is set): through the API, each with its own client, and through the
service, each with its own session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.errors import Conflict
from astara.seizures import service
from astara.seizures.schemas import SeizureCreate
from astara.settings import Settings
from astara.web.app import create_app

WRITERS = 20
BODY: dict[str, Any] = {
    "reference": "E-1", "date": "2016-05-03", "country": "AZ", "place": "Astara customs post",
    "tlp": "green", "validation_status": "validated", "notes": "first entry",
    "items": [{"drug": "heroin", "quantity": 12, "unit": "kg"}],
}  # fmt: skip
T = TypeVar("T")


def _edit(writer: int) -> dict[str, Any]:
    """Writer ``writer``'s edit: its own notes and items, so the stored record names the winner."""
    items = [
        {"drug": "opium", "quantity": writer + 1, "unit": "kg"},
        {"drug": "hashish", "quantity": 1, "unit": "g"},
    ]
    return {**BODY, "notes": f"writer {writer}", "items": items}


def _all_at_once(work: Callable[[int], T]) -> list[T]:
    """``work(0..WRITERS-1)`` in as many threads, released together."""
    start = threading.Barrier(WRITERS)

    def run(writer: int) -> T:
        start.wait()
        return work(writer)

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(run, range(WRITERS)))


def test_twenty_api_writers_of_version_1_one_wins(settings: Settings, api_token: str) -> None:
    app = create_app(settings)
    clients = [TestClient(app, headers={"Authorization": f"Bearer {api_token}"}) for _ in range(WRITERS)]
    made = clients[0].post("/api/seizures", json=BODY)
    assert made.status_code == 201
    event_id = made.json()["id"]

    answers = _all_at_once(
        lambda w: clients[w].put(f"/api/seizures/{event_id}", json=_edit(w), params={"version": 1})
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * (WRITERS - 1)
    winner = next(a.json() for a in answers if a.status_code == 200)
    for lost in (a.json()["error"] for a in answers if a.status_code == 409):
        assert lost["code"] == "conflict" and "changed by someone else (version 2" in lost["message"]
    stored = clients[0].get(f"/api/seizures/{event_id}").json()
    assert stored["version"] == 2 and stored["notes"] == winner["notes"]
    assert [(i["drug_code"], i["quantity"]) for i in stored["items"]] == [
        (i["drug_code"], i["quantity"]) for i in winner["items"]
    ]


def test_twenty_service_writers_of_version_1_one_wins(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        event_id = service.create_seizure(session, scope, SeizureCreate.model_validate(BODY)).id

    def save(writer: int) -> str:
        try:
            with transaction(engine) as session:
                data = SeizureCreate.model_validate(_edit(writer))
                return service.update_seizure(session, scope, event_id, data, version=1).notes or ""
        except Conflict:
            return "conflict"

    results = _all_at_once(save)

    winners = [r for r in results if r != "conflict"]
    assert len(winners) == 1 and results.count("conflict") == WRITERS - 1
    with transaction(engine) as session:
        stored = service.get_seizure(session, scope, event_id)
    writer = int(winners[0].removeprefix("writer "))
    assert (stored.version, stored.notes) == (2, f"writer {writer}")
    assert [(i.drug_code, i.quantity) for i in stored.items] == [("opium", writer + 1), ("hashish", 1)]


def test_an_edit_after_the_winner_still_needs_the_new_version(api_client: TestClient) -> None:
    event_id = api_client.post("/api/seizures", json=BODY).json()["id"]
    assert (
        api_client.put(f"/api/seizures/{event_id}", json=_edit(1), params={"version": 1}).status_code == 200
    )
    stale = api_client.put(f"/api/seizures/{event_id}", json=_edit(2), params={"version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["details"] == [{"field": "version", "current": 2, "edited": 1}]
    fresh = api_client.put(f"/api/seizures/{event_id}", json=_edit(3), params={"version": 2})
    assert fresh.status_code == 200 and fresh.json()["version"] == 3
