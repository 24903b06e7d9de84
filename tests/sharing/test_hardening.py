"""Replayed requests, the audit chain's head, concurrent audit writers and the retention period."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from astara.db import versions
from astara.db.models import AuditEntry, SharingReceived
from astara.sharing import audit, feed, service, sync
from astara.sharing.feed import SignatureRejected

from .conftest import Node, feed_of, receipts_to, record_seizure


def _pull(receiver: Node, sender: Node) -> Any:
    return service.pull(receiver.unit, receiver.keys, sender.scope.agency_code,
                        fetch=feed_of(sender), post=receipts_to(sender))  # fmt: skip


def _actions(node: Node) -> list[str]:
    with node.unit() as (session, _):
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_a_replayed_request_is_rejected_and_logged(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    headers = feed.sign_request(ir.keys, "GET", "/api/sharing/feed", "after=0", "IR-ANP", "AZ-SCS")
    with az.unit() as (session, _):
        sync.partner_scope(session, headers, "GET", "/api/sharing/feed", "after=0", b"")
    with az.unit() as (session, _), pytest.raises(SignatureRejected, match="a replay") as caught:
        sync.partner_scope(session, headers, "GET", "/api/sharing/feed", "after=0", b"")
    with az.unit() as (session, _):
        sync.log_rejected(session, caught.value)
    assert _actions(az)[-1] == "rejected"
    fresh = feed.sign_request(ir.keys, "GET", "/api/sharing/feed", "after=0", "IR-ANP", "AZ-SCS")
    assert fresh["X-Astara-Nonce"] != headers["X-Astara-Nonce"]
    with az.unit() as (session, _):  # a new request (new nonce) is served
        sync.partner_scope(session, fresh, "GET", "/api/sharing/feed", "after=0", b"")


def test_a_request_whose_nonce_was_changed_is_refused(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    headers = feed.sign_request(ir.keys, "GET", "/api/sharing/feed", "after=0", "IR-ANP", "AZ-SCS")
    headers["X-Astara-Nonce"] = "f" * 32  # a replay dressed up with a new nonce
    with az.unit() as (session, _), pytest.raises(SignatureRejected, match="bad signature"):
        sync.partner_scope(session, headers, "GET", "/api/sharing/feed", "after=0", b"")


def test_replayed_feed_entries_change_nothing(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    record_seizure(az, "AZ-2025-5001")
    pages: list[dict[str, Any]] = []
    honest = feed_of(az)

    def recording(*args: Any) -> dict[str, Any]:
        pages.append(honest(*args))
        return pages[-1]

    assert service.pull(ir.unit, ir.keys, "AZ-SCS", fetch=recording, post=receipts_to(az)).received == 1
    replay = iter([pages[0], pages[-1]])  # the captured page again, then the empty last page
    replayed = service.pull(ir.unit, ir.keys, "AZ-SCS", fetch=lambda *a: next(replay), post=receipts_to(az))
    assert replayed.received == 0
    with ir.unit() as (session, _):
        assert len(session.scalars(select(SharingReceived)).all()) == 1


def _chain(node: Node, n: int) -> None:
    with node.unit() as (session, scope):
        for i in range(n):
            audit.append(session, scope, "view", partner="IR-ANP", record=f"r{i}", details={"i": i})


def test_deleting_the_newest_entries_is_detected(az: Node) -> None:
    _chain(az, 5)
    with az.unit() as (session, _):
        session.execute(delete(AuditEntry).where(AuditEntry.seq >= 4))
    with az.unit() as (session, scope):
        result = audit.verify(session, scope)
    assert not result.ok and result.first_bad_seq == 4 and "4 to 5 are missing" in (result.reason or "")


def test_replacing_the_newest_entry_is_detected(az: Node) -> None:
    _chain(az, 3)
    with az.unit() as (session, scope):  # rewrite entry 3 consistently (own hash recomputed)
        entry = session.scalars(select(AuditEntry).where(AuditEntry.seq == 3)).one()
        entry.details = {"i": 99}
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.seq == 3)
            .values(details={"i": 99}, entry_hash=audit.entry_hash(entry))
        )
    with az.unit() as (session, scope):
        result = audit.verify(session, scope)
    assert not result.ok and result.first_bad_seq == 3 and "recorded head" in (result.reason or "")


def test_concurrent_writers_never_collide(az: Node) -> None:
    """Eight writers at once (real concurrent transactions on PostgreSQL): one gapless chain."""
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with az.unit() as (session, scope):
                    audit.append(session, scope, "view", record=f"w{n}-{i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with az.unit() as (session, scope):
        result = audit.verify(session, scope)
    assert result.ok and result.entries == 80


def test_received_records_are_purged_after_the_retention_period_and_logged(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    old = record_seizure(az, "AZ-2025-5101")
    assert _pull(ir, az).received == 1
    with ir.unit() as (session, _):  # received six years ago (the agreement keeps five)
        session.execute(update(SharingReceived).values(received_at=dt.datetime(2020, 1, 1)))
    new = record_seizure(az, "AZ-2025-5102")
    result = _pull(ir, az)
    assert result.received == 1 and result.purged == 1
    with ir.unit() as (session, scope):
        held = session.scalars(select(SharingReceived.record_id)).all()
        assert service.purge_expired(session, scope) == {}
        purge = session.scalars(select(AuditEntry).where(AuditEntry.action == "purge")).one()
    assert held == [new]
    assert purge.details["records"] == [old] and purge.details["retention_days"] == 1825


def test_purge_is_a_command(linked: tuple[Node, Node], tmp_path: Path) -> None:
    az, ir = linked
    record_seizure(az, "AZ-2025-5201")
    _pull(ir, az)
    with ir.unit() as (session, scope):
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1826)
        assert service.purge_expired(session, scope, later) == {"AZ-IR-BORDER-2024": 1}


def test_received_records_and_their_purge_move_the_store_version(linked: tuple[Node, Node]) -> None:
    az, ir = linked

    def version() -> int:
        with ir.unit() as (session, scope):
            return versions.current(session, scope.agency_id)

    before = version()
    record_seizure(az, "AZ-2025-5301")
    assert _pull(ir, az).received == 1
    received = version()
    assert received > before
    with ir.unit() as (session, scope):
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1826)
        assert service.purge_expired(session, scope, later) == {"AZ-IR-BORDER-2024": 1}
    assert version() > received
