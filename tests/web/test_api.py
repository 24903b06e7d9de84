"""REST API and minimal pages: list, filter, show, create; one JSON error shape; OpenAPI served."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids


@pytest.fixture
def client(api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path) -> TestClient:
    rows = [ids_row(AMOUNT=str(i + 1)) for i in range(3)] + [ids_row(COUNTRY="Georgia", PLACE="Tbilisi")]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    return api_client


def test_list_filter_and_show(client: TestClient) -> None:
    page = client.get("/api/seizures", params={"where": ["country=Azerbaijan"], "limit": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    one = client.get(f"/api/seizures/{page['items'][0]['id']}").json()
    assert one["items"][0]["drug_code"] == "heroin" and one["country"] == "AZ"


def test_errors_share_one_json_shape(client: TestClient) -> None:
    missing = client.get("/api/seizures/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = client.get("/api/seizures", params={"where": "country=Narnia"})
    assert bad.status_code == 422 and "Narnia" in bad.json()["error"]["message"]
    invalid = client.post("/api/seizures", json={"country": "AZ"})
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_input"
    assert {d["field"] for d in invalid.json()["error"]["details"]} >= {"date", "items"}


def test_create_seizure_with_two_items_and_field_errors(client: TestClient) -> None:
    body = {
        "reference": "AZ-2018-17",
        "date": "2018-03-02",
        "country": "Azərbaycan",
        "place": "Astara customs post",
        "items": [
            {"drug": "heroin", "quantity": 260, "unit": "kg"},
            {"drug": "حشیش", "quantity": "1,5", "unit": "кг"},
        ],
    }
    created = client.post("/api/seizures", json=body)
    assert created.status_code == 201, created.text
    record = created.json()
    assert [i["drug_code"] for i in record["items"]] == ["heroin", "hashish"] and record["country"] == "AZ"
    assert client.post("/api/seizures", json=body).status_code == 409  # the same reference again
    body["reference"], body["items"][1]["unit"] = "AZ-2018-18", "furlong"
    bad = client.post("/api/seizures", json=body).json()["error"]
    assert bad["details"][0]["field"] == "items.1.unit" and "unknown unit" in bad["details"][0]["reason"]


def test_stats_endpoint(client: TestClient) -> None:
    result = client.get("/api/stats", params={"by": "country"}).json()
    assert {g["key"]: g["events"] for g in result["groups"]} == {"AZ": 3, "GE": 1}


def test_openapi_and_pages(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/seizures" in spec["paths"] and "/api/stats" in spec["paths"]
    page = client.get("/", params={"country": "AZ"})
    assert page.status_code == 200 and "Astarinskiy rayon KPP Astara" in page.text and "3 of 3" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    detail_link = page.text.split('href="/seizures/')[1].split('"')[0]
    detail = client.get(f"/seizures/{detail_link}")
    assert detail.status_code == 200 and "g × 0.001" in detail.text
    assert client.get("/seizures/nope").status_code == 404
    assert client.get("/", params={"year": "soon"}).status_code == 400


def test_map_points_group_located_events_by_place(client: TestClient) -> None:
    az = client.get("/api/seizures/map", params={"where": "country=AZ"}).json()
    assert az["located"] == 3 and az["unlocated"] == 0
    (astara,) = az["features"]
    assert astara["properties"]["events"] == 3 and "Astara" in astara["properties"]["name"]
    lon, lat = astara["geometry"]["coordinates"]
    assert 38.3 < lat < 38.5 and 48.8 < lon < 48.9
    assert client.get("/map", params={"year": "soon"}).status_code == 400


def test_map_points_show_a_new_seizure_at_once(client: TestClient) -> None:
    """The points are kept with the slow figures; a write must not leave the map behind."""
    before = client.get("/api/seizures/map", params={"where": "country=AZ"}).json()
    body = {"date": "2019-05-01", "country": "AZ", "place": "Astara customs post",
            "items": [{"drug": "opium", "quantity": 4, "unit": "kg"}]}  # fmt: skip
    assert client.post("/api/seizures", json=body).status_code == 201
    after = client.get("/api/seizures/map", params={"where": "country=AZ"}).json()
    assert after["located"] + after["unlocated"] == before["located"] + before["unlocated"] + 1


def test_pages_reference_no_external_address(client: TestClient) -> None:
    for url in ("/", "/map", "/login", "/static/astara.css", "/static/astara-map.js"):
        body = client.get(url).text
        assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_upload_import(client: TestClient, tmp_path: Path) -> None:
    path = write_ids(tmp_path / "up.csv", [ids_row(AMOUNT="77"), ids_row(AMOUNT="x")])
    with path.open("rb") as f:
        failed = client.post(
            "/api/imports", files={"file": ("up.csv", f, "text/csv")}, data={"mapping": "unodc_ids"}
        )
    assert failed.status_code == 422 and failed.json()["error"]["details"][0]["row"] == 3
    with path.open("rb") as f:
        kept = client.post(
            "/api/imports", files={"file": ("up.csv", f)}, data={"mapping": "unodc_ids", "keep_valid": "true"}
        )
    assert kept.status_code == 201 and kept.json()["events_created"] == 1
