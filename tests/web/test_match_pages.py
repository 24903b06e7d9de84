"""Entities, watch-list and alert pages: candidates with explanations, judgement buttons, lists, alerts."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.matching import store


def _csrf(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found
    return found.group(1)


def test_entity_page_shows_candidates_and_records_judgements(
    api_client: TestClient, engine: Engine, scope: Scope
) -> None:
    with transaction(engine) as session:
        a, _ = store.create_entity(
            session, scope, "person", {"name": "Məmməd Rzayev", "birth_date": "1971-05-05"}
        )
        b, _ = store.create_entity(
            session, scope, "person", {"name": "Мамед Рзаев", "birth_date": "1971-05-05"}
        )
        a_id, b_id = a.id, b.id
    search = api_client.get(
        "/entities", params={"kind": "person", "name": "محمد رضایف", "birth_date": "1971-05-05"}
    )
    assert search.status_code == 200
    assert "Məmməd Rzayev" in search.text and "Мамед Рзаев" in search.text
    assert "<td>Name <span" in search.text and "for a match" in search.text
    assert f'href="/entities/person/{a_id}"' in search.text
    page = api_client.get(f"/entities/person/{a_id}")
    assert page.status_code == 200 and "Мамед Рзаев" in page.text and ">Match<" in page.text
    assert 'name="verdict" value="not_same"' in page.text
    done = api_client.post(
        f"/entities/person/{a_id}/judge",
        data={
            "csrf_token": _csrf(api_client, f"/entities/person/{a_id}"),
            "other": b_id,
            "verdict": "not_same",
            "note": "brothers",
        },
    )
    assert (
        done.status_code == 200 and "Judgement recorded." in done.text and "Judged not the same" in done.text
    )
    bad = api_client.post(
        f"/entities/person/{a_id}/judge",
        data={
            "csrf_token": _csrf(api_client, f"/entities/person/{a_id}"),
            "other": "nobody",
            "verdict": "same",
        },
    )
    assert bad.status_code == 404 and "no person &#39;nobody&#39;" in bad.text
    assert api_client.get("/entities/person/nobody").status_code == 404


def test_watch_list_pages_and_alerts(api_client: TestClient, engine: Engine, scope: Scope) -> None:
    csrf = _csrf(api_client, "/watchlists")
    created = api_client.post(
        "/watchlists", data={"csrf_token": csrf, "name": "couriers", "description": "route"}
    )
    assert created.status_code == 200 and "couriers" in created.text
    added = api_client.post(
        "/watchlists/couriers/entries",
        data={"csrf_token": csrf, "kind": "person", "name": "محمد رضایی", "birth_date": "1985-06-12"},
    )
    # each name isolated in its own direction, the details left to right
    assert (
        added.status_code == 200 and '<bdi>محمد رضایی</bdi> <bdi dir="ltr">(1985-06-12)</bdi>' in added.text
    )
    empty = api_client.post("/watchlists/couriers/entries", data={"csrf_token": csrf, "kind": "person"})
    assert empty.status_code == 422 and "nothing to match by" in empty.text
    with transaction(engine) as session:
        store.create_entity(session, scope, "person", {"name": "MOHAMMAD REZAEI", "birth_date": "1985-06-12"})
    alerts = api_client.get("/alerts")
    assert (
        '<bdi>محمد رضایی</bdi> <bdi dir="ltr">(1985-06-12)</bdi> ~ <bdi>MOHAMMAD REZAEI</bdi>' in alerts.text
        and "<td>Date of birth <span" in alerts.text
    )
    persian = api_client.get("/alerts", headers={"Accept-Language": "fa"}).text
    assert "<td>تاریخ تولد <span" in persian and "<td>Date of birth" not in persian
    assert "1 open watch-list alerts" in api_client.get("/dashboard").text
    alert_id = re.search(r'action="/alerts/(\d+)/ack"', alerts.text)
    assert alert_id
    acked = api_client.post(f"/alerts/{alert_id.group(1)}/ack", data={"csrf_token": csrf})
    assert acked.status_code == 200 and "No alerts." in acked.text
    assert "MOHAMMAD REZAEI" in api_client.get("/alerts", params={"status": "acknowledged"}).text
    again = api_client.post(f"/alerts/{alert_id.group(1)}/ack", data={"csrf_token": csrf})
    assert again.status_code == 409
    entry = re.search(
        r'action="/watchlists/couriers/entries/(\d+)/remove"', api_client.get("/watchlists/couriers").text
    )
    assert entry
    removed = api_client.post(
        f"/watchlists/couriers/entries/{entry.group(1)}/remove", data={"csrf_token": csrf}
    )
    assert removed.status_code == 200 and "removed 20" in removed.text
