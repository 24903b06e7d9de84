"""The list's count, kilograms and breakdown by country of departure follow the text search and every
filter: they describe the events the list shows, not the whole store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids

ROWS = [  # two Astara seizures from Iran, one in Tbilisi from Türkiye, one Astara opium from Afghanistan
    ids_row(AMOUNT="12000", SEIZURE_DATE="2016-05-03"),
    ids_row(AMOUNT="3000", SEIZURE_DATE="2016-06-03"),
    ids_row(AMOUNT="40000", COUNTRY="Georgia", PLACE="Tbilisi", ADMINISTRATIVE_DIVISION="Tbilisi",
            DEPARTURE_COUNTRY="Turkey", SEIZURE_DATE="2015-02-01"),
    ids_row(AMOUNT="5000", DRUG_NAME="Opium", DEPARTURE_COUNTRY="Afghanistan", SEIZURE_DATE="2015-03-01"),
]  # fmt: skip


@pytest.fixture
def client(api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path) -> TestClient:
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", ROWS))
    return api_client


def _figures(page: str) -> tuple[str, list[str]]:
    count = re.search(r'<p class="count">(.*?)</p>', page, re.S)
    assert count, "no count line"
    breakdown = re.findall(r"<li>([^<]+): <bdi>", page)
    return re.sub(r"<[^>]+>", "", count.group(1)), breakdown


@pytest.mark.parametrize(("query", "count", "departures"), [
    ({}, "4 seizure events, 60 kg equivalent.", ["Afghanistan", "Iran", "Türkiye"]),
    ({"q": "Astara"}, "3 seizure events, 20 kg equivalent.", ["Afghanistan", "Iran"]),
    ({"q": "Tbilisi"}, "1 seizure events, 40 kg equivalent.", ["Türkiye"]),
    ({"q": "Astara", "drug": "heroin"}, "2 seizure events, 15 kg equivalent.", ["Iran"]),
    ({"q": "Astara", "year": "2015"}, "1 seizure events, 5 kg equivalent.", ["Afghanistan"]),
    ({"country": "GE"}, "1 seizure events, 40 kg equivalent.", ["Türkiye"]),
])  # fmt: skip
def test_count_kilograms_and_departures_follow_the_search_and_filters(
    client: TestClient, query: dict[str, str], count: str, departures: list[str]
) -> None:
    page = client.get("/", params=query)
    assert page.status_code == 200
    shown_count, breakdown = _figures(page.text)
    assert shown_count == count
    assert sorted(label.split(" (")[0] for label in breakdown) == departures
