"""The list's Place filter takes any name the gazetteer resolves, and says so when none does."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids


@pytest.fixture
def places(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    """Four records at the Astara crossing, two at Bilasuvar."""
    rows = [ids_row(AMOUNT=str(100 + i)) for i in range(4)]
    rows += [
        ids_row(AMOUNT=str(200 + i), PLACE="KPP Bilasuvar", ADMINISTRATIVE_DIVISION="Bilasuvar")
        for i in range(2)
    ]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))


@pytest.mark.parametrize(
    "name",
    ["az-ir-astara-road", "Astara", "KPP Astara", "Astarinskiy tamozhenno-propusknoy punkt", "آستارا"],
)
def test_a_place_by_any_name_the_gazetteer_knows(api_client: TestClient, places: None, name: str) -> None:
    page = api_client.get("/", params={"place": name})
    assert page.status_code == 200
    assert "4 seizure events" in page.text, name
    assert f'value="{name}"' in page.text  # the name stays as typed
    assert "No place called" not in page.text


def test_the_api_and_the_exports_mean_the_same_place(api_client: TestClient, places: None) -> None:
    listed = api_client.get("/api/seizures", params={"where": "place=آستارا"}).json()
    assert listed["total"] == 4


def test_an_unknown_name_says_so_and_offers_near_places(api_client: TestClient, places: None) -> None:
    page = api_client.get("/", params={"place": "Astarra", "drug": "heroin"})
    assert "No place called “Astarra” in the gazetteer. Did you mean:" in page.text
    assert '<a href="/?drug=heroin&amp;place=az-district-astara' in page.text  # the filters stay
    assert ">Astara</a>" in page.text
    followed = api_client.get("/", params={"place": "az-ir-astara-road"}).text
    assert "4 seizure events" in followed
    nothing_like_it = api_client.get("/", params={"place": "Qwxyz"}).text
    assert "No place called “Qwxyz” in the gazetteer." in nothing_like_it


def test_a_known_place_without_records_is_not_called_unknown(api_client: TestClient, places: None) -> None:
    page = api_client.get("/", params={"place": "Sadarak"}).text
    assert "No seizure events match" in page or "0 seizure events" in page
    assert "No place called" not in page


def test_the_hint_in_persian(api_client: TestClient, places: None) -> None:
    page = api_client.get("/", params={"place": "Astarra"}, headers={"Accept-Language": "fa"}).text
    assert "مکانی به نام «Astarra» در فهرست مکان‌ها نیست." in page and "شاید منظورتان این است:" in page


def test_suggestions_as_you_type(api_client: TestClient) -> None:
    page = api_client.get("/").text
    assert 'list="places"' in page and '<datalist id="places">' in page and "astara-forms.js" in page
    names = [p["name"] for p in api_client.get("/api/places", params={"q": "آستا"}).json()]
    assert any("Astara" in name for name in names)
