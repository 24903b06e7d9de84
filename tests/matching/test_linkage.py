"""``astara link``: person files in several scripts linked through Splink and the explained matcher,
with the hard non-matches (a father and son of one name, one name of two nationalities) kept apart,
and inputs that cannot be read refused with the file, row and column named."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from astara.db.engine import make_engine, transaction
from astara.db.models import Agency, Person
from astara.matching.linkage import Columns, link_records, read_records
from fixtures.cli import run_cli as run

HEADER = ["id", "name", "birth_date", "nationality", "passport"]
LEFT = [
    ["a1", "Məmməd Rzayev", "1978-03-14", "AZ", ""],
    ["a2", "Hüseyn Əliyev", "1990-07-02", "AZ", "C1234567"],
    ["a3", "Mohammad Rezaei", "1985-01-20", "IR", ""],
    ["a4", "Vəli Həsənov", "1968-11-05", "AZ", ""],  # the father ...
    ["a5", "Vəli Həsənov", "1994-02-11", "AZ", ""],  # ... and the son, one name
    ["a6", "Qasım Məmmədov", "1972-05-05", "AZ", ""],
    ["a7", "حسین کریمی", "1980-04-01", "IR", ""],
    ["a8", "Elchin Quliyev", "1983-09-09", "AZ", ""],
]
RIGHT = [
    ["b1", "Мамед Рзаев", "1978-03-14", "AZ", ""],
    ["b2", "HUSEYN ALIYEV", "1990-07-02", "AZ", "C 1234567"],
    ["b3", "محمد رضایی", "1985-01-20", "IR", ""],
    ["b4", "Вели Гасанов", "1994-02-11", "AZ", ""],  # the son only
    ["b5", "Гасым Мамедов", "1972-05-05", "RU", ""],  # same name and date, another nationality
    ["b6", "Hossein Karimi", "1980-04-01", "IR", ""],
    ["b7", "Ahmad Karimi", "1980-04-01", "IR", ""],  # same surname and date, another given name
]
EXPECTED = {("a1", "b1"), ("a2", "b2"), ("a3", "b3"), ("a5", "b4"), ("a7", "b6")}


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_csv(tmp_path / "left.csv", LEFT), write_csv(tmp_path / "right.csv", RIGHT)


def test_links_across_scripts_and_keeps_namesakes_apart(
    files: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, clusters = tmp_path / "pairs.jsonl", tmp_path / "clusters.csv"
    code, stdout, err = run(
        monkeypatch,
        capsys,
        "link",
        str(files[0]),
        str(files[1]),
        "--out",
        str(out),
        "--clusters",
        str(clusters),
    )
    assert code == 0, err
    pairs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(p["left_id"], p["right_id"]) for p in pairs} == EXPECTED
    assert "linked 5 pairs in 5 clusters" in stdout and "time" in stdout
    rzayev = next(p for p in pairs if p["left_id"] == "a1")
    assert rzayev["algorithm"] == "astara-link-1" and 0.5 <= rzayev["match_probability"] <= 1
    names = {f["name"]: f for f in rzayev["evidence"]}
    assert "Мамед" in names["name_match"]["compared"] and names["birth_date_match"]["value"] == 1.0
    with clusters.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {(r["side"], r["id"]) for r in rows if r["cluster"] == "1"} == {("left", "a1"), ("right", "b1")}
    assert len(rows) == 10


def test_splink_alone_links_the_namesakes_the_matcher_keeps_apart(files: tuple[Path, Path]) -> None:
    """The re-scoring is what separates father and son: Splink's untrained model on name keys alone
    finds the cross-script pairs but not the conventions of birth years and nationalities."""
    left, right = (read_records(p, Columns()) for p in files)
    splink = {(p["left_id"], p["right_id"]) for p in link_records(left, right, decide="splink").pairs}
    assert splink >= EXPECTED
    assert splink - EXPECTED  # at least one namesake linked without the matcher
    matcher = link_records(left, right, decide="matcher")
    assert {(p["left_id"], p["right_id"]) for p in matcher.pairs} == EXPECTED
    assert not matcher.trained and matcher.candidates >= len(EXPECTED)


def test_columns_named_by_options_from_a_spreadsheet_and_jsonl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Nömrə", "Ad", "Soyad", "Doğum tarixi", "nationality"])
    sheet.append(["x1", "Məmməd", "Rzayev", "14.03.1978", "AZ"])
    sheet.append(["x2", "Elçin", "Quliyev", "09.09.1983", "AZ"])
    book.save(tmp_path / "left.xlsx")
    lines = [
        {"ref": "r1", "full_name": "РЗАЕВ МАМЕД", "dob": "1978-03-14", "nationality": "AZ"},
        {"ref": "r2", "full_name": "Эльчин Гулиев", "dob": "1983-09-09", "nationality": "AZ"},
        {"ref": "r3", "full_name": "Elchin Guliyev", "dob": "1961-01-01", "nationality": "AZ"},
    ]
    (tmp_path / "right.jsonl").write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8"
    )
    out = tmp_path / "pairs.csv"
    code, _, err = run(
        monkeypatch, capsys, "link", str(tmp_path / "left.xlsx"), str(tmp_path / "right.jsonl"),
        "--id", "Nömrə,ref", "--given", "Ad", "--surname", "Soyad", "--birth-date", "Doğum tarixi,dob",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    with out.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    # r3, born 22 years before r2, is another man of the same name.
    assert {(r["left_id"], r["right_id"]) for r in rows} == {("x1", "r1"), ("x2", "r2")}
    assert all(json.loads(r["evidence"]) for r in rows)


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("", [], "left.csv is empty"),
        ("id,name\n", [], "left.csv has no records"),
        ("id,name,dob\na1,Ali Aliyev,1980-01-01\n", ["--birth-date", "born"], "left.csv: no column 'born'"),
        ("id,surname_x,dob\na1,Aliyev,1980\n", [], "left.csv: no name column"),
        (
            "id,name,dob\na1,Ali Aliyev,1980-01-01\na2,Vali Aliyev,yesterday\n",
            [],
            "left.csv, row 3, column 'dob': birth date 'yesterday'",
        ),
        (
            "id,name,dob\na1,Ali Aliyev,1980\na1,Vali Aliyev,1981\n",
            [],
            "left.csv, row 3: id 'a1' is also on row 2",
        ),
        ("id,name,nationality\na1,Ali Aliyev,Azerbaijan\n", [], "row 2, column 'nationality'"),
    ],
)
def test_bad_input_names_the_file_row_and_column(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str,
    args: list[str],
    message: str,
) -> None:
    left = tmp_path / "left.csv"
    left.write_text(content, encoding="utf-8")
    right = write_csv(tmp_path / "right.csv", RIGHT)
    code, _, err = run(monkeypatch, capsys, "link", str(left), str(right), *args)
    assert code == 18
    assert message in err


def test_unreadable_lines_and_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    right = write_csv(tmp_path / "right.csv", RIGHT)
    bad_json = tmp_path / "left.jsonl"
    bad_json.write_text('{"id": "a1", "name": "Ali Aliyev"}\n{"id": "a2", "name": \n', encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, "link", str(bad_json), str(right))
    assert code == 18 and "left.jsonl, line 2: not JSON" in err
    extra_field = tmp_path / "left.csv"
    extra_field.write_text("id,name,dob\na1,Ali Aliyev,1980\na2,Aliyev, Vali,1981\n", encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, "link", str(extra_field), str(right))
    assert code == 18 and "left.csv, row 3: 4 values but the header has 3 columns" in err
    binary = tmp_path / "left2.csv"
    binary.write_bytes(b"id,name\n\x00\x01\x02\x03" * 20)
    code, _, err = run(monkeypatch, capsys, "link", str(binary), str(right))
    assert code == 18 and "left2.csv" in err


def test_usage_errors(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(monkeypatch, capsys, "link", str(files[0]))
    assert code == 2 and "a second file, or --store" in err
    code, _, err = run(monkeypatch, capsys, "link", str(files[0]), str(files[1]), "--engine", "oracle")
    assert code == 19 and "unknown engine 'oracle'" in err
    code, _, err = run(monkeypatch, capsys, "link", str(files[0]), str(files[1]), "--decide", "coin")
    assert code == 2 and "unknown decision 'coin'" in err


def test_a_file_against_the_agencys_stored_persons(
    cli_env: object,
    files: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    assert run(monkeypatch, capsys, "init")[0] == 0
    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            agency = session.execute(select(Agency.id).where(Agency.code == "AZ-SCS")).scalar_one()
            other = Agency(code="IR-ANP", name="Anti-Narcotics Police", country="IR")
            session.add(other)
            session.flush()
            session.add_all(
                [
                    Person(id="p-rzayev", agency_id=agency, name="Мамед Рзаев", birth_date="1978-03-14",
                           nationality="AZ"),
                    Person(id="p-karimi", agency_id=agency, name="حسین کریمی", birth_date="1980-04-01",
                           nationality="IR"),
                    Person(id="p-father", agency_id=agency, name="Вели Гасанов", birth_date="1968-11-05",
                           nationality="AZ"),
                    # Another agency's record of the same man: out of this agency's scope.
                    Person(id="p-other", agency_id=other.id, name="Məmməd Rzayev", birth_date="1978-03-14",
                           nationality="AZ"),
                ]
            )  # fmt: skip
    finally:
        engine.dispose()
    left = write_csv(tmp_path / "file.csv", [*LEFT, ["a9", "Hossein Karimi", "1980-04-01", "IR", ""]])
    out = tmp_path / "pairs.csv"
    code, stdout, err = run(monkeypatch, capsys, "link", str(left), "--store", "--out", str(out))
    assert code == 0, err
    with out.open(encoding="utf-8") as stream:
        found = {(r["left_id"], r["right_id"]) for r in csv.DictReader(stream)}
    # a4 (born 1968) is the stored father; a5 (born 1994) is not; two file records are one stored Karimi.
    assert found == {("a1", "p-rzayev"), ("a7", "p-karimi"), ("a9", "p-karimi"), ("a4", "p-father")}
    assert "3 clusters" in stdout
