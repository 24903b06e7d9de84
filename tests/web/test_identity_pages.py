"""The alerts and entities pages speak of resolved identities; an identity's page shows its records,
why they are one and its seizures."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.matching import store, watch

REZAEI = [
    {"name": "Mohammad Rezaei", "birth_date": "1984-03-21", "nationality": "IR", "id_number": "K12345678"},
    {"name": "محمد رضایی", "birth_date": "1984-03-21", "nationality": "IR", "id_number": "K 1234 5678"},
    {"name": "Мохаммад Резаи", "birth_date": "1984-03-21", "nationality": "IR", "id_number": "K12345678"},
]


def test_alert_entities_and_identity_pages_name_the_identity(
    api_client: TestClient, engine: Engine, scope: Scope
) -> None:
    with transaction(engine) as session:
        watch.create_list(session, scope, "drivers")
        watch.add_entry(
            session, scope, "drivers", "person", {"name": "Mohammad Rezaei", "birth_date": "1984-03-21"}
        )
        ids = [store.create_entity(session, scope, "person", r)[0].id for r in REZAEI]
    first = min(ids)
    alerts = api_client.get("/alerts")
    assert alerts.status_code == 200
    assert f'href="/identities/person/{first}"' in alerts.text and "3 records" in alerts.text
    assert "محمد رضایی" in alerts.text and "Мохаммад Резаи" in alerts.text
    search = api_client.get("/entities", params={"kind": "person", "name": "Mohammad Rezaei"})
    assert search.status_code == 200
    # one identity: its best record shown, the two others on demand
    assert (
        search.text.count('class="card candidate"') == 3 and "2 more records of this identity" in search.text
    )
    cards = search.text.split('class="card candidate"')
    assert (
        '<details class="identity-members">' in cards[1]
        and '<details class="identity-members">' not in cards[2]
    )
    page = api_client.get(f"/identities/person/{ids[2]}")
    assert page.status_code == 200
    assert all(r["name"] in page.text for r in REZAEI) and "same identifier" in page.text
    assert "No seizure links this identity." in page.text
    persian = api_client.get(f"/identities/person/{first}", headers={"Accept-Language": "fa"})
    assert "سوابق این هویت" in persian.text
    assert api_client.get("/identities/person/nobody").status_code == 404
    assert api_client.get("/identities/ship/x").status_code in (400, 404, 422)
