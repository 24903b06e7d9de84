"""Correcting a seizure: the API and the form replace its fields and items, the version goes up,
what the form does not show is kept, and an edit over someone else's newer save is refused."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

BODY = {
    "reference": "E-1", "date": "2016-05-03", "country": "AZ", "place": "Astara customs post",
    "departure_country": "IR", "tlp": "green", "validation_status": "validated", "notes": "first entry",
    "items": [{"drug": "heroin", "quantity": 12, "unit": "kg"},
              {"drug": "opium", "quantity": 500, "unit": "g"}],
}  # fmt: skip


def _created(client: TestClient) -> dict:  # type: ignore[type-arg]
    made = client.post("/api/seizures", json=BODY)
    assert made.status_code == 201
    return made.json()  # type: ignore[no-any-return]


def test_the_api_replaces_fields_and_items_and_raises_the_version(api_client: TestClient) -> None:
    event = _created(api_client)
    changed = {**BODY, "date": "2016-05", "destination_country": "GE", "notes": None,
               "items": [{"drug": "hashish", "quantity": 3, "unit": "kg"}]}  # fmt: skip
    put = api_client.put(f"/api/seizures/{event['id']}", json=changed, params={"version": 1})
    assert put.status_code == 200, put.text
    after = put.json()
    assert after["id"] == event["id"] and after["version"] == 2
    assert (after["date"], after["date_precision"], after["destination_country"]) == (
        "2016-05-01",
        "month",
        "GE",
    )
    assert after["notes"] is None  # emptied
    assert [(i["drug_code"], i["kg"]) for i in after["items"]] == [("hashish", 3.0)]
    assert api_client.get("/api/seizures", params={"where": "drug=heroin"}).json()["total"] == 0
    stale = api_client.put(f"/api/seizures/{event['id']}", json=BODY, params={"version": 1})
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["error"]["message"]
    assert api_client.get(f"/api/seizures/{event['id']}").json()["version"] == 2  # nothing written


def test_a_bad_correction_names_the_field_and_changes_nothing(api_client: TestClient) -> None:
    event = _created(api_client)
    bad = {**BODY, "country": "Narnia", "items": [{"drug": "heroin", "quantity": -1, "unit": "kg"}]}
    put = api_client.put(f"/api/seizures/{event['id']}", json=bad)
    assert put.status_code == 422
    fields = {d["field"] for d in put.json()["error"]["details"]}
    assert {"country", "items.0.quantity"} <= fields
    again = api_client.get(f"/api/seizures/{event['id']}").json()
    assert again["version"] == 1 and again["country"] == "AZ" and len(again["items"]) == 2
    other = api_client.post("/api/seizures", json={**BODY, "reference": "E-2"}).json()
    taken = api_client.put(f"/api/seizures/{other['id']}", json=BODY)  # E-1 belongs to the first
    assert taken.status_code == 409 and "E-1" in taken.json()["error"]["message"]
    assert api_client.put("/api/seizures/nope", json=BODY).status_code == 404


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_the_edit_form_starts_from_the_record_and_keeps_what_it_does_not_show(api_client: TestClient) -> None:
    event = _created(api_client)
    detail = api_client.get(f"/seizures/{event['id']}")
    assert f'href="/seizures/{event["id"]}/edit"' in detail.text
    form = api_client.get(f"/seizures/{event['id']}/edit").text
    assert "Edit seizure E-1" in form
    assert 'name="items-0-drug" value="heroin"' in form and 'name="items-1-quantity" value="500"' in form
    assert 'name="place" id="f-place" type="text" value="Astara customs post"' in form
    assert 'name="version" value="1"' in form
    data = {"csrf_token": _csrf(form), "version": "1", "reference": "E-1", "date": "1395/02/14",
            "country": "AZ", "place": "Astara customs post", "departure_country": "",
            "items-0-drug": "heroin", "items-0-quantity": "13", "items-0-unit": "kg"}  # fmt: skip
    saved = api_client.post(f"/seizures/{event['id']}/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/seizures/{event['id']}"
    after = api_client.get(f"/api/seizures/{event['id']}").json()
    assert after["version"] == 2 and [(i["drug_code"], i["quantity"]) for i in after["items"]] == [
        ("heroin", 13)
    ]
    assert (after["tlp"], after["validation_status"]) == ("green", "validated")  # not on the form: kept
    assert after["departure_country"] is None  # on the form and left empty: cleared
    stale = api_client.post(f"/seizures/{event['id']}/edit", data=data)
    assert stale.status_code == 409 and "Someone else saved this seizure" in stale.text
    assert 'name="version" value="2"' in stale.text  # the form now holds the newer version
    assert api_client.get(f"/api/seizures/{event['id']}").json()["version"] == 2
