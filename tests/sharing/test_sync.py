"""Signed sync between two nodes: what leaves, what arrives, corrections, retractions and receipts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from astara.db.models import AuditEntry, SeizureEvent, SharingOutbox, SharingReceived
from astara.sharing import outbox, service, sync
from astara.sharing.feed import SignatureRejected
from astara.sharing.keys import canonical

from .conftest import TODAY, Node, feed_of, link, make_node, receipts_to, record_seizure


def _pull(receiver: Node, sender: Node, page: int = 500) -> Any:
    return service.pull(receiver.unit, receiver.keys, sender.scope.agency_code, page,
                        fetch=feed_of(sender), post=receipts_to(sender))  # fmt: skip


def test_a_record_arrives_with_only_the_fields_the_agreement_allows(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    record_id = record_seizure(az, "AZ-2025-0201", driver="Məmməd Rzayev", plate="IR 12 B 345 67")
    fetch = feed_of(az)
    wire = json.dumps(fetch("", ir.keys, "IR-ANP", "AZ-SCS", 0, 100), ensure_ascii=False)
    assert "Məmməd" not in wire and "informant K-7" not in wire and "AZ-2025-0201" not in wire  # on the wire
    assert "IR 12 B 345 67" in wire and "heroin" in wire
    result = _pull(ir, az)
    assert result.received == 2  # version 1 as created, version 2 once the driver and truck were linked
    with ir.unit() as (session, scope):
        got = service.show_received(session, scope, "AZ-SCS", record_id)[-1]
    assert got.record["event"]["country"] == "AZ" and got.record["items"][0]["kg"] == 260
    assert got.clauses["date"] == "art4.1" and got.clauses["vehicle.plate"] == "art6.2"
    assert (
        got.agreement_code == "AZ-IR-BORDER-2024" and got.onward_sharing == "forbidden" and got.tlp == "amber"
    )
    assert "name" not in json.dumps(got.record["entities"])


def test_delivery_is_idempotent_and_resumes_in_order(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    ids = [record_seizure(az, f"AZ-2025-03{i:02d}") for i in range(7)]
    first = _pull(ir, az, page=3)
    assert first.received == 7 and first.pages == 4  # 3 + 3 + 1, then an empty page
    again = _pull(ir, az, page=3)
    assert again.received == 0
    with ir.unit() as (session, scope):
        rows = session.scalars(select(SharingReceived).order_by(SharingReceived.cursor)).all()
        status = {s.partner: s for s in service.status(session, scope)}
    assert sorted(r.record_id for r in rows) == sorted(ids) and len(rows) == 7
    assert status["AZ-SCS"].pulled_cursor == rows[-1].cursor and status["AZ-SCS"].last_error is None
    with az.unit() as (session, scope):
        assert {s.partner: s for s in service.status(session, scope)}["IR-ANP"].backlog == 0


def test_a_correction_is_a_new_version_and_never_overwrites(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    record_id = record_seizure(az, "AZ-2025-0401")
    _pull(ir, az)
    with az.unit() as (session, scope):
        event = session.get(SeizureEvent, record_id)
        assert event is not None
        event.items[0].kg = 515.0
        event.refresh_totals()
        session.flush()
        assert outbox.record_changed(session, scope, [record_id], TODAY) == 1
        assert outbox.record_changed(session, scope, [record_id], TODAY) == 0  # unchanged: not queued again
    assert _pull(ir, az).received == 1
    with ir.unit() as (session, scope):
        versions = service.show_received(session, scope, "AZ-SCS", record_id)
    assert [(v.version, v.record["items"][0]["kg"]) for v in versions] == [(1, 260), (2, 515.0)]


def test_a_retraction_is_applied_and_answered_with_a_signed_receipt(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    record_id = record_seizure(az, "AZ-2025-0501")
    _pull(ir, az)
    with az.unit() as (session, scope):
        assert service.retract(session, scope, record_id, "entered twice") == ["IR-ANP"]
    result = _pull(ir, az)
    assert result.retracted == 1 and result.receipts_sent == 1 and result.receipts_accepted == 1
    with ir.unit() as (session, scope):
        [tomb] = service.show_received(session, scope, "AZ-SCS", record_id)
    assert tomb.retracted_at is not None and tomb.record == {} and tomb.retraction_reason == "entered twice"
    with az.unit() as (session, scope):
        [status] = service.status(session, scope)
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert status.receipts_received == 1
    assert "retraction" in actions and "receipt" in actions and "send" in actions


def test_a_retraction_reaches_only_the_partners_that_received_the_record(
    tmp_path: Path, linked: tuple[Node, Node]
) -> None:
    az, _ = linked
    ge = make_node(tmp_path / "ge", "GE-MIA", "Ministry of Internal Affairs", "GE")
    doc = (
        Path(__file__).resolve().parents[2] / "src/astara/sharing/examples/az-ir-border-services.yaml"
    ).read_text()
    ge_doc = tmp_path / "az-ge.yaml"
    clause = "    categories: [seizure_facts]\n    exclude_fields: [reference]"
    ge_doc.write_text(
        doc.replace("IR-ANP", "GE-MIA")
        .replace("AZ-IR-BORDER-2024", "AZ-GE-2025")
        .replace(clause, clause + "\n    when:\n      transport: [rail]")
    )
    link(az, ge, ge_doc)
    road = record_seizure(az, "AZ-2025-0601")  # shared with IR only (GE's agreement covers rail)
    with az.unit() as (session, scope):
        partners = service.retract(session, scope, road, "wrong crossing")
        kinds = sorted((r.partner_code, r.kind) for r in session.scalars(select(SharingOutbox)))
    assert partners == ["IR-ANP"]
    assert kinds == [("IR-ANP", "record"), ("IR-ANP", "retraction")]


def test_a_tampered_entry_is_rejected_and_logged(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    record_seizure(az, "AZ-2025-0701")
    honest = feed_of(az)

    def tampered(*args: Any) -> dict[str, Any]:
        page = honest(*args)
        page["entries"][0]["body"]["payload"]["record"]["items"][0]["kg"] = 2.6  # 260 kg becomes 2.6
        return page

    with pytest.raises(SignatureRejected, match="bad signature"):
        service.pull(ir.unit, ir.keys, "AZ-SCS", fetch=tampered, post=receipts_to(az))
    with ir.unit() as (session, scope):
        assert session.scalars(select(SharingReceived)).all() == []
        [status] = service.status(session, scope)
        rejected = session.scalars(select(AuditEntry).where(AuditEntry.action == "rejected")).all()
    assert status.pulled_cursor == 0 and "bad signature" in (status.last_error or "")
    assert len(rejected) == 1
    assert _pull(ir, az).received == 1  # the honest feed still syncs afterwards


def test_a_request_signed_by_another_key_or_too_old_is_refused(
    linked: tuple[Node, Node], tmp_path: Path
) -> None:
    az, _ = linked
    stranger = make_node(tmp_path / "x", "IR-ANP", "Impostor", "IR")  # same code, other key
    with pytest.raises(SignatureRejected, match="bad signature"):
        feed_of(az)("", stranger.keys, "IR-ANP", "AZ-SCS", 0, 10)
    from astara.sharing import feed

    headers = feed.sign_request(stranger.keys, "GET", "/api/sharing/feed", "after=0", "IR-ANP", "AZ-SCS")
    headers["X-Astara-Time"] = "2026-01-01T00:00:00+00:00"
    with az.unit() as (session, _), pytest.raises(SignatureRejected, match="replay, or a clock"):
        sync.partner_scope(session, headers, "GET", "/api/sharing/feed", "after=0", b"")


def test_a_received_record_is_never_passed_on(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    record_id = record_seizure(az, "AZ-2025-0801")
    _pull(ir, az)
    with ir.unit() as (session, scope):
        result = service.explain(session, scope, "AZ-SCS", record_id)
        assert outbox.record_changed(session, scope, [record_id], TODAY) == 0
        assert session.scalars(select(SharingOutbox)).all() == []
    assert not result.shared and "never passed on" in result.reason


def test_entries_are_signed_over_canonical_json(linked: tuple[Node, Node]) -> None:
    az, ir = linked
    record_seizure(az, "AZ-2025-0901")
    page = feed_of(az)("", ir.keys, "IR-ANP", "AZ-SCS", 0, 10)
    from astara.sharing.keys import verify

    entry = page["entries"][0]
    assert verify(az.keys.public_b64, canonical(entry["body"]), entry["signature"])
    assert not verify(ir.keys.public_b64, canonical(entry["body"]), entry["signature"])


def test_an_import_queues_its_records_for_partners_in_the_same_transaction(
    linked: tuple[Node, Node], tmp_path: Path
) -> None:
    from fixtures.make import ids_row, import_file, write_ids

    az, ir = linked
    path = write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT=str(i + 1)) for i in range(5)])
    report = import_file(az.engine, az.scope, path)
    assert report.events_created == 5
    with az.unit() as (session, scope):
        [status] = service.status(session, scope)
    assert status.backlog == 5
    assert _pull(ir, az).received == 5
    again = import_file(az.engine, az.scope, path)  # a re-import changes nothing, sends nothing
    assert again.events_created == 0
    with az.unit() as (session, scope):
        assert service.status(session, scope)[0].backlog == 0


def test_a_sync_cut_off_half_way_loses_and_duplicates_nothing(linked: tuple[Node, Node]) -> None:
    from astara.sharing.client import PartnerUnreachable

    az, ir = linked
    ids = {record_seizure(az, f"AZ-2025-40{i:02d}") for i in range(5)}
    honest, calls = feed_of(az), []

    def dies_on_the_second_page(*args: Any) -> dict[str, Any]:
        calls.append(args)
        if len(calls) == 2:
            raise PartnerUnreachable("connection reset by peer")
        return honest(*args)  # type: ignore[no-any-return]

    with pytest.raises(PartnerUnreachable):
        service.pull(ir.unit, ir.keys, "AZ-SCS", 2, fetch=dies_on_the_second_page, post=receipts_to(az))
    with ir.unit() as (session, scope):
        [status] = service.status(session, scope)
        assert len(session.scalars(select(SharingReceived)).all()) == 2 and "reset" in (
            status.last_error or ""
        )
    assert _pull(ir, az, page=2).received == 3
    with ir.unit() as (session, scope):
        rows = session.scalars(select(SharingReceived)).all()
        assert service.status(session, scope)[0].last_error is None
    assert sorted(r.record_id for r in rows) == sorted(ids)
