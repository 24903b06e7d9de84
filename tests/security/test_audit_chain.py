"""Hole 5: rewriting the audit chain in the database is caught by the signed checkpoints outside it.

Each attack is done as someone with write access to the store but not to the instance key would:
plain SQL on ``audit_log`` and ``audit_anchors``, and the public ``entry_hash`` to recompute.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from astara.db.models import AuditAnchor, AuditEntry
from astara.runtime import Runtime
from astara.settings import Settings
from astara.sharing import audit, checkpoints, keys, service
from astara.sharing.feed import SignatureRejected
from fixtures.cli import run_cli
from sharing.conftest import Node, feed_of, link, make_node, receipts_to, record_seizure


@pytest.fixture
def rt(settings: Settings) -> Runtime:
    keys.load_or_create(settings.data_dir)
    return Runtime(settings)


def _chain(rt: Runtime, n: int) -> None:
    with rt.unit() as (session, scope):
        for i in range(n):
            audit.append(session, scope, "view_nominal", record=f"p{i}", details={"i": i})


def _verify(rt: Runtime) -> audit.Verification:
    with rt.unit() as (session, scope):
        return audit.verify(session, scope)


def _move_head(rt: Runtime, seq: int) -> None:
    """Delete the entries above ``seq`` and point the anchor at entry ``seq``, as an attacker would."""
    with rt.unit() as (session, scope):
        mine = AuditEntry.agency_id == scope.agency_id
        session.execute(delete(AuditEntry).where(mine, AuditEntry.seq > seq))
        head = session.scalars(select(AuditEntry.entry_hash).where(AuditEntry.seq == seq)).one()
        session.execute(update(AuditAnchor).values(seq=seq, head_hash=head))


def test_an_untouched_chain_is_intact_and_checkpointed(rt: Runtime) -> None:
    _chain(rt, 150)
    result = _verify(rt)
    assert result.ok and result.entries == 150 and result.checkpoints == 2  # entries 1 and 100
    path = checkpoints.path_of(rt.settings.data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(c["seq"], c["kind"]) for c in lines] == [(1, "periodic"), (100, "periodic")]


def test_deleting_the_newest_entries_and_moving_the_head_is_caught(rt: Runtime) -> None:
    _chain(rt, 150)
    _move_head(rt, 50)
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == 100
    assert result.reason == (
        f"entry 100, signed by the periodic checkpoint of {_at(rt, 100)} "
        "(line 2 of audit/checkpoints.jsonl), is missing"
    )


def test_deleting_everything_is_caught(rt: Runtime) -> None:
    _chain(rt, 5)
    with rt.unit() as (session, _):
        session.execute(delete(AuditEntry))
        session.execute(delete(AuditAnchor))
    result = _verify(rt)
    assert not result.ok and result.entries == 0 and result.first_bad_seq == 1
    assert "entry 1, signed by the periodic checkpoint" in str(result.reason)


def test_an_edited_and_recomputed_chain_is_caught(rt: Runtime) -> None:
    _chain(rt, 120)
    with rt.unit() as (session, _):
        prev = audit.GENESIS
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            if entry.seq == 10:
                entry.details = {"i": "nothing to see"}
            entry.prev_hash = prev
            entry.entry_hash = prev = audit.entry_hash(entry)
        session.execute(update(AuditAnchor).values(seq=120, head_hash=prev))
    result = _verify(rt)
    assert not result.ok and result.first_bad_seq == 100
    assert "entry 100 does not have the hash signed by the periodic checkpoint" in str(result.reason)


def test_the_command_reports_the_checkpoint_and_fails(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASTARA_DATABASE_URL", rt.settings.effective_database_url)
    monkeypatch.setenv("ASTARA_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("ASTARA_AGENCY", rt.settings.agency)
    _chain(rt, 100)
    code, out, _ = run_cli(monkeypatch, capsys, "audit", "verify")
    assert code == 0 and "audit chain intact: 100 entries, 2 signed checkpoints" in out
    _move_head(rt, 99)
    code, out, _ = run_cli(monkeypatch, capsys, "audit", "verify")
    assert code == audit.ChainBroken.exit_code
    assert "BROKEN at entry 100: entry 100, signed by the periodic checkpoint" in out


def test_a_forged_checkpoint_line_is_reported(rt: Runtime) -> None:
    _chain(rt, 3)
    stranger = keys.KeyPair(keys.Ed25519PrivateKey.generate())
    forged = checkpoints.make(stranger, rt.settings.agency, 2, "f" * 64, "periodic")
    checkpoints.write(rt.settings.data_dir, forged)
    result = _verify(rt)
    assert not result.ok
    assert result.reason == "line 2 of audit/checkpoints.jsonl is not a checkpoint signed by this instance"


def test_a_recorded_restore_is_not_tampering(rt: Runtime) -> None:
    _chain(rt, 150)
    _move_head(rt, 50)  # the store as a backup taken at entry 50 left it
    assert not _verify(rt).ok
    with rt.unit() as (session, scope):
        restored_to = audit.record_restore(
            session, scope, rt.settings.data_dir, keys.load_or_create(rt.settings.data_dir)
        )
    assert restored_to == 50
    assert _verify(rt).ok
    _chain(rt, 60)  # entries 51.. again, and a new checkpoint at 100 with another hash
    result = _verify(rt)
    assert result.ok and result.entries == 111
    with rt.unit() as (session, _):
        note = session.scalars(select(AuditEntry).where(AuditEntry.seq == 51)).one()
    assert (note.action, note.details["restored_to"]) == ("checkpoint", 50)


def test_a_rolled_back_transaction_writes_no_checkpoint(rt: Runtime) -> None:
    _chain(rt, 99)
    with pytest.raises(RuntimeError), rt.unit() as (session, scope):
        audit.append(session, scope, "view_nominal", record="p100")
        raise RuntimeError("the job failed")
    assert len(checkpoints.path_of(rt.settings.data_dir).read_text().splitlines()) == 1
    assert _verify(rt).ok


def test_without_an_instance_key_verify_says_checkpoints_are_off(settings: Settings) -> None:
    rt = Runtime(settings)
    _chain(rt, 100)
    result = _verify(rt)
    assert result.ok and result.checkpoints == 0
    assert result.note is not None and result.note.startswith("no instance key yet")
    assert not checkpoints.path_of(settings.data_dir).exists()


def _at(rt: Runtime, seq: int) -> str:
    for line in checkpoints.read(rt.settings.data_dir, rt.settings.agency):
        if line.checkpoint["seq"] == seq:
            return str(line.checkpoint["at"])
    raise AssertionError(seq)


# -- the checkpoints partners keep: the witness outside this instance -------------------------------


@pytest.fixture
def pair(tmp_path: Any) -> Iterator[tuple[Node, Node]]:
    az = make_node(tmp_path / "az", "AZ-SCS", "State Customs Committee", "AZ")
    ir = make_node(tmp_path / "ir", "IR-ANP", "Anti-Narcotics Police", "IR")
    link(az, ir)
    yield az, ir
    az.engine.dispose()
    ir.engine.dispose()


def _pull(receiver: Node, sender: Node, fetch: Any = None) -> None:
    service.pull(receiver.unit, receiver.keys, sender.scope.agency_code,
                 fetch=fetch or feed_of(sender), post=receipts_to(sender))  # fmt: skip


def _status(node: Node) -> Any:
    with node.unit() as (session, scope):
        (status,) = service.status(session, scope)
    return status


def _head(node: Node) -> int:
    with node.unit() as (session, _):
        return int(session.scalar(select(AuditAnchor.seq)) or 0)


def test_a_feed_page_carries_the_signed_head_and_the_partner_keeps_it(pair: tuple[Node, Node]) -> None:
    az, ir = pair
    record_seizure(az, "AZ-2025-7001")
    page = feed_of(az)("", ir.keys, "IR-ANP", "AZ-SCS", 0, 500)
    assert page["format"] == 2 and page["entries"][0]["body"]["format"] == 1  # messages unchanged
    assert checkpoints.signed_by(page["checkpoint"], az.keys.public_b64)
    _pull(ir, az)
    status = _status(ir)
    assert status.checkpoint_seq == _head(az) and status.checkpoint_warning is None


def test_a_partner_flags_a_checkpoint_that_goes_backwards(pair: tuple[Node, Node]) -> None:
    az, ir = pair
    record_seizure(az, "AZ-2025-7002")
    _pull(ir, az)
    kept = _status(ir).checkpoint_seq
    with az.unit() as (session, scope):  # AZ's chain truncated by someone with database access
        session.execute(delete(AuditEntry).where(AuditEntry.agency_id == scope.agency_id, AuditEntry.seq > 1))
        head = session.scalars(select(AuditEntry.entry_hash).where(AuditEntry.seq == 1)).one()
        session.execute(update(AuditAnchor).values(seq=1, head_hash=head))
    _pull(ir, az)
    status = _status(ir)
    assert status.checkpoint_seq == kept  # the higher one stays the witness
    assert status.checkpoint_warning is not None
    assert status.checkpoint_warning.startswith("AZ-SCS's audit chain went backwards: its checkpoint of ")
    assert "has entry 1 (" in status.checkpoint_warning and f"had entry {kept} (" in status.checkpoint_warning


def test_a_recomputed_head_with_the_same_number_is_flagged(pair: tuple[Node, Node]) -> None:
    az, ir = pair
    record_seizure(az, "AZ-2025-7003")
    _pull(ir, az)
    with az.unit() as (session, _):
        prev = audit.GENESIS
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            entry.details = {**entry.details, "edited": True} if entry.seq == 1 else entry.details
            entry.prev_hash = prev
            entry.entry_hash = prev = audit.entry_hash(entry)
        session.execute(update(AuditAnchor).values(head_hash=prev))
    honest = feed_of(az)

    def fetch(*args: Any) -> dict[str, Any]:  # the same head number, as the page with nothing new says
        page = honest(*args)
        page["checkpoint"] = checkpoints.make(az.keys, "AZ-SCS", _status(ir).checkpoint_seq, prev, "feed")
        return page

    _pull(ir, az, fetch)
    assert "went backwards" in str(_status(ir).checkpoint_warning)


def test_a_forged_checkpoint_refuses_the_page_and_an_old_page_is_accepted(pair: tuple[Node, Node]) -> None:
    az, ir = pair
    record_seizure(az, "AZ-2025-7004")
    honest = feed_of(az)

    def forged(*args: Any) -> dict[str, Any]:
        page = honest(*args)
        page["checkpoint"] = checkpoints.make(ir.keys, "AZ-SCS", 999, "f" * 64, "feed")
        return page

    with pytest.raises(SignatureRejected, match="checkpoint in AZ-SCS's feed page is not signed by it"):
        _pull(ir, az, forged)

    def old(*args: Any) -> dict[str, Any]:  # a partner on feed format 1: no format, no checkpoint
        page = honest(*args)
        return {k: v for k, v in page.items() if k not in ("format", "checkpoint")}

    _pull(ir, az, old)
    assert _status(ir).received == 1 and _status(ir).checkpoint_seq is None
