"""After an import the page links to its records and to its possible duplicates: the seizure list
filtered by the import (and by the near-duplicate flag), saying so, with a way back to everything."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids


def _csrf(client: TestClient, url: str = "/imports/new") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found
    return found.group(1)


def _import_through_the_pages(client: TestClient, path: Path) -> str:
    with path.open("rb") as f:
        checked = client.post("/imports/new", files={"file": (path.name, f)},
                              data={"mapping": "unodc_ids", "csrf_token": _csrf(client)})  # fmt: skip
    token = re.search(r'action="/imports/([\w-]+)/confirm"', checked.text)
    assert token, checked.text
    done = client.post(f"/imports/{token.group(1)}/confirm", data={"csrf_token": _csrf(client)})
    assert done.status_code == 200
    return done.text


def _link(page: str, words: str) -> str:
    found = re.search(rf'<a href="([^"]+)">{re.escape(words)}</a>', page)
    assert found, f"no link {words!r}"
    return html.unescape(found.group(1))


def _count(page: str) -> str:
    found = re.search(r'<p class="count"><strong>([^<]+)</strong>', page)
    assert found
    return found.group(1)


@pytest.fixture
def earlier(engine: Engine, scope: Scope, tmp_path: Path) -> None:
    """Events stored before: the list shows them too unless filtered by the import."""
    import_file(
        engine, scope, write_ids(tmp_path / "old.csv", [ids_row(AMOUNT="1", SEIZURE_DATE="2014-01-01")])
    )


def test_the_import_links_to_its_records_and_its_possible_duplicates(
    api_client: TestClient, tmp_path: Path, earlier: None
) -> None:
    rows = [
        ids_row(AMOUNT="2.786", DRUG_UNIT="Kilogram"),
        ids_row(AMOUNT="2786", DRUG_UNIT="Gram", PLACE="KPP Astara"),  # a near duplicate of the first
        ids_row(AMOUNT="40", SEIZURE_DATE="2016-07-01"),
    ]
    done = _import_through_the_pages(api_client, write_ids(tmp_path / "new.csv", rows))
    assert "1 possible duplicates" in done
    records = api_client.get(_link(done, "See this import&#39;s records in the list")).text
    assert _count(records) == "3 seizure events"  # not the one stored before
    assert "Only the records of one import." in records
    assert re.search(r'<input type="hidden" name="import_job" value="\w+">', records)  # kept by the filters
    everything = api_client.get(_link(records, "Show all records")).text
    assert _count(everything) == "4 seizure events"
    duplicates = api_client.get(_link(done, "See its possible duplicates")).text
    assert _count(duplicates) == "1 seizure events"
    assert "Only possible duplicates, flagged when they were imported." in duplicates


def test_no_duplicates_link_when_the_import_flagged_none(api_client: TestClient, tmp_path: Path) -> None:
    done = _import_through_the_pages(api_client, write_ids(tmp_path / "one.csv", [ids_row()]))
    assert "See this import&#39;s records in the list" in done
    assert "See its possible duplicates" not in done


def test_the_cli_report_names_the_commands_that_list_them(
    engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    rows = [ids_row(AMOUNT="2.786", DRUG_UNIT="Kilogram"), ids_row(AMOUNT="2786", DRUG_UNIT="Gram")]
    report = import_file(engine, scope, write_ids(tmp_path / "near.csv", rows))
    text = report.summary()
    assert f"astara seizures list --where import_job={report.job_id}\n" in text
    assert f"--where import_job={report.job_id} --where possible_duplicate=yes" in text
