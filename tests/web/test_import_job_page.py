"""A large upload's confirm goes to the job's page: rows read and written while it runs, then the
report a synchronous import shows (with its links), or the failure with a way to retry or cancel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from astara.db.engine import transaction
from astara.db.models import Job
from astara.jobs import progress
from astara.jobs.runner import Runner
from astara.runtime import Runtime
from astara.settings import Settings
from astara.web import import_pages
from fixtures.make import ids_row, write_ids


def _csrf(client: TestClient, url: str = "/imports/new") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found
    return found.group(1)


def _confirm(client: TestClient, path: Path, keep_valid: bool = False) -> str:
    """Upload and confirm ``path``; the address the confirm sends the browser to."""
    with path.open("rb") as f:
        page = client.post("/imports/new", files={"file": (path.name, f)},
                           data={"mapping": "unodc_ids", "csrf_token": _csrf(client)})  # fmt: skip
    token = re.search(r'action="/imports/([\w-]+)/confirm"', page.text)
    assert token
    data = {"csrf_token": _csrf(client), **({"keep_valid": "true"} if keep_valid else {})}
    sent = client.post(f"/imports/{token.group(1)}/confirm", data=data, follow_redirects=False)
    assert sent.status_code == 303
    return sent.headers["location"]


@pytest.fixture(autouse=True)
def _every_file_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_pages, "JOB_BYTES", 0)


def test_confirm_goes_to_the_job_page_which_shows_progress_then_the_report(
    api_client: TestClient, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    rows = [ids_row(AMOUNT=f"{n}.5") for n in range(1, 6)] + [ids_row(AMOUNT="x")]
    job_page = _confirm(api_client, write_ids(tmp_path / "big.csv", rows), keep_valid=True)
    assert re.fullmatch(r"/jobs/[\w-]+", job_page)
    waiting = api_client.get(job_page).text
    assert "Import of big.csv" in waiting and "Waiting to start" in waiting
    assert api_client.get("/api/seizures").json()["total"] == 0  # nothing yet: the job imports

    job_id = job_page.rsplit("/", 1)[1]
    with transaction(engine) as session:  # as while a runner imports (its progress beside the store)
        session.execute(update(Job).where(Job.id == job_id).values(status="running"))
    progress.write(settings.data_dir, job_id, 4, None, "", {"rows_read": 4, "rows_written": 3})
    running = api_client.get(job_page).text
    assert "4 rows read" in running and "3 seizure events written so far" in running
    assert api_client.get(f"/api/jobs/{job_id}").json()["figures"] == {"rows_read": 4, "rows_written": 3}
    with transaction(engine) as session:
        session.execute(update(Job).where(Job.id == job_id).values(status="queued"))

    assert Runner(Runtime(settings)).run_once() == 1
    done = api_client.get(job_page).text
    assert "Imported: big.csv" in done and "6 rows read" in done and "5 seizure events created" in done
    rejects = re.search(r'href="(/imports/[\w-]+/rejects.csv)"', done)
    assert rejects and "reason" in api_client.get(rejects.group(1)).text.lower()
    assert 'href="/imports/new"' in done and api_client.get("/api/seizures").json()["total"] == 5


def test_a_failed_import_job_names_the_row_and_offers_retry_and_cancel(
    api_client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    rows = [ids_row(AMOUNT="1.5"), ids_row(AMOUNT="x")]
    job_page = _confirm(api_client, write_ids(tmp_path / "bad.csv", rows))
    Runner(Runtime(settings)).run_once()
    failed = api_client.get(job_page).text
    assert "Failed" in failed and "row 3, AMOUNT" in failed and "Nothing was imported" in failed
    cancel = re.search(r'action="(/imports/[\w-]+/cancel)"', failed)
    assert cancel and re.search(r'action="/imports/[\w-]+/confirm"', failed)
    gone = api_client.post(cancel.group(1), data={"csrf_token": _csrf(api_client)}, follow_redirects=False)
    assert gone.status_code == 303 and api_client.get("/api/seizures").json()["total"] == 0


def test_a_compressed_file_is_judged_by_its_data_not_its_compressed_size(
    api_client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip

    rows = [ids_row(AMOUNT=f"{n}.5", PLACE="Astara " * 30) for n in range(1, 200)]
    plain = write_ids(tmp_path / "many.csv", rows)
    packed = tmp_path / "many.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    # (gzip's data is estimated at five times its size: more than this limit, unlike the file itself)
    monkeypatch.setattr(import_pages, "JOB_BYTES", packed.stat().st_size * 4)
    assert re.fullmatch(r"/jobs/[\w-]+", _confirm(api_client, packed))
