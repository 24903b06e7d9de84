"""Spreadsheet import: normalisation, all-or-nothing, row-level errors, duplicates, idempotence."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import ImportJob, SeizureEvent, SeizureItem
from astara.errors import ImportFailed, InvalidInput
from astara.imports.schemas import ImportOptions, ImportReport
from astara.imports.service import run_import
from conftest import TODAY
from fixtures.make import IDS_HEADER, ids_row, write_csv, write_ids


def _import(engine: Engine, scope: Scope, path: Path, **options: object) -> ImportReport:
    opts = ImportOptions(mapping=str(options.pop("mapping", "unodc_ids")), today=TODAY, **options)  # type: ignore[arg-type]
    with transaction(engine) as session:
        return run_import(session, scope, path, opts)


def _count(engine: Engine, model: type) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_ids_rows_become_normalised_records(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    path = write_ids(
        tmp_path / "ids.csv", [ids_row(), ids_row(DRUG_NAME="Opium", AMOUNT="2.5", DRUG_UNIT="Kilogram")]
    )
    report = _import(engine, scope, path)
    assert (report.rows_read, report.events_created, report.rejected_rows) == (2, 2, 0)
    with transaction(engine) as session:
        events = session.scalars(select(SeizureEvent).order_by(SeizureEvent.id)).all()
        heroin = next(e for e in events if e.items[0].drug_code == "heroin")
        assert (heroin.country, heroin.departure_country, heroin.producing_country) == ("AZ", "IR", "AF")
        assert heroin.place_text == "Astarinskiy rayon KPP Astara"  # the original string is kept
        assert heroin.place_id is not None and "astara" in heroin.place_id
        assert heroin.place_type == "land_border"
        assert heroin.items[0].kg == pytest.approx(0.13989)
        assert heroin.items[0].unit_text == "Gram"
        assert heroin.source_rows == [2]
        assert heroin.source_file == "ids.csv"
        assert heroin.import_job_id == report.job_id


def test_bad_rows_reject_the_whole_file_and_name_row_and_column(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    rows = [
        ids_row(),
        ids_row(DRUG_NAME="Unobtainium"),
        ids_row(AMOUNT="-5"),
        ids_row(COUNTRY="Atlantis"),
        ids_row(SEIZURE_DATE="2031-01-01"),
        ids_row(DRUG_UNIT="furlong"),
        ids_row(AMOUNT="0"),
    ]
    path = write_ids(tmp_path / "bad.csv", rows)
    with pytest.raises(ImportFailed) as info:
        _import(engine, scope, path)
    problems = {(d["row"], d["column"]) for d in info.value.details}
    assert problems == {
        (3, "DRUG_NAME"),
        (4, "AMOUNT"),
        (5, "COUNTRY"),
        (6, "SEIZURE_DATE"),
        (7, "DRUG_UNIT"),
        (8, "AMOUNT"),
    }
    reasons = " ".join(d["reason"] for d in info.value.details)
    assert (
        "unknown drug 'Unobtainium'" in reasons and "in the future" in reasons and "more than zero" in reasons
    )
    assert _count(engine, SeizureEvent) == 0  # nothing half-written
    assert _count(engine, ImportJob) == 0


def test_keep_valid_stores_the_good_rows_and_writes_rejects(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    path = write_ids(tmp_path / "mixed.csv", [ids_row(), ids_row(AMOUNT="lots"), ids_row(AMOUNT="3")])
    rejects = tmp_path / "rejects.csv"
    report = _import(engine, scope, path, keep_valid=True, rejects_path=rejects)
    assert (report.status, report.events_created, report.rejected_rows) == ("partial", 2, 1)
    with rejects.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["row", "column", "reason"]
    assert rows[1][:2] == ["3", "AMOUNT"] and "'lots' is not a number" in rows[1][2]
    assert rows[1][3:] == ids_row(AMOUNT="lots")  # the original row, to fix and re-import


def test_importing_the_same_file_twice_changes_nothing(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    path = write_ids(tmp_path / "ids.csv", [ids_row(), ids_row(AMOUNT="1")])
    first = _import(engine, scope, path)
    second = _import(engine, scope, path)
    assert (first.events_created, second.events_created, second.events_already_present) == (2, 0, 2)
    assert _count(engine, SeizureEvent) == 2 and _count(engine, SeizureItem) == 2


def test_exact_duplicates_are_merged_and_reported_or_kept(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    path = write_ids(tmp_path / "dups.csv", [ids_row(), ids_row(), ids_row(), ids_row(AMOUNT="7")])
    report = _import(engine, scope, path)
    assert (report.exact_duplicate_rows, report.events_created) == (2, 2)
    with transaction(engine) as session:
        merged = session.scalars(select(SeizureEvent).where(SeizureEvent.duplicate_count == 3)).one()
        assert merged.source_rows == [2, 3, 4]
    with transaction(engine) as session:
        session.execute(SeizureItem.__table__.delete())
        session.execute(SeizureEvent.__table__.delete())
    kept = _import(engine, scope, path, duplicates="keep")
    assert (kept.exact_duplicate_rows, kept.events_created) == (2, 4)


def test_near_duplicates_are_flagged_not_dropped(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    rows = [
        ids_row(AMOUNT="2.786", DRUG_UNIT="Kilogram"),
        ids_row(AMOUNT="2786", DRUG_UNIT="Gram", PLACE="KPP Astara"),
    ]
    report = _import(engine, scope, write_ids(tmp_path / "near.csv", rows))
    assert (report.events_created, report.near_duplicates) == (2, 1)
    assert report.duplicate_examples == [{"row": 3, "duplicate_of_row": 2}]
    with transaction(engine) as session:
        flagged = session.scalars(
            select(SeizureEvent).where(SeizureEvent.possible_duplicate_of.is_not(None))
        ).one()
        assert any("possible duplicate of row 2" in f for f in flagged.quality_flags)


def test_absurd_quantity_is_flagged(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    report = _import(
        engine, scope, write_ids(tmp_path / "big.csv", [ids_row(AMOUNT="900000", DRUG_UNIT="Kilogram")])
    )
    assert report.flagged == 1
    with transaction(engine) as session:
        assert "plausibility" in session.scalars(select(SeizureEvent)).one().quality_flags[0]


def test_renamed_and_reordered_columns_still_load(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    header = [h.lower() for h in reversed(IDS_HEADER)]
    path = write_csv(tmp_path / "renamed.csv", header, [list(reversed(ids_row()))], delimiter=",")
    assert _import(engine, scope, path).events_created == 1


def test_missing_required_column_is_named(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    header = [h for h in IDS_HEADER if h != "DRUG_NAME"]
    path = write_csv(
        tmp_path / "nodrug.csv",
        header,
        [[v for h, v in zip(IDS_HEADER, ids_row(), strict=True) if h != "DRUG_NAME"]],
    )
    with pytest.raises(InvalidInput, match="DRUG_NAME"):
        _import(engine, scope, path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02\x03binary\x00junk" * 50, "binary"),
        (";".join(IDS_HEADER).encode() + b"\n", "no data rows"),
        ("COUNTRY;DRUG_NAME\nАзербайджан;героин\n".encode("cp1251"), "not utf-8-sig"),
    ],
)
def test_unreadable_files_give_clear_errors(
    engine: Engine, scope: Scope, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises((InvalidInput, ImportFailed), match=message):
        _import(engine, scope, path)
    assert _count(engine, SeizureEvent) == 0


def test_file_over_the_size_limit_is_refused(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    path = write_ids(tmp_path / "ids.csv", [ids_row()] * 50)
    with pytest.raises(InvalidInput, match="more than the import limit"):
        _import(engine, scope, path, limit_bytes=1000)


def test_cp1251_file_loads_with_its_encoding(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    path = tmp_path / "ru.csv"
    with path.open("w", encoding="cp1251", newline="") as f:
        csv.writer(f, delimiter=";").writerows([IDS_HEADER, ids_row(PLACE="КПП Астара", DRUG_NAME="героин")])
    report = _import(engine, scope, path, encoding="cp1251")
    assert report.events_created == 1


def test_xlsx_and_zip_sources(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    import zipfile

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(IDS_HEADER)
    sheet.append(ids_row(AMOUNT="12"))
    workbook.save(tmp_path / "ids.xlsx")
    assert _import(engine, scope, tmp_path / "ids.xlsx").events_created == 1
    csv_path = write_ids(tmp_path / "inner.csv", [ids_row(AMOUNT="13")])
    with zipfile.ZipFile(tmp_path / "ids.zip", "w") as z:
        z.write(csv_path, "inner.csv")
    assert _import(engine, scope, tmp_path / "ids.zip").events_created == 1


def test_template_rows_with_one_reference_form_one_event(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    header = [
        "reference",
        "date",
        "place",
        "country",
        "departure_country",
        "transit_countries",
        "drug",
        "quantity",
        "unit",
    ]
    rows = [
        ["AZ-2018-17", "2018-03-02", "Astara customs post", "AZ", "Iran", "IR|AZ", "heroin", "260", "kg"],
        ["AZ-2018-17", "2018-03-02", "Astara customs post", "AZ", "Iran", "IR|AZ", "гашиш", "1,5", "kg"],
        ["AZ-2018-18", "1397/01/15", "Bilasuvar", "Azərbaycan", "ایران", "", "هروئین", "515", "кг"],
    ]
    report = _import(engine, scope, write_csv(tmp_path / "t.csv", header, rows, ","), mapping="astara")
    assert (report.events_created, report.items_created) == (2, 3)
    with transaction(engine) as session:
        first = session.scalars(select(SeizureEvent).where(SeizureEvent.reference == "AZ-2018-17")).one()
        assert [i.drug_code for i in first.items] == ["heroin", "hashish"]
        assert first.transit_countries == ["IR", "AZ"]
        second = session.scalars(select(SeizureEvent).where(SeizureEvent.reference == "AZ-2018-18")).one()
        assert second.date.isoformat() == "2018-04-04" and second.departure_country == "IR"
        assert second.items[0].kg == 515


def test_template_rows_of_one_event_must_agree(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    header = ["reference", "date", "country", "drug", "quantity", "unit"]
    rows = [["R1", "2018-03-02", "AZ", "heroin", "1", "kg"], ["R1", "2018-03-03", "AZ", "opium", "1", "kg"]]
    with pytest.raises(ImportFailed) as info:
        _import(engine, scope, write_csv(tmp_path / "t.csv", header, rows, ","), mapping="astara")
    assert info.value.details[0]["row"] == 3 and "date" in info.value.details[0]["column"]


def test_agency_b_imports_do_not_touch_agency_a(
    engine: Engine, scope: Scope, scope_b: Scope, tmp_path: Path
) -> None:
    path = write_ids(tmp_path / "ids.csv", [ids_row()])
    _import(engine, scope, path)
    report_b = _import(engine, scope_b, path)
    assert report_b.events_created == 1 and report_b.events_already_present == 0
    assert _count(engine, SeizureEvent) == 2
