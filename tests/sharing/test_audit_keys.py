"""The audit chain detects edited and deleted entries; keys are private, fingerprinted and rotate."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import delete, update

from astara.db.models import AuditEntry
from astara.sharing import audit, keys

from .conftest import Node


def _chain(node: Node, n: int) -> None:
    with node.unit() as (session, scope):
        for i in range(n):
            audit.append(session, scope, "view", partner="IR-ANP", record=f"r{i}", details={"i": i})


def test_an_intact_chain_verifies(az: Node) -> None:
    _chain(az, 5)
    with az.unit() as (session, scope):
        result = audit.verify(session, scope)
    assert result.ok and result.entries == 5


def test_an_edited_entry_is_named(az: Node) -> None:
    _chain(az, 5)
    with az.unit() as (session, scope):
        session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(details={"i": 99}))
    with az.unit() as (session, scope):
        result = audit.verify(session, scope)
    assert not result.ok and result.first_bad_seq == 3 and "edited" in (result.reason or "")


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(az: Node) -> None:
    _chain(az, 5)
    with az.unit() as (session, scope):
        entry = session.query(AuditEntry).filter_by(seq=2).one()
        entry.actor = "someone else"
        entry.entry_hash = audit.entry_hash(entry)
    with az.unit() as (session, scope):
        result = audit.verify(session, scope)
    assert not result.ok and result.first_bad_seq == 3


def test_a_deleted_entry_is_detected(az: Node) -> None:
    _chain(az, 5)
    with az.unit() as (session, scope):
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    with az.unit() as (session, scope):
        result = audit.verify(session, scope)
    assert not result.ok and result.first_bad_seq == 3 and "missing" in (result.reason or "")


def test_the_private_key_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    pair = keys.load_or_create(tmp_path)
    path = tmp_path / "keys" / keys.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.load_or_create(tmp_path).fingerprint == pair.fingerprint  # loaded, not regenerated
    assert len(pair.fingerprint.split()) == 8


def test_rotation_makes_a_new_key_and_keeps_the_old_one(tmp_path: Path) -> None:
    old = keys.load_or_create(tmp_path)
    new, old_fingerprint = keys.rotate(tmp_path)
    assert old_fingerprint == old.fingerprint != new.fingerprint
    retired = list((tmp_path / "keys" / "retired").iterdir())
    assert len(retired) == 1 and stat.S_IMODE(retired[0].stat().st_mode) == 0o600
    data = b"message"
    assert keys.verify(new.public_b64, data, new.sign(data))
    assert not keys.verify(old.public_b64, data, new.sign(data))
