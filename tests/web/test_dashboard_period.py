"""The dashboard shows all recorded data unless a period (year, quarter, month) is chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids


@pytest.fixture
def years(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    """Eight 2016 records at Astara (five in May, three in August) and six 2025 ones at Bilasuvar."""
    rows = [ids_row(AMOUNT=str(100 + i), SEIZURE_DATE=f"2016-05-1{i}") for i in range(5)]
    rows += [ids_row(AMOUNT=str(200 + i), SEIZURE_DATE=f"2016-08-0{i + 1}") for i in range(3)]
    rows += [
        ids_row(AMOUNT=str(300 + i), SEIZURE_DATE=f"2025-02-0{i + 1}", PLACE="KPP Bilasuvar",
                ADMINISTRATIVE_DIVISION="Bilasuvar")
        for i in range(6)
    ]  # fmt: skip
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))


def _tiles(text: str) -> str:
    return text.split('class="tiles"')[1].split("</section>")[0]


def _places(text: str) -> str:
    return text.split("<h2>Busiest places")[1].split("</table>")[0]


def test_the_dashboard_shows_every_year_by_default(api_client: TestClient, years: None) -> None:
    text = api_client.get("/dashboard").text
    tiles = _tiles(text)
    assert "Seizure events, 2016–2025, all recorded data" in tiles and "<strong>14</strong>" in tiles
    assert "Against" not in text  # no period before "all": no comparison to make
    places = _places(text)
    assert "Astara" in places and "Bilasuvar" in places  # 2016's place has not vanished
    assert "<h2>Seizure events by year</h2>" in text  # ten years of months: the chart counts years
    assert '<option value="all" selected>All recorded data</option>' in text


def test_choosing_a_year_shows_that_year_against_the_one_before(api_client: TestClient, years: None) -> None:
    text = api_client.get("/dashboard", params={"period": "2016"}).text
    tiles = _tiles(text)
    assert "Seizure events, 2016" in tiles and "<strong>8</strong>" in tiles and "2015: 0" in tiles
    places = _places(text)
    assert "Astara" in places and "Bilasuvar" not in places and "Against 2015" in places
    assert '<option value="2016" selected>2016</option>' in text
    assert 'href="/map?period=2016"' in text
    newest = _tiles(api_client.get("/dashboard", params={"period": "2025"}).text)
    assert "<strong>6</strong>" in newest and "2024: 0" in newest


def test_a_quarter_and_a_month(api_client: TestClient, years: None) -> None:
    quarter = api_client.get("/dashboard", params={"period": "2016Q3"}).text
    assert "Seizure events, 2016 Q3" in quarter and "<strong>3</strong>" in _tiles(quarter)
    assert "2016 Q2: 5" in _tiles(quarter) and "-40.0 %" in _tiles(quarter)  # 3 against 5
    month = api_client.get("/dashboard", params={"period": "2016-05"}).text
    assert "Seizure events, 2016-05" in month and "<strong>5</strong>" in _tiles(month)
    assert '<option value="2016-05" selected>2016-05</option>' in month
    assert "No seizure records in 2016-06." in api_client.get("/dashboard?period=2016-06").text


def test_a_period_in_persian(api_client: TestClient, years: None) -> None:
    text = api_client.get("/dashboard", params={"period": "2016Q3"}, headers={"Accept-Language": "fa"}).text
    assert "سه‌ماههٔ ۳ سال ۲۰۱۶" in text and "<strong>۳</strong>" in text


@pytest.mark.parametrize("bad", ["2016Q5", "last year", "2016-13"])
def test_a_bad_period_is_a_message_not_an_error(api_client: TestClient, years: None, bad: str) -> None:
    page = api_client.get("/dashboard", params={"period": bad})
    assert page.status_code == 400
    assert f"“{bad}” is not a period: write a year (2016)" in page.text
    assert "<strong>14</strong>" in _tiles(page.text)  # and all recorded data below it


def test_the_cache_keeps_each_period_apart(api_client: TestClient, years: None) -> None:
    for period, count in [("2016", 8), ("all", 14), ("2025", 6), ("2016", 8), ("", 14)]:
        assert f"<strong>{count}</strong>" in _tiles(api_client.get(f"/dashboard?period={period}").text)


def test_the_map_takes_the_period(api_client: TestClient, years: None) -> None:
    page = api_client.get("/map", params={"period": "2016Q2"}).text
    assert "where=quarter%3D20162" in page  # the points, hotspots and routes all asked for 2016 Q2
    assert '<option value="2016Q2" selected>2016 Q2</option>' in page
    points = api_client.get("/api/seizures/map", params={"where": "quarter=20162"}).json()
    assert sum(f["properties"]["events"] for f in points["features"]) == 5
    assert "is not a period" in api_client.get("/map", params={"period": "soon"}).text
