"""Offline bundles carry the same signed entries, cursors and receipts as the HTTP feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astara.errors import Conflict
from astara.sharing import bundles, service
from astara.sharing.feed import SignatureRejected

from .conftest import Node, record_seizure


def test_a_bundle_round_trip_with_a_retraction_and_its_receipt(
    linked: tuple[Node, Node], tmp_path: Path
) -> None:
    az, ir = linked
    kept = record_seizure(az, "AZ-2025-1001")
    gone = record_seizure(az, "AZ-2025-1002")
    with az.unit() as (session, scope):
        first = bundles.export_bundle(session, scope, az.keys, "IR-ANP", tmp_path / "1.json.gz")
    assert first.entries == 2
    with ir.unit() as (session, scope):
        result = bundles.import_bundle(session, scope, ir.keys, tmp_path / "1.json.gz")
    assert result.received == 2
    with ir.unit() as (session, scope):  # the same bundle twice changes nothing
        assert bundles.import_bundle(session, scope, ir.keys, tmp_path / "1.json.gz").received == 0
    with az.unit() as (session, scope):
        service.retract(session, scope, gone, "duplicate of AZ-2025-1001")
        second = bundles.export_bundle(session, scope, az.keys, "IR-ANP", tmp_path / "2.json")
    assert second.entries == 3  # IR-ANP has not confirmed the first bundle yet: resent, applied once
    with ir.unit() as (session, scope):
        result = bundles.import_bundle(session, scope, ir.keys, tmp_path / "2.json")
        back = bundles.export_bundle(session, scope, ir.keys, "AZ-SCS", tmp_path / "back.json")
    assert result.retracted == 1 and back.receipts == 1
    with az.unit() as (session, scope):
        answer = bundles.import_bundle(session, scope, az.keys, tmp_path / "back.json")
        [status] = service.status(session, scope)
    assert answer.receipts_accepted == 1 and status.receipts_received == 1
    assert status.backlog == 0  # the ack in IR-ANP's bundle confirmed everything
    with ir.unit() as (session, scope):
        assert service.show_received(session, scope, "AZ-SCS", kept)[0].retracted_at is None
        assert service.show_received(session, scope, "AZ-SCS", gone)[0].retracted_at is not None


def test_a_tampered_bundle_is_refused(linked: tuple[Node, Node], tmp_path: Path) -> None:
    az, ir = linked
    record_seizure(az, "AZ-2025-1101")
    path = tmp_path / "b.json"
    with az.unit() as (session, scope):
        bundles.export_bundle(session, scope, az.keys, "IR-ANP", path)
    data = json.loads(path.read_text())
    data["body"]["entries"][0]["body"]["payload"]["record"]["event"]["country"] = "TR"
    path.write_text(json.dumps(data))
    with ir.unit() as (session, scope), pytest.raises(SignatureRejected):
        bundles.import_bundle(session, scope, ir.keys, path)


def test_a_bundle_that_skips_entries_is_refused(linked: tuple[Node, Node], tmp_path: Path) -> None:
    az, ir = linked
    record_seizure(az, "AZ-2025-1201")
    with az.unit() as (session, scope):
        bundles.export_bundle(session, scope, az.keys, "IR-ANP", tmp_path / "lost.json")
        service.status(session, scope)
        from astara.sharing import repository

        repository.sync_state(session, scope, "IR-ANP").acked_cursor = 1  # as if IR-ANP had confirmed it
    record_seizure(az, "AZ-2025-1202")
    with az.unit() as (session, scope):
        bundles.export_bundle(session, scope, az.keys, "IR-ANP", tmp_path / "next.json")
    with (
        ir.unit() as (session, scope),
        pytest.raises(Conflict, match="ask AZ-SCS for a bundle from cursor 0"),
    ):
        bundles.import_bundle(session, scope, ir.keys, tmp_path / "next.json")
