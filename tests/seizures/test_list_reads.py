"""The list pages read the columns they show: a fixed few statements whatever the page size, no
ORM objects, and the same records and rows as reading whole events did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import SeizureEvent, SeizureItem
from astara.seizures import repository
from astara.seizures.schemas import SeizureCreate, SeizureEventOut, SeizureItemIn
from astara.seizures.service import create_seizure
from astara.settings import Settings
from astara.web.app import create_app
from fixtures.make import TODAY

EVENTS = 30


@pytest.fixture
def stored(engine: Engine, scope: Scope) -> None:
    """Events of two items each, one of them without a kilogram equivalent (tablets), some with none."""
    with transaction(engine) as session:
        for n in range(EVENTS):
            items = [SeizureItemIn(drug="heroin", quantity=n + 1, unit="kg")]
            if n % 3:
                items.append(SeizureItemIn(drug="opium", quantity=2, unit="tablet"))
            if n % 7 == 0:
                items = [SeizureItemIn(drug="MDMA", quantity=10, unit="tablet")]
            data = SeizureCreate(date=f"2020-01-{n % 28 + 1:02d}", country="AZ", place=f"Astara {n}",
                                 departure_country="IR", items=items)  # fmt: skip
            create_seizure(session, scope, data, today=TODAY)


def _client(settings: Settings, token: str, page_size: int) -> TestClient:
    app = create_app(settings.model_copy(update={"page_size": page_size}))
    app.state.runtime.acting.clock = lambda: 0.0  # the acting user stays remembered: counted once
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def loaded() -> Iterator[list[Any]]:
    """Every event or item the ORM builds meanwhile."""
    seen: list[Any] = []

    def note(target: Any, _context: Any) -> None:
        seen.append(target)

    event.listen(SeizureEvent, "load", note)
    event.listen(SeizureItem, "load", note)
    yield seen
    event.remove(SeizureEvent, "load", note)
    event.remove(SeizureItem, "load", note)


def _statements(client: TestClient, path: str) -> list[str]:
    said: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        said.append(statement)

    engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return said


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("path", ["/", "/?q=Astara", "/?country=AZ&sort=-kg&page=2", "/dashboard"])
def test_a_list_page_reads_a_few_statements_whatever_its_size_and_no_items(
    settings: Settings, api_token: str, loaded: list[Any], path: str
) -> None:
    counts = []
    for page_size in (5, 25):
        client = _client(settings, api_token, page_size)
        client.get(path)  # counts and summaries cached, the token looked up once
        said = _statements(client, path)
        counts.append(len(said))
        items = [s for s in said if "seizure_items" in s and "FROM seizure_items" in s]
        assert all("seizure_items.drug_text" not in s and "seizure_items.id," not in s for s in items)
    # the list: saved searches, the store version (is the cached count current?), the page's events,
    # their items; the dashboard also its question's version check, partners and open alerts
    assert counts[0] == counts[1] <= (6 if path == "/dashboard" else 4), counts
    assert loaded == []


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize("query", ["limit=50", "limit=7&offset=3&sort=-kg", "limit=5&sort=place&q=Astara"])
def test_the_api_list_answers_the_records_it_answered_before(
    api_client: TestClient, engine: Engine, scope: Scope, query: str
) -> None:
    answer = api_client.get(f"/api/seizures?{query}").json()
    params = dict(p.split("=") for p in query.split("&"))
    with transaction(engine) as session:
        events = repository.list_events(
            session, scope, [], q=params.get("q"), sort=params.get("sort", "-date"),
            offset=int(params.get("offset", 0)), limit=int(params["limit"]),
        )  # fmt: skip
        expected = [SeizureEventOut.model_validate(e).model_dump(mode="json") for e in events]
    assert answer["total"] == EVENTS
    assert answer["items"] == expected
    assert any(len(e["items"]) == 2 for e in expected)
