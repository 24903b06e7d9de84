"""The analysis and report commands end to end, as an analyst types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astara.settings import Settings
from fixtures.cli import run_cli
from fixtures.make import ids_row, write_csv, write_ids


@pytest.fixture
def astara(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_env: Settings):  # type: ignore[no-untyped-def]
    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(monkeypatch, capsys, *args)

    return run


def test_stats_trends_routes_hotspots_report_reference(astara, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [ids_row(SEIZURE_DATE=f"2016-{1 + i % 12:02d}-02", AMOUNT=str(1 + i)) for i in range(12)]
    rows += [
        ids_row(SEIZURE_DATE=f"2017-{1 + i % 12:02d}-02", AMOUNT=str(1 + i), DEPARTURE_COUNTRY="Turkey")
        for i in range(8)
    ]
    assert astara("init")[0] == 0
    assert astara("import", str(write_ids(tmp_path / "ids.csv", rows)), "--mapping", "unodc_ids")[0] == 0

    code, out, _ = astara("stats", "--by", "quarter", "--where", "year=2017", "--sort", "key")
    assert code == 0 and "2017 Q1" in out and "3 of 8, 37.5 %" in out
    code, out, _ = astara("trends", "--where", "country=AZ", "--interval", "year", "--format", "json")
    assert code == 0 and [p["events"] for p in json.loads(out)["points"]] == [12, 8]
    code, out, _ = astara("routes", "--where", "country=AZ", "--period", "2017")
    assert code == 0 and "Türkiye → Azerbaijan → Azerbaijan" in out and "8 of 8, 100.0 %" in out
    assert "2 flagged" in out  # Iran's route fell from 100 % to 0 and Türkiye's rose from 0 to 100 %
    code, out, _ = astara("hotspots", "--level", "border_post", "--period", "2017")
    assert code == 0 and "Astara" in out and "8 of 8, 100.0 %" in out

    report = tmp_path / "az.html"
    code, out, _ = astara(
        "report",
        "--type",
        "bilateral",
        "--country",
        "AZ",
        "--year",
        "2017",
        "--partner",
        "TR",
        "--out",
        str(report),
    )
    assert code == 0 and "8 of 8, 100.0 %" in report.read_text(encoding="utf-8")
    code, _, err = astara("report", "--country", "AZ", "--out", str(report))
    assert code != 0 and "--year or --period" in err

    totals = write_csv(
        tmp_path / "totals.csv",
        ["region", "subregion", "country", "drug_group", "drug", "year", "kilograms"],
        [["Asia", "x", "Azerbaijan", "Opioids", "Heroin", "2017", "36"]],
        delimiter=",",
    )
    assert astara("reference", "import", str(totals))[0] == 0
    code, out, _ = astara("reference", "compare", "--country", "AZ", "--year", "2017", "--format", "json")
    opioids = next(r for r in json.loads(out)["rows"] if r["drug_group"] == "opioids")
    assert code == 0 and opioids["reported_kg"] == 36 and opioids["recorded_kg"] == pytest.approx(0.036)
