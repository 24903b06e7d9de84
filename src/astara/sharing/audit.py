"""The tamper-evident audit chain: every send, receipt, view of partner data, retraction and hit.

Each entry's hash covers its own content (canonical JSON) and the previous entry's hash, so editing
an entry breaks its own hash and deleting one breaks the link (and the sequence) of the next. The
chain's head (number and hash of the newest entry) is kept apart in ``audit_anchors``, so deleting the
newest entries is detected too. Neither stops someone who can write to the database from rewriting
the whole chain and its head; signed checkpoints kept outside the store (:mod:`checkpoints`) do.
Appending first writes to the anchor row (a row lock on
PostgreSQL, the write lock on SQLite), so concurrent writers never take the same number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.db.models import AuditAnchor, AuditEntry
from astara.errors import AstaraError
from astara.sharing import checkpoints, repository
from astara.sharing.keys import KeyPair, canonical, load_existing, public_keys
from astara.sharing.messages import Checkpoint

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
        # resolved identities formed or undone (matching/identities.py)
        "identity",
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
        actor=actor or _actor(scope),
        action=action,
        partner_code=partner,
        record_id=record,
        details=details or {},
        prev_hash=last.entry_hash if last else GENESIS,
    )
    entry.entry_hash = entry_hash(entry)
    repository.add(session, entry)
    anchor.seq, anchor.head_hash = entry.seq, entry.entry_hash
    if entry.seq == 1 or entry.seq % checkpoints.EVERY == 0:
        _checkpoint(session, scope, entry)
    return entry


def _actor(scope: Scope) -> str:
    who = f"user:{scope.user_id}" if scope.user_id else f"agency:{scope.agency_code}"
    return f"{who} ({scope.via})" if scope.via else who


def _checkpoint(session: Session, scope: Scope, entry: AuditEntry) -> None:
    """Queue a periodic checkpoint of ``entry`` (none without a data folder or an instance key yet)."""
    data_dir: Path | None = session.info.get("data_dir")
    keys = load_existing(data_dir) if data_dir is not None else None
    if data_dir is not None and keys is not None:
        checkpoint = checkpoints.make(keys, scope.agency_code, entry.seq, entry.entry_hash, "periodic")
        checkpoints.queue(session, data_dir, checkpoint, entry)


def head_checkpoint(session: Session, scope: Scope, keys: KeyPair, kind: str) -> Checkpoint:
    """A signed checkpoint of the chain's head, written to the data folder when the session commits."""
    anchor = repository.audit_anchor(session, scope)
    seq, head = (anchor.seq, anchor.head_hash) if anchor is not None else (0, GENESIS)
    checkpoint = checkpoints.make(keys, scope.agency_code, seq, head, kind)
    data_dir = session.info.get("data_dir")
    if data_dir is not None:
        checkpoints.queue(session, data_dir, checkpoint)
    return checkpoint


def record_restore(session: Session, scope: Scope, data_dir: Path, keys: KeyPair) -> int:
    """After restoring the store from a backup: sign "restored to entry N" and note it in the chain.

    Entries above N that earlier checkpoints named are then expected to be gone. Returns N.
    """
    last = repository.last_audit(session, scope)
    restored_to = last.seq if last else 0
    checkpoint = checkpoints.make(
        keys, scope.agency_code, restored_to, last.entry_hash if last else GENESIS, "restore"
    )
    checkpoints.queue(session, data_dir, checkpoint)
    append(session, scope, "checkpoint", details={"restored_to": restored_to, "at": checkpoint["at"]})
    return restored_to


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
    checkpoints: int = 0
    note: str | None = None


def verify(session: Session, scope: Scope, data_dir: Path | None = None) -> Verification:
    """Walk the chain in order; report the first entry that was edited, or that follows a deleted one;
    then check it against every signed checkpoint in the data folder."""
    data_dir = data_dir or session.info.get("data_dir")
    required, problem, note = _required_checkpoints(data_dir, scope.agency_code)
    if problem is not None:
        return Verification(False, 0, None, problem, len(required))
    at: dict[int, str] = {}
    prev, expected_seq, count = GENESIS, 1, 0
    for entry in repository.iter_audit(session, scope):
        count += 1
        if entry.seq in required:
            at[entry.seq] = entry.entry_hash
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
    for seq, (line, checkpoint) in sorted(required.items()):
        named = f"the {checkpoint['kind']} checkpoint of {checkpoint['at']} (line {line} of {_FILE})"
        if seq not in at:
            reason = f"entry {seq}, signed by {named}, is missing"
            return Verification(False, count, seq, reason, len(required))
        if at[seq] != checkpoint["head_hash"]:
            return Verification(
                False, count, seq, f"entry {seq} does not have the hash signed by {named}: rewritten",
                len(required),
            )  # fmt: skip
    if not required and count and note is None:
        note = "no checkpoints of this agency in the data folder yet: only the chain itself was checked"
    return Verification(True, count, checkpoints=len(required), note=note)


_FILE = "audit/checkpoints.jsonl"


def _required_checkpoints(
    data_dir: Path | None, agency: str
) -> tuple[dict[int, tuple[int, dict[str, Any]]], str | None, str | None]:
    """(seq -> (line, checkpoint) that must hold, a bad checkpoint's description, a note).

    A "restore" checkpoint to entry N voids the earlier checkpoints above N; the newest checkpoint
    of a sequence number wins.
    """
    if data_dir is None:
        return {}, None, "no data folder given: checkpoints not checked"
    keys = public_keys(data_dir)
    if not keys:
        return {}, None, "no instance key yet (`astara keys show` makes one): no checkpoints to check"
    required: dict[int, tuple[int, dict[str, Any]]] = {}
    for line in checkpoints.read(data_dir, agency):
        checkpoint = line.checkpoint
        if not any(checkpoints.signed_by(checkpoint, key) for key in keys):
            return (
                required,
                f"line {line.number} of {_FILE} is not a checkpoint signed by this instance",
                None,
            )
        if checkpoint["kind"] == "restore":
            required = {seq: held for seq, held in required.items() if seq <= checkpoint["seq"]}
        if checkpoint["seq"] > 0:
            required[checkpoint["seq"]] = (line.number, checkpoint)
    return required, None, None
