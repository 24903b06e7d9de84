"""The seizure list sorts by its column headers, counts its pages and exports exactly what it shows."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.settings import Settings
from fixtures.make import ids_row, import_file, write_ids

AMOUNTS = ["5", "1", "9", "3", "7", "2", "8"]  # kilograms, seven heroin records in 2016


@pytest.fixture
def records(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    rows = [
        ids_row(AMOUNT=a, DRUG_UNIT="Kilogram", SEIZURE_DATE=f"2016-0{i + 1}-10")
        for i, a in enumerate(AMOUNTS)
    ]
    rows += [ids_row(AMOUNT="4", DRUG_UNIT="Kilogram", DRUG_NAME="Opium", SEIZURE_DATE="2015-01-01")]
    rows += [
        ids_row(
            AMOUNT="6", DRUG_UNIT="Kilogram", COUNTRY="Iran, Islamic Republic of", SEIZURE_DATE="2016-03-03"
        )
    ]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))


def _kg_column(text: str) -> list[str]:
    return re.findall(r'<td class="num">([^<]+)</td>', text.split("<tbody>")[1])


def test_sorting_by_a_column_header_keeps_the_filters(api_client: TestClient, records: None) -> None:
    page = api_client.get("/", params={"country": "AZ", "drug": "heroin"}).text
    header = re.search(r'<th scope="col" aria-sort="none"><a href="([^"]+)" class="sort">kg', page)
    assert header is not None
    link = header[1].replace("&amp;", "&")
    assert link == "/?country=AZ&drug=heroin&sort=-kg"  # largest first on the first click
    largest_first = api_client.get(link).text
    assert _kg_column(largest_first) == ["9", "8", "7", "5", "3", "2", "1"]
    assert 'aria-sort="descending"><a href="/?country=AZ&amp;drug=heroin&amp;sort=kg"' in largest_first
    assert "▼" in largest_first
    smallest_first = api_client.get("/?country=AZ&drug=heroin&sort=kg").text
    assert _kg_column(smallest_first) == ["1", "2", "3", "5", "7", "8", "9"]
    assert 'aria-sort="ascending"' in smallest_first and "▲" in smallest_first
    by_date = api_client.get("/?country=AZ&drug=heroin&sort=date").text  # oldest first
    assert _kg_column(by_date) == AMOUNTS
    assert 'aria-sort="ascending"><a href="/?country=AZ&amp;drug=heroin&amp;sort=-date"' in by_date


def test_the_page_count(settings: Settings, api_token: str, records: None) -> None:
    from astara.web.app import create_app

    client = TestClient(
        create_app(settings.model_copy(update={"page_size": 3})),
        headers={"Authorization": f"Bearer {api_token}"},
    )
    first = client.get("/", params={"sort": "kg"}).text
    assert "Page 1 of 3" in first and 'href="/?sort=kg&amp;page=2" rel="next"' in first
    last = client.get("/", params={"sort": "kg", "page": 3}).text
    assert "Page 3 of 3" in last and 'rel="next"' not in last and _kg_column(last) == ["7", "8", "9"]
    assert "Page 1 of 1" in client.get("/", params={"drug": "opium"}).text
    persian = client.get("/", headers={"Accept-Language": "fa"}).text
    assert "صفحهٔ ۱ از ۳" in persian


def _listed_amounts(client: TestClient, params: dict[str, str]) -> list[float]:
    where = [f"{k}={v}" for k, v in params.items() if k not in ("q", "period")]
    if "period" in params:
        where.append(f"year={params['period']}")
    found = client.get("/api/seizures", params={"where": where, "q": params.get("q"), "limit": 1000}).json()
    return sorted(item["quantity"] for event in found["items"] for item in event["items"])


@pytest.mark.parametrize(
    "params",
    [{"country": "AZ", "drug": "heroin"}, {"period": "2016"}, {"place": "Astara", "q": "Astara"}, {}],
)
def test_the_export_is_exactly_the_filtered_list(
    api_client: TestClient, records: None, params: dict[str, str]
) -> None:
    page = api_client.get("/", params=params).text
    links = dict(re.findall(r'<li><a href="(/export\?[^"]+)" download>([^<]+)</a></li>', page))
    assert set(links.values()) == {"CSV (this list)", "Excel (XLSX)", "IDS layout (CSV)", "IDS layout (XLSX)"}
    wanted = _listed_amounts(api_client, params)
    shown = int(re.search(r"<strong>(\d+) seizure events</strong>", page)[1])  # type: ignore[index]
    assert len(wanted) == shown
    by_label = {label: href.replace("&amp;", "&") for href, label in links.items()}
    plain = api_client.get(by_label["CSV (this list)"])
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(plain.text)))
    assert sorted(float(r["quantity"]) for r in rows) == wanted
    ids = list(csv.DictReader(io.StringIO(api_client.get(by_label["IDS layout (CSV)"]).text), delimiter=";"))
    assert sorted(float(r["AMOUNT"]) for r in ids) == wanted
    book = load_workbook(io.BytesIO(api_client.get(by_label["Excel (XLSX)"]).content), read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    column = sheet[0].index("quantity")
    assert sorted(float(r[column]) for r in sheet[1:]) == wanted


def test_the_export_is_audited_with_its_filters(
    api_client: TestClient, records: None, engine: Engine
) -> None:
    from sqlalchemy import select

    from astara.db.engine import transaction
    from astara.db.models import AuditEntry

    api_client.get("/export", params={"format": "ids", "drug": "opium", "q": "Astara"})
    with transaction(engine) as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "export"
        assert entry.details["where"] == ["drug=opium"] and entry.details["q"] == "Astara"
        assert entry.details["layout"] == "ids" and entry.details["rows"] == 1


def test_a_bad_export_is_a_page_not_json(api_client: TestClient, records: None) -> None:
    page = api_client.get("/export", params={"format": "pdf"})
    assert page.status_code == 422 and "unknown export format" in page.text and "<html" in page.text
    bad_period = api_client.get("/export", params={"period": "someday"})
    assert bad_period.status_code == 422 and "is not a period" in bad_period.text
