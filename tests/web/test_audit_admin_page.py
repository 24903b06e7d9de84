"""/audit: supervisors and administrators read the log with filters (action, actor, partner, record,
dates) a page at a time, with translated action names, and verify the chain and its signed
checkpoints with a button; an analyst is refused."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from astara.agencies.scope import Scope
from astara.auth import service
from astara.db.engine import transaction
from astara.db.models import AuditEntry
from astara.settings import Settings
from astara.sharing import audit
from astara.sharing.keys import load_or_create
from fixtures.web import csrf_of, log_in

LEYLA, LEYLA_PASSWORD = "leyla@az-scs", "seven plums in a copper bowl"


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    from astara.web.app import create_app

    return create_app(settings)


def _client(app: FastAPI, username: str, password: str) -> TestClient:
    client = TestClient(app)
    assert log_in(client, username, password).status_code == 303
    return client


@pytest.fixture
def admin(app: FastAPI, web_user: tuple[str, str], engine: Engine, scope: Scope) -> TestClient:
    with transaction(engine) as session:
        service.add_user(session, scope, LEYLA, "analyst", LEYLA_PASSWORD)
    return _client(app, *web_user)


def _rows(page: str) -> list[tuple[str, str]]:
    """(action code, action as shown) of each entry on the page."""
    return re.findall(r'<td data-action="(\w+)">([^<]+)</td>', page)


def test_the_log_shows_the_new_actions_translated_and_filters(
    admin: TestClient, app: FastAPI, engine: Engine, scope: Scope
) -> None:
    _client(app, LEYLA, LEYLA_PASSWORD)  # a login of hers
    log_in(TestClient(app), LEYLA, "a wrong guess of a password")
    with transaction(engine) as session:
        audit.append(session, scope, "view", partner="IR-ANP", record="rec-viewed-1")
    page = admin.get("/audit")
    assert page.status_code == 200 and 'href="/audit"' in page.text
    shown = dict(_rows(page.text))
    assert (
        shown["login"] == "Login"
        and shown["login_failed"] == "Failed login"
        and shown["user"] == "User account"
    )
    assert shown["view"] == "Partner record viewed"
    assert 'leyla@az-scs</bdi> <span class="muted small">(browser)' in page.text  # a name, not "user:2"

    by_her = admin.get("/audit", params={"actor": LEYLA}).text
    assert {code for code, _ in _rows(by_her)} == {"login"}
    failed = admin.get("/audit", params={"action": "login_failed"}).text
    assert [code for code, _ in _rows(failed)] == ["login_failed"] and "a wrong guess" not in failed
    assert [c for c, _ in _rows(admin.get("/audit", params={"partner": "ir-anp"}).text)] == ["view"]
    assert [c for c, _ in _rows(admin.get("/audit", params={"record": "rec-viewed-1"}).text)] == ["view"]
    today = re.search(r"(\d{4}-\d\d-\d\d) \d\d:\d\d:\d\d", page.text)  # every entry is of today
    assert today
    day = {"since": today.group(1), "until": today.group(1)}
    assert len(_rows(admin.get("/audit", params=day).text)) == len(_rows(page.text))
    assert _rows(admin.get("/audit", params={"until": "2001-01-01"}).text) == []
    assert "No entry matches." in admin.get("/audit", params={"since": "2999-01-01"}).text


def test_bad_filters_are_shown_at_their_fields(admin: TestClient) -> None:
    page = admin.get("/audit", params={"since": "2026-02-30", "action": "login"})
    assert page.status_code == 422 and "“2026-02-30” is not a date (year-month-day)." in html.unescape(
        page.text
    )
    reversed_ = admin.get("/audit", params={"since": "2026-05-01", "until": "2026-04-01"})
    assert 'id="e-until">The end of the period is before its start.' in reversed_.text
    unknown = admin.get("/audit", params={"action": "gossip"})
    assert unknown.status_code == 422 and 'id="e-action">Choose an action from the list.' in unknown.text
    assert not unknown.text.lstrip().startswith("{")  # a page, never JSON


def test_the_log_comes_a_page_at_a_time(admin: TestClient, engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        for number in range(120):
            audit.append(session, scope, "export", details={"n": number})
    first = admin.get("/audit", params={"action": "export"}).text
    assert "Entries 1 to 50 of 120, newest first." in first and '"n": 119' in first and '"n": 69' not in first
    older = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert older and 'rel="prev"' not in first
    second = admin.get(html.unescape(older.group(1))).text
    assert "Entries 51 to 100 of 120" in second and '"n": 69' in second and "action=export" in older.group(1)
    third = admin.get("/audit", params={"action": "export", "page": 3}).text
    assert "Entries 101 to 120 of 120" in third and 'rel="next"' not in third and '"n": 0}' in third


def test_verify_the_chain_with_its_signed_checkpoints_and_find_a_break(
    admin: TestClient, engine: Engine, scope: Scope, settings: Settings
) -> None:
    load_or_create(settings.data_dir)
    with transaction(engine) as session:
        session.info["data_dir"] = settings.data_dir  # as the app's sessions do: checkpoints are written
        for number in range(100):
            audit.append(session, scope, "export", details={"n": number})
    page = admin.get("/audit")
    assert "Verify the chain" in page.text and 'id="verified"' not in page.text  # only when asked
    button = re.search(r'<a class="button" href="([^"]+)">Verify the chain</a>', page.text)
    assert button
    verified = admin.get(html.unescape(button.group(1))).text
    found = re.search(
        r'id="verified">The chain is intact: ([\d,]+) entries, checked against (\d+) signed', verified
    )
    assert found and int(found.group(1).replace(",", "")) > 100 and int(found.group(2)) >= 1
    assert "No signed checkpoint was checked" not in verified

    with transaction(engine) as session:
        session.execute(
            update(AuditEntry).where(AuditEntry.agency_id == scope.agency_id, AuditEntry.seq == 50)
            .values(details={"n": "changed"})
        )  # fmt: skip
    broken = admin.get("/audit", params={"verify": 1}).text
    assert "The chain is broken at entry 50:" in broken and "does not match its hash (edited)" in broken


def test_an_analyst_is_refused_and_a_supervisor_may_read(
    admin: TestClient, app: FastAPI, engine: Engine, scope: Scope
) -> None:
    leyla = _client(app, LEYLA, LEYLA_PASSWORD)
    page = leyla.get("/audit")
    assert (
        page.status_code == 403
        and "Only a supervisor or an administrator may read the audit log." in page.text
    )
    assert leyla.get("/audit", params={"verify": 1}).status_code == 403
    assert 'href="/audit"' not in leyla.get("/tokens").text
    admin.post("/users/role", data={"username": LEYLA, "role": "supervisor",
                                    "csrf_token": csrf_of(admin.get("/users").text)})  # fmt: skip
    assert leyla.get("/audit").status_code == 200


def test_the_log_speaks_persian_and_the_old_address_leads_to_it(admin: TestClient) -> None:
    admin.post("/language", data={"language": "fa", "csrf_token": csrf_of(admin.get("/audit").text)})
    moved = admin.get("/sharing/audit?action=login", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/audit?action=login"
    page = admin.get("/sharing/audit?action=login").text
    assert 'dir="rtl"' in page and "دفتر ممیزی" in page and dict(_rows(page))["login"] == "ورود"
    assert "وارسی زنجیره" in page and "(مرورگر)" in page
    verified = admin.get("/audit", params={"verify": 1}).text
    assert "زنجیره سالم است:" in verified and "هیچ نقطهٔ وارسی امضاشده‌ای سنجیده نشد" in verified
