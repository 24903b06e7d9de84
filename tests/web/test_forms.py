"""The new-seizure form: two items stored; every problem shown at its field; nothing stored on error."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _csrf(client: TestClient) -> str:
    page = client.get("/seizures/new")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _form(csrf: str, **values: str) -> dict[str, str]:
    return {"csrf_token": csrf, "country": "AZ", "date": "1395/02/14", "place": "Astara customs post",
            "departure_country": "Iran", "transport": "road", **values}  # fmt: skip


def test_a_seizure_with_two_items_from_the_form(api_client: TestClient) -> None:
    csrf = _csrf(api_client)
    items = {"items-0-drug": "heroin", "items-0-quantity": "244.605", "items-0-unit": "kg",
             "items-1-drug": "гашиш", "items-1-quantity": "500", "items-1-unit": "g"}  # fmt: skip
    data = _form(csrf, reference="F-1", **items)
    made = api_client.post("/seizures/new", data=data, follow_redirects=False)
    assert made.status_code == 303
    event = api_client.get("/api" + made.headers["location"]).json()
    assert event["date"] == "2016-05-03" and event["country"] == "AZ" and event["departure_country"] == "IR"
    assert [(i["drug_code"], i["quantity"], i["unit_code"]) for i in event["items"]] == [
        ("heroin", 244.605, "kg"),
        ("hashish", 500.0, "g"),
    ]
    assert sum(i["kg"] for i in event["items"]) == 245.105 and "astara" in (event["place_id"] or "")


def test_problems_are_shown_at_their_fields_and_nothing_is_stored(api_client: TestClient) -> None:
    csrf = _csrf(api_client)
    before = api_client.get("/api/seizures").json()["total"]
    items = {"items-0-drug": "heroin", "items-0-quantity": "12", "items-0-unit": "kg",
             "items-1-drug": "unobtainium", "items-1-quantity": "-3", "items-1-unit": "kg"}  # fmt: skip
    data = _form(csrf, country="Narnia", **items)
    page = api_client.post("/seizures/new", data=data)
    assert page.status_code == 422
    errors = dict(re.findall(r'<span class="field-error" id="e-([\w-]+)">([^<]+)</span>', page.text))
    assert "Narnia" in errors["country"]
    assert "unobtainium" in errors["items-1-drug"] and "items-1-quantity" in errors
    assert "items-0-drug" not in errors
    assert 'value="Astara customs post"' in page.text and 'value="unobtainium"' in page.text  # input kept
    assert api_client.get("/api/seizures").json()["total"] == before


def test_an_empty_form_asks_for_an_item(api_client: TestClient) -> None:
    page = api_client.post("/seizures/new", data=_form(_csrf(api_client)))
    assert page.status_code == 422 and "at least one drug" in page.text


def test_more_item_rows_keep_what_was_typed(api_client: TestClient) -> None:
    csrf = _csrf(api_client)
    typed = {"items-0-drug": "heroin", "items-0-quantity": "5", "items-0-unit": "kg",
             "items-1-drug": "", "items-1-quantity": "", "items-1-unit": "",
             "items-2-drug": "", "items-2-quantity": "", "items-2-unit": ""}  # fmt: skip
    page = api_client.post("/seizures/new", data=_form(csrf, reference="F-9", action="more_rows", **typed))
    assert page.status_code == 200
    assert 'value="F-9"' in page.text and 'value="Astara customs post"' in page.text
    assert 'name="items-0-drug" value="heroin"' in page.text
    assert 'name="items-5-drug"' in page.text and 'name="items-6-drug"' not in page.text  # three more rows
    assert api_client.get("/api/seizures").json()["total"] == 0  # nothing was saved
