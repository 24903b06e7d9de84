"""Hole 5: rewriting the audit chain in the database is caught by the signed checkpoints outside it.

Each attack is done as someone with write access to the store but not to the instance key would:
plain SQL on ``audit_log`` and ``audit_anchors``, and the public ``entry_hash`` to recompute.
"""

from __future__ import annotations

import json
import stat

import pytest
from sqlalchemy import delete, select, update

from astara.db.models import AuditAnchor, AuditEntry
from astara.runtime import Runtime
from astara.settings import Settings
from astara.sharing import audit, checkpoints, keys
from fixtures.cli import run_cli


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
