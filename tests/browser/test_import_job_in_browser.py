"""A large spreadsheet in the browser: confirming it opens the import's job page, which shows rows
read and written while it runs and then the import's report, in English and Persian, wide and on a
phone."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import Job, utcnow
from astara.jobs import progress
from astara.settings import Settings
from astara.web import import_pages
from browser.conftest import log_in_as_admin
from fixtures.make import ids_row, write_ids

SIZES = {"wide": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SEEN = {  # what the pages say, in each language
    "en": {"done": "Imported: large.csv", "read": "6 rows read", "created": "6 seizure events created",
           "progress": ["12,000 rows read", "11,500 seizure events written so far"],
           "back": "Import another spreadsheet"},
    "fa": {"done": "وارد شد: large.csv", "read": "۶ ردیف خوانده شد", "created": "۶ رویداد کشف ساخته شد",
           "progress": ["۱۲٬۰۰۰ ردیف خوانده شد", "تاکنون ۱۱٬۵۰۰ رویداد کشف نوشته شد"],
           "back": "ورود صفحه‌گستردهٔ دیگر"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_large_import_shows_its_progress_then_its_report(
    browser: Any, live_server: str, shots: Path, tmp_path: Path, settings: Settings, engine: Engine,
    scope: Scope, monkeypatch: pytest.MonkeyPatch, language: str,
) -> None:  # fmt: skip
    monkeypatch.setattr(import_pages, "JOB_BYTES", 0)  # every file is imported by a job
    seen = SEEN[language]
    for size, viewport in SIZES.items():
        rows = [ids_row(AMOUNT=f"{n}.{len(size)}", SEIZURE_DATE=f"2015-03-0{n}") for n in range(1, 7)]
        (tmp_path / size).mkdir()
        path = write_ids(tmp_path / size / "large.csv", rows)  # (other seizures for each size)
        page = browser.new_page(viewport=viewport)
        log_in_as_admin(page, live_server, language)
        page.goto(live_server + "/imports/new")
        page.locator("input[type=file]").set_input_files(path)
        page.locator("select[name=mapping]").select_option("unodc_ids")
        page.locator("main form button[type=submit]").first.click()
        page.locator("form[action$='/confirm'] button[type=submit]").click()
        expect(page).to_have_url(re.compile(r".*/jobs/[\w-]+$"))
        # the server's job runner imports it; the page refreshes itself until the report shows
        expect(page.locator("main h1")).to_have_text(seen["done"], timeout=20_000)
        expect(page.locator("main")).to_contain_text(seen["read"])
        expect(page.locator("main")).to_contain_text(seen["created"])
        page.screenshot(path=shots / f"import_job_{language}_{size}_done.png", full_page=True)

        # a running import, as its page shows it between two batches
        job_id = secrets.token_urlsafe(24)
        with transaction(engine) as session:
            session.add(Job(id=job_id, agency_id=scope.agency_id, kind="imports.run", status="running",
                            params={"upload": "x" * 32, "file": "large.csv", "keep_valid": False},
                            created_by=scope.user_id, progress_done=0, progress_message="", attempts=1,
                            claim_token="t" * 32, started_at=utcnow(), heartbeat_at=utcnow()))  # fmt: skip
        progress.write(
            settings.data_dir, job_id, 12_000, None, "", {"rows_read": 12_000, "rows_written": 11_500}
        )
        page.goto(f"{live_server}/jobs/{job_id}")
        expect(page.locator("main a[href='/imports/new']")).to_have_text(seen["back"])
        for text in seen["progress"]:
            expect(page.locator("main")).to_contain_text(text)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=shots / f"import_job_{language}_{size}_running.png", full_page=True)
        page.close()
