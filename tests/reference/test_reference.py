"""Reference totals: both UNODC layouts import; recorded seizures are set against them by drug group."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.errors import InvalidInput
from astara.reference.service import compare, import_reference
from conftest import shared_file
from fixtures.make import ids_row, import_file, write_csv, write_ids

LONG = ["region", "subregion", "country", "drug_group", "drug", "year", "kilograms"]
EXPORT = [
    "Region",
    "SubRegion",
    "Country",
    "DrugGroup",
    "DrugSubGroup",
    "DrugName",
    "Reference year",
    "Kilograms",
    "msCode",
]


@pytest.fixture
def loaded(engine: Engine, scope: Scope, tmp_path: Path) -> Scope:
    # Recorded: 2016 heroin 2 x 100 kg and opium 1 x 5 kg in Azerbaijan.
    rows = [ids_row(AMOUNT="100", DRUG_UNIT="Kilogram") for _ in range(2)]
    rows += [ids_row(DRUG_NAME="Opium", AMOUNT="5", DRUG_UNIT="Kilogram")]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows), duplicates="keep")
    return scope


def test_long_table_imports_and_compares(engine: Engine, loaded: Scope, tmp_path: Path) -> None:
    asia = ["Asia", "Central Asia and Transcaucasia"]
    rows = [
        [*asia, "Azerbaijan", "Opioids", "Heroin", "2016", "180.5"],
        [*asia, "Azerbaijan", "Opioids", "Opium", "2016", "400"],
        [*asia, "Azerbaijan", "Cannabis-type", "Cannabis plants", "2016", "900"],
        [*asia, "Azerbaijan", "Opioids", "Heroin", "2015", "50"],
        [*asia, "Narnia", "Opioids", "Heroin", "2016", "1"],
        [*asia, "Azerbaijan", "Opioids", "Heroin", "2017", ""],
    ]
    with transaction(engine) as session:
        report = import_reference(session, write_csv(tmp_path / "totals.csv", LONG, rows, delimiter=","))
        again = import_reference(session, tmp_path / "totals.csv")  # replaces, never adds
        result = compare(session, loaded, "Azerbaijan", 2016)
    assert report.rows_stored == again.rows_stored == 4
    assert report.skipped == {"unknown country": 1, "no year or no kilograms": 1}
    groups = {r.drug_group: r for r in result.rows}
    assert groups["opioids"].recorded_kg == 205 and groups["opioids"].reported_kg == 580.5
    assert groups["opioids"].recorded_share == "205.0 kg of 580.5 kg reported, 35.3 %"
    assert groups["opioids"].flagged and groups["cannabis_type"].flagged  # none recorded, 900 kg reported
    assert result.source == "totals" and result.reported_kg == 1480.5


def test_export_layout_and_the_newest_source_wins(engine: Engine, loaded: Scope, tmp_path: Path) -> None:
    old = [["Asia", "x", "Azerbaijan", "Opioids", "Heroin", "2016", "10"]]
    new = [["Asia", "x", "Azerbaijan", "Opioids", "Heroin", "Heroin", "2016", "190", "AZE"],
           ["Asia", "x", "Azerbaijan", "Opioids", "Heroin", "Heroin", "2020", "1", "AZE"]]  # fmt: skip
    with transaction(engine) as session:
        import_reference(session, write_csv(tmp_path / "old.csv", LONG, old, delimiter=","))
        import_reference(
            session, write_csv(tmp_path / "new.csv", EXPORT, new, delimiter=","), source="recent"
        )
        result = compare(session, loaded, "AZ", 2016)
        with pytest.raises(InvalidInput, match="not a UNODC totals file"):
            import_reference(
                session, write_csv(tmp_path / "bad.csv", ["a", "b"], [["1", "2"]], delimiter=",")
            )
    opioids = next(r for r in result.rows if r.drug_group == "opioids")
    assert result.source == "recent" and opioids.reported_kg == 190 and not opioids.flagged


def test_real_unodc_table_imports(engine: Engine, tmp_path: Path) -> None:
    path = shared_file("unodc_seizures_aggregate", "seizures_unodc_1990_2019_long.csv")
    with transaction(engine) as session:
        report = import_reference(session, path)
    assert report.rows_stored > 20_000 and report.first_year == 1990 and report.last_year == 2019
    assert sum(report.skipped.values()) < report.rows_read * 0.02
