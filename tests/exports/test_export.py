"""Exports: template and IDS layouts round-trip through import; formulas are escaped; GeoJSON has points."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.analysis.service import stats
from astara.db.engine import transaction
from astara.errors import InvalidInput
from astara.exports.service import export
from astara.imports.schemas import ImportOptions
from astara.imports.service import run_import
from fixtures.make import TODAY, ids_row, import_file, write_ids


@pytest.fixture
def loaded(engine: Engine, scope: Scope, tmp_path: Path) -> Scope:
    rows = [
        ids_row(),
        ids_row(DRUG_NAME="Opium", AMOUNT="2", DRUG_UNIT="Kilogram", PLACE='=HYPERLINK("x")'),
        ids_row(
            COUNTRY="Iran, Islamic Republic of",
            PLACE="Hormozgan",
            ADMINISTRATIVE_DIVISION="",
            DEPARTURE_COUNTRY="Afghanistan",
            DESTINATION_COUNTRY="",
            AMOUNT="40",
            DRUG_UNIT="Kilogram",
        ),
    ]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    return scope


def _export(engine: Engine, scope: Scope, path: Path, **kw: object) -> int:
    with transaction(engine) as session:
        return export(session, scope, path, **kw)  # type: ignore[arg-type]


def test_formula_like_cells_are_escaped(engine: Engine, loaded: Scope, tmp_path: Path) -> None:
    _export(engine, loaded, tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    _export(engine, loaded, tmp_path / "out.xlsx", layout="ids")
    cells = [
        c
        for row in CalamineWorkbook.from_path(str(tmp_path / "out.xlsx")).get_sheet_by_index(0).to_python()
        for c in row
    ]
    assert '\'=HYPERLINK("x")' in cells


@pytest.mark.parametrize(
    ("layout", "suffix", "mapping"),
    [
        ("astara", "csv", "astara"),
        ("astara", "xlsx", "astara"),
        ("ids", "csv", "unodc_ids"),
        ("ids", "xlsx", "unodc_ids"),
    ],
)
def test_exports_import_back_into_the_same_figures(
    engine: Engine, loaded: Scope, scope_b: Scope, tmp_path: Path, layout: str, suffix: str, mapping: str
) -> None:
    path = tmp_path / f"out.{suffix}"
    assert _export(engine, loaded, path, layout=layout) == 3
    with transaction(engine) as session:
        report = run_import(session, scope_b, path, ImportOptions(mapping=mapping, today=TODAY))
    assert report.rejected_rows == 0 and report.events_created == 3
    with transaction(engine) as session:
        a = stats(session, loaded, ["country", "drug", "departure_country"])
        b = stats(session, scope_b, ["country", "drug", "departure_country"])
    assert [(g.key, g.events, round(g.kg, 6)) for g in a.groups] == [
        (g.key, g.events, round(g.kg, 6)) for g in b.groups
    ]


def test_ids_layout_uses_unodc_country_names(engine: Engine, loaded: Scope, tmp_path: Path) -> None:
    _export(engine, loaded, tmp_path / "ids.csv", layout="ids")
    with (tmp_path / "ids.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert {r["COUNTRY"] for r in rows} == {"Azerbaijan", "Iran, Islamic Republic of"}
    assert {r["DRUG_UNIT"] for r in rows} == {"Gram", "Kilogram"}
    # UNODC's own groupings, spelled as in the IDS file
    assert {(r["COUNTRY"], r["REGION"], r["SUBREGION"]) for r in rows} == {
        ("Azerbaijan", "Asia", "Central Asia and Transcaucasian countries"),
        ("Iran, Islamic Republic of", "Asia", "Near and Middle East /South-West Asia"),
    }


def test_jsonl_and_geojson(engine: Engine, loaded: Scope, tmp_path: Path) -> None:
    _export(engine, loaded, tmp_path / "out.jsonl", where=["country=AZ"])
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(lines) == 2 and all(r["country"] == "AZ" and r["items"] for r in lines)
    _export(engine, loaded, tmp_path / "out.geojson")
    data = json.loads((tmp_path / "out.geojson").read_text())
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 3
    astara = [f for f in data["features"] if f["properties"]["place_text"] == "Astarinskiy rayon KPP Astara"]
    lon, lat = astara[0]["geometry"]["coordinates"]
    assert 38.3 < lat < 38.6 and 48.7 < lon < 49.0


def test_unknown_format_is_refused_and_writes_nothing(engine: Engine, loaded: Scope, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown export format"):
        _export(engine, loaded, tmp_path / "out.pdf")
    assert list(tmp_path.glob("out*")) == []
