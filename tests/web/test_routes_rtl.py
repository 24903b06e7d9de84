"""Routes on the pages read the way the page reads: "AF → AZ" in English, and in Persian, a right-to-left
page, the departure first (on the right) with the arrow pointing left to the destination."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids

ROUTE = re.compile(r'<span class="route">(.*?)</span>')


@pytest.fixture
def from_afghanistan(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    row = ids_row(DEPARTURE_COUNTRY="Afghanistan", DESTINATION_COUNTRY="Azerbaijan")
    import_file(engine, scope, write_ids(tmp_path / "route.csv", [row]))


def _routes(client: TestClient, language: str) -> tuple[str, list[str]]:
    headers = {"Accept-Language": language}
    listing = client.get("/?departure_country=AF", headers=headers)
    record = re.search(r'href="(/seizures/[0-9a-f]+)"', listing.text)
    assert record
    page = client.get(record.group(1), headers=headers)
    direction = re.search(r'<html lang="\w+" dir="(\w+)"', page.text)
    assert direction
    return direction.group(1), ROUTE.findall(listing.text) + ROUTE.findall(page.text)


@pytest.mark.usefixtures("from_afghanistan")
def test_a_route_reads_left_to_right_in_english(api_client: TestClient) -> None:
    direction, routes = _routes(api_client, "en")
    assert direction == "ltr"
    assert routes == ["<bdi>AF</bdi> → <bdi>AZ</bdi>"] * 2  # the list's row and the record page


@pytest.mark.usefixtures("from_afghanistan")
def test_a_route_reads_right_to_left_in_persian(api_client: TestClient) -> None:
    direction, routes = _routes(api_client, "fa")
    # in a right-to-left page the first stop stands on the right, and the arrow points on to the next
    assert direction == "rtl"
    assert routes == ["<bdi>AF</bdi> ← <bdi>AZ</bdi>"] * 2
