"""/schedule: an agency's administrator sees each scheduled job's last run, its result or its error
message, and its next run, in four languages; others are refused; a schedule file that cannot be
read is shown with its line and field while the server serves on."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.auth.service import add_user
from astara.db.engine import transaction
from astara.jobs import schedule
from astara.jobs.runner import Runner
from astara.runtime import Runtime
from astara.settings import Settings
from astara.web.app import create_app
from fixtures.web import log_in
from web.test_page_languages import english_words, shown_words

LEYLA, LEYLA_PASSWORD = "leyla@az-scs", "seven plums in a copper bowl"
SCHEDULE = """\
[[job]]
name = "purge"
kind = "sharing.purge"
every = "1d"
at = "02:30"

[[job]]
name = "pull-ir"
kind = "sharing.pull"
every = "15m"
params = { partner = "IR-ANP" }

[[job]]
name = "watch"
kind = "matching.watch"
every = "6h"

[[job]]
name = "other-agency"
kind = "sharing.purge"
every = "1d"
agency = "IR-ANP"
"""


@pytest.fixture
def ran(settings: Settings, engine: Engine, scope: Scope) -> Settings:
    """The schedule written and each of its entries run once: the purge done, the pull failed."""
    (settings.data_dir / schedule.FILE_NAME).write_text(SCHEDULE, encoding="utf-8")
    entries = [e for e in schedule.read(settings).entries if e.agency == scope.agency_code]
    Runner(Runtime(settings), schedule=schedule.scheduler(engine, entries)).run_once()
    return settings


def test_an_administrator_sees_each_jobs_last_run_outcome_and_next_run(
    ran: Settings, browser_like: TestClient
) -> None:
    page = browser_like.get("/schedule")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert '<a href="/schedule">Scheduled jobs</a>' in text  # in the administrator's navigation
    purge = text.split('id="schedule-purge"')[1].split("</tr>")[0]
    assert "Retention purge of received records" in purge and "at 02:30 UTC" in purge
    assert 'id="schedule-watch"' in text and "Watch-list run" in text and "Watch-list entries checked" in text
    pull = text.split('id="schedule-pull-ir"')[1].split("</tr>")[0]
    assert "Pull from IR-ANP" in pull and "Failed" in pull and "IR-ANP" in pull.split('class="error"')[1]
    assert "Traceback" not in text
    assert "other-agency" not in text  # another agency's entry is its administrators' business
    assert "Next run" in text and "Not run yet" not in text


def test_an_analyst_is_refused(settings: Settings, engine: Engine, scope: Scope, ran: Settings) -> None:
    with transaction(engine) as session:
        add_user(session, scope, LEYLA, "analyst", LEYLA_PASSWORD)
    client = TestClient(create_app(settings))
    assert log_in(client, LEYLA, LEYLA_PASSWORD).status_code == 303
    page = client.get("/schedule")
    said = html.unescape(page.text)
    assert page.status_code == 403 and "Only the agency's administrators see the scheduled jobs." in said
    assert 'href="/schedule"' not in client.get("/dashboard").text
    anonymous = TestClient(create_app(settings)).get("/schedule", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_a_bad_schedule_file_is_shown_with_its_line_and_field(
    settings: Settings, api_client: TestClient
) -> None:
    bad = SCHEDULE.replace('every = "6h"', 'every = "6 hours"')
    (settings.data_dir / schedule.FILE_NAME).write_text(bad, encoding="utf-8")
    page = api_client.get("/schedule")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "line 16: job 3 'watch', field 'every': '6 hours' is not a period" in text
    assert "No scheduled job is queued until the file is corrected" in text


@pytest.mark.parametrize("language", ["az", "ru", "fa"])
def test_the_page_is_in_the_readers_language(ran: Settings, api_client: TestClient, language: str) -> None:
    page = api_client.get("/schedule", headers={"Accept-Language": language})
    assert f'<html lang="{language}"' in page.text
    english = english_words(language)
    assert sorted(w for w in shown_words(page.text) if w.lower() in english) == []
