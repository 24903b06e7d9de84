"""The map's hotspot and route-flow layers: GeoJSON from the same analyses as the API and CLI."""

from __future__ import annotations

from pathlib import Path

import h3
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids


def _load(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    rows = [
        ids_row(AMOUNT="12", DEPARTURE_COUNTRY="Iran (Islamic Republic of)", DESTINATION_COUNTRY="Georgia"),
        ids_row(AMOUNT="3", SEIZURE_DATE="2016-08-21", DEPARTURE_COUNTRY="Iran (Islamic Republic of)"),
        ids_row(AMOUNT="40", COUNTRY="Georgia", PLACE="Tbilisi", ADMINISTRATIVE_DIVISION=""),
    ]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))


def test_hotspots_as_h3_hexagons(
    api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    _load(engine, scope, tmp_path)
    data = api_client.get("/api/hotspots/map", params={"resolution": 5}).json()
    assert data["type"] == "FeatureCollection" and data["level"] == "h3"
    by_events = sorted(data["features"], key=lambda f: -f["properties"]["events"])
    astara = by_events[0]
    assert astara["properties"]["events"] == 2 and astara["geometry"]["type"] == "Polygon"
    ring = astara["geometry"]["coordinates"][0]
    assert len(ring) == 7 and ring[0] == ring[-1]  # a closed hexagon
    lon, lat = ring[0]
    assert h3.latlng_to_cell(lat, lon, 5) in {
        astara["properties"]["key"],
        *h3.grid_disk(astara["properties"]["key"], 1),
    }
    assert sum(f["properties"]["events"] for f in data["features"]) == data["located_events"] == 3
    only_az = api_client.get("/api/hotspots/map", params={"where": "country=AZ", "level": "place"}).json()
    assert [f["geometry"]["type"] for f in only_az["features"]] == ["Point"]


def test_route_flows_as_lines_between_countries(
    api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    _load(engine, scope, tmp_path)
    data = api_client.get("/api/routes/map").json()
    flows = {(f["properties"]["source"], f["properties"]["target"]): f for f in data["features"]}
    assert flows[("IR", "AZ")]["properties"]["events"] == 2
    assert flows[("AZ", "GE")]["properties"]["events"] == 1
    (start, end) = flows[("IR", "AZ")]["geometry"]["coordinates"]
    assert 44 < start[0] < 63 and 25 < start[1] < 40  # inside Iran
    assert 44 < end[0] < 51 and 38 < end[1] < 42  # inside Azerbaijan
    assert data["unplaced_events"] == 0
    page = api_client.get("/map", params={"country": "AZ"}).text
    assert 'data-hotspots="/api/hotspots/map?where=country%3DAZ"' in page
    assert 'data-routes="/api/routes/map?where=country%3DAZ"' in page
