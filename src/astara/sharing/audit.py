"""The tamper-evident audit chain: every send, receipt, view of partner data, retraction and hit.

Each entry's hash covers its own content (canonical JSON) and the previous entry's hash, so editing
an entry breaks its own hash and deleting one breaks the link (and the sequence) of the next. The
chain's head (number and hash of the newest entry) is kept apart in ``audit_anchors``, so deleting the
newest entries is detected too. Appending first writes to the anchor row (a row lock on
PostgreSQL, the write lock on SQLite), so concurrent writers never take the same number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.db.models import AuditAnchor, AuditEntry
from astara.errors import AstaraError
from astara.sharing import repository
from astara.sharing.keys import canonical

GENESIS = "0" * 64


class ChainBroken(AstaraError):
    """``astara audit verify`` found an edited or missing entry."""

    status_code = 409
    exit_code = 11
    code = "audit_chain_broken"


ACTIONS = frozenset(
    {
        "send",
        "receive",
        "receipt",
        "view",
        "retraction",
        "hit",
        "agreement",
        "partner",
        "key",
        "rejected",
        "purge",
        # every access that matters, beyond sharing (security issue: logins, views, edits, ...)
        "login",
        "login_failed",
        "logout",
        "view_nominal",
        "create",
        "edit",
        "import",
        "export",
        "user",
        "token",
        "checkpoint",
        "refused",
    }
)


def entry_hash(entry: AuditEntry) -> str:
    body = {
        "seq": entry.seq,
        "agency_id": entry.agency_id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "partner": entry.partner_code,
        "record": entry.record_id,
        "details": entry.details,
        "prev": entry.prev_hash,
    }
    return hashlib.sha256(canonical(body)).hexdigest()


def append(
    session: Session,
    scope: Scope,
    action: str,
    *,
    partner: str | None = None,
    record: str | None = None,
    details: dict[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEntry:
    """Add one entry at the end of the agency's chain (in the caller's transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    anchor = _locked_anchor(session, scope)
    last = repository.last_audit(session, scope)
    entry = AuditEntry(
        agency_id=scope.agency_id,
        seq=(last.seq + 1) if last else 1,
        at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        actor=actor or (f"user:{scope.user_id}" if scope.user_id else f"agency:{scope.agency_code}"),
        action=action,
        partner_code=partner,
        record_id=record,
        details=details or {},
        prev_hash=last.entry_hash if last else GENESIS,
    )
    entry.entry_hash = entry_hash(entry)
    repository.add(session, entry)
    anchor.seq, anchor.head_hash = entry.seq, entry.entry_hash
    return entry


def _locked_anchor(session: Session, scope: Scope) -> AuditAnchor:
    if repository.touch_audit_anchor(session, scope):
        anchor = repository.audit_anchor(session, scope, lock=True)
        assert anchor is not None
        session.refresh(anchor)  # the head as committed by the writer we waited for
        return anchor
    last = repository.last_audit(session, scope)  # a chain written before anchors existed
    try:
        with session.begin_nested():
            session.add(
                AuditAnchor(
                    agency_id=scope.agency_id,
                    seq=last.seq if last else 0,
                    head_hash=last.entry_hash if last else GENESIS,
                )
            )
    except IntegrityError:  # another writer created it first: wait for its lock
        pass
    anchor = repository.audit_anchor(session, scope, lock=True)
    assert anchor is not None
    return anchor


@dataclass
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify(session: Session, scope: Scope) -> Verification:
    """Walk the chain in order; report the first entry that was edited, or that follows a deleted one."""
    prev, expected_seq, count = GENESIS, 1, 0
    for entry in repository.iter_audit(session, scope):
        count += 1
        if entry.seq != expected_seq:
            return Verification(
                False, count, entry.seq, f"entries {expected_seq} to {entry.seq - 1} are missing"
            )
        if entry.prev_hash != prev:
            return Verification(False, count, entry.seq, "its link to the previous entry is broken")
        if entry_hash(entry) != entry.entry_hash:
            return Verification(False, count, entry.seq, "its content does not match its hash (edited)")
        prev, expected_seq = entry.entry_hash, entry.seq + 1
    anchor = repository.audit_anchor(session, scope)
    head = expected_seq - 1
    if anchor is not None and anchor.seq > head:
        return Verification(
            False,
            count,
            head + 1,
            f"entries {head + 1} to {anchor.seq} are missing (the chain's head is {anchor.seq})",
        )
    if anchor is not None and anchor.seq == head and anchor.head_hash != prev:
        return Verification(False, count, head, "the newest entry does not match the chain's recorded head")
    if anchor is None and count:
        return Verification(False, count, head, "the chain's head record is missing")
    return Verification(True, count)
