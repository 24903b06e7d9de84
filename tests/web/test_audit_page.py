"""The audit log page: linked from the sharing page, filters by action and partner, shows a break."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import AuditEntry
from astara.sharing import audit


def _entries(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        audit.append(session, scope, "view", partner="IR-ANP", record="rec-viewed-1")
        audit.append(session, scope, "hit", partner="GE-MIA", details={"hits": ["GE-2025-1"]})
        audit.append(session, scope, "retraction", record="rec-retracted-2", details={"partners": ["IR-ANP"]})


def test_the_audit_log_lists_filters_and_verifies(
    api_client: TestClient, engine: Engine, scope: Scope
) -> None:
    _entries(engine, scope)
    assert 'href="/sharing/audit"' in api_client.get("/sharing").text
    page = api_client.get("/sharing/audit", params={"verify": 1})  # the old address leads to /audit
    assert page.status_code == 200 and "The chain is intact: 4 entries" in page.text  # and the token's
    assert "rec-viewed-1" in page.text and "GE-2025-1" in page.text and "rec-retracted-2" in page.text
    hits = api_client.get("/sharing/audit", params={"action": "hit"}).text
    assert "GE-2025-1" in hits and "rec-viewed-1" not in hits
    ir = api_client.get("/sharing/audit", params={"partner": "ir-anp"}).text
    assert "rec-viewed-1" in ir and "GE-2025-1" not in ir
    assert api_client.get("/sharing/audit", params={"action": "gossip"}).status_code == 422


def test_the_audit_log_says_when_the_newest_entry_was_deleted(
    api_client: TestClient, engine: Engine, scope: Scope
) -> None:
    _entries(engine, scope)
    with transaction(engine) as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 4))  # entry 1: the token's creation
    page = api_client.get("/audit", params={"verify": 1})
    assert "The chain is broken at entry 4" in page.text and "missing" in page.text


def test_the_audit_log_speaks_persian(api_client: TestClient, engine: Engine, scope: Scope) -> None:
    _entries(engine, scope)
    page = api_client.get("/sharing/audit", headers={"Accept-Language": "fa"})
    assert "دفتر ممیزی" in page.text and 'dir="rtl"' in page.text
