"""Hole 6 and the receipt half of 9: refused partner requests are counted and limited, not appended
to the audit chain one by one; a receipt with a bad signature is counted the same way."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import AuditEntry, SharingRefusal
from astara.settings import Settings
from astara.sharing import feed, service, sync
from astara.sharing.keys import KeyPair, load_or_create
from astara.sharing.schemas import PartnerIn
from astara.web.app import create_app


@pytest.fixture
def partner_key(tmp_path: Any, engine: Engine, scope: Scope) -> KeyPair:
    """IR-ANP, registered as AZ-SCS's partner with this key."""
    pair = load_or_create(tmp_path / "ir")
    with transaction(engine) as session:
        service.add_partner(session, scope, PartnerIn(code="IR-ANP", url=None, key=pair.public_b64))
    return pair


def _get_feed(client: TestClient, keys: KeyPair) -> int:
    headers = feed.sign_request(keys, "GET", "/api/sharing/feed", "after=0", "IR-ANP", "AZ-SCS")
    return client.get("/api/sharing/feed?after=0", headers=headers).status_code


def _refused(engine: Engine) -> list[AuditEntry]:
    with transaction(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "refused")))


def _count(engine: Engine, route: str) -> int:
    with transaction(engine) as session:
        return int(
            session.scalar(select(func.sum(SharingRefusal.count)).where(SharingRefusal.route == route)) or 0
        )


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request of a test falls in one counting minute, however slow the machine."""
    start = feed.now()
    monkeypatch.setattr(sync, "now", lambda: start)


def _next_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    later = sync.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(sync, "now", lambda: later)


def test_a_flood_of_forged_feed_requests_is_counted_and_limited(
    settings: Settings, engine: Engine, partner_key: KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[int] = []
    real_check = sync.check_request
    monkeypatch.setattr(sync, "check_request", lambda *a: checked.append(1) or real_check(*a))
    client = TestClient(create_app(settings))
    with transaction(engine) as session:
        before = session.scalar(select(func.count(AuditEntry.id)))
    forger = KeyPair(load_or_create(settings.data_dir / "forger").private)
    statuses = [_get_feed(client, forger) for _ in range(200)]
    limit = settings.partner_refusal_limit
    assert statuses == [401] * limit + [429] * (200 - limit)
    assert len(checked) == limit  # over the limit, no signature is checked at all
    assert _count(engine, "/api/sharing/feed") == 200
    with transaction(engine) as session:
        assert session.scalar(select(func.count(AuditEntry.id))) == before  # nothing appended yet
    _next_minute(monkeypatch)
    assert _get_feed(client, partner_key) == 200  # the real partner is served, and the minute logged
    (entry,) = _refused(engine)
    assert entry.partner_code == "IR-ANP" and entry.actor == "client:testclient"
    assert entry.details["count"] == 200 and entry.details["route"] == "/api/sharing/feed"
    assert "bad signature" in entry.details["reason"]


def test_a_receipt_with_a_bad_signature_is_counted_and_audited(
    settings: Settings, engine: Engine, partner_key: KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(create_app(settings))
    forger = KeyPair(load_or_create(settings.data_dir / "forger").private)
    receipt = feed.receipt_message(forger, "IR-ANP", "AZ-SCS", 1, "r1", 2)
    body = json.dumps({"receipts": [receipt]}).encode()
    headers = feed.sign_request(partner_key, "POST", "/api/sharing/receipts", "", "IR-ANP", "AZ-SCS", body)
    answer = client.post("/api/sharing/receipts", content=body, headers=headers)
    assert answer.status_code == 401 and "bad signature" in answer.json()["error"]["message"]
    assert _count(engine, "/api/sharing/receipts") == 1
    _next_minute(monkeypatch)
    assert _get_feed(client, partner_key) == 200
    (entry,) = _refused(engine)
    assert entry.details["route"] == "/api/sharing/receipts" and entry.details["count"] == 1
    assert entry.details["reason"] == "a receipt from IR-ANP (cursor 1) has a bad signature: rejected"
