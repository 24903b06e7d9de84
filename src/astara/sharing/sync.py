"""Both ends of a sync: serving our feed to a partner, and applying a partner's feed here.

Applying is idempotent and ordered: entries are verified first (one bad signature refuses the whole
page), versions already held are skipped, and the cursor moves in the same transaction as the
records, so a sync killed half-way resumes where it stopped, losing and duplicating nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from astara.agencies import repository as agencies
from astara.agencies.scope import Scope
from astara.db import versions
from astara.db.models import SharingNonce, SharingPartner, SharingReceipt, SharingReceived, utcnow
from astara.errors import NotFound, RateLimited
from astara.matching.store import index_received
from astara.sharing import audit, checkpoints, repository
from astara.sharing.feed import (
    FEED_FORMAT,
    MAX_SKEW,
    SignatureRejected,
    check_message,
    check_request,
    entry_message,
    now,
    receipt_message,
)
from astara.sharing.keys import KeyPair
from astara.sharing.messages import FeedPage, ReceiptBody, Signed

PAGE = 500


def partner_scope(
    session: Session, headers: dict[str, str], method: str, path: str, query: str, body: bytes
) -> tuple[Scope, SharingPartner]:
    """Authenticate a partner's signed request: (the scope of our agency it addresses, the partner)."""
    headers = {k.lower(): v for k, v in headers.items()}
    missing = [
        h
        for h in ("x-astara-from", "x-astara-to", "x-astara-time", "x-astara-nonce", "x-astara-signature")
        if not headers.get(h)
    ]
    if missing:
        raise SignatureRejected(f"a partner request needs the headers {', '.join(missing)}")
    agency = agencies.get_agency_by_code(session, headers["x-astara-to"].upper())
    if agency is None:
        raise NotFound(f"no agency {headers['x-astara-to']!r} here")
    scope = Scope(agency_id=agency.id, agency_code=agency.code, user_id=None, role="partner")
    partner = repository.get_partner(session, scope, headers["x-astara-from"].upper())
    if partner is None:
        raise SignatureRejected(f"{headers['x-astara-from']} is not a registered partner of {agency.code}")
    try:
        check_request(headers, partner.public_key, method, path, query, body)
        _remember_nonce(session, scope, partner.code, headers["x-astara-nonce"])
    except SignatureRejected as exc:
        exc.details = [{"agency": scope.agency_code, "partner": partner.code, "request": f"{method} {path}"}]
        raise
    log_refusals(session, scope)
    return scope, partner


# -- refused requests: counted per minute and client, one audit entry per counter -------------------


def _window() -> dt.datetime:
    return now().replace(tzinfo=None, second=0, microsecond=0)


def _addressed(session: Session, headers: dict[str, str]) -> Scope | None:
    code = {k.lower(): v for k, v in headers.items()}.get("x-astara-to", "")
    agency = agencies.get_agency_by_code(session, code.upper()[:32])
    if agency is None:  # no agency, no chain to record in
        return None
    return Scope(agency_id=agency.id, agency_code=agency.code, role="partner", via="partner")


def refusal_gate(session: Session, headers: dict[str, str], client: str, limit: int) -> None:
    """RateLimited, before any signature is checked, once ``client`` had ``limit`` refusals this minute."""
    scope = _addressed(session, headers)
    if scope is not None and repository.refusals_in(session, scope, _window(), client) >= limit:
        raise RateLimited(
            f"{client} made {limit} or more refused partner requests this minute; try again next minute"
        )


def count_refused(session: Session, headers: dict[str, str], route: str, client: str, reason: str) -> None:
    """Count a refused partner request (bad signature, unknown partner, replay, over the limit)."""
    scope = _addressed(session, headers)
    if scope is None:
        return
    claimed = {k.lower(): v for k, v in headers.items()}.get("x-astara-from", "").upper()[:32]
    repository.count_refusal(session, scope, _window(), route, claimed, client[:64], reason)
    log_refusals(session, scope)


def log_refusals(session: Session, scope: Scope) -> None:
    """One "refused" audit entry per counter of a minute that is over."""
    for row in repository.closed_refusals(session, scope, _window()):
        audit.append(
            session,
            scope,
            "refused",
            partner=row.partner_code,
            actor=f"client:{row.client}",
            details={"route": row.route, "minute": row.window.isoformat(), "count": row.count,
                     "reason": row.reason},
        )  # fmt: skip
        row.logged = True


def _remember_nonce(session: Session, scope: Scope, partner: str, nonce: str) -> None:
    """Refuse a nonce already seen from ``partner``; keep it while its request could still be valid."""
    replayed = SignatureRejected(f"the request from {partner} repeats nonce {nonce[:16]}: a replay, rejected")
    if repository.nonce_seen(session, scope, partner, nonce):
        raise replayed
    seen = utcnow()
    repository.forget_nonces(session, scope, seen - dt.timedelta(seconds=2 * MAX_SKEW))
    try:
        with session.begin_nested():
            session.add(
                SharingNonce(agency_id=scope.agency_id, partner_code=partner, nonce=nonce, seen_at=seen)
            )
    except IntegrityError as exc:  # the same request arriving twice at once
        raise replayed from exc


def log_rejected(session: Session, exc: SignatureRejected) -> None:
    """Record a refused message or request in the audit chain (in a transaction of its own)."""
    for detail in exc.details[:1]:
        agency = agencies.get_agency_by_code(session, str(detail.get("agency", "")))
        if agency is None:
            return
        scope = Scope(agency_id=agency.id, agency_code=agency.code, role="partner")
        audit.append(
            session,
            scope,
            "rejected",
            partner=str(detail.get("partner")),
            actor=f"partner:{detail.get('partner')}",
            details={**detail, "reason": exc.message},
        )


def serve_feed(
    session: Session, scope: Scope, keys: KeyPair, partner: str, after: int, limit: int = PAGE
) -> FeedPage:
    """A page of signed entries after ``after``; asking for it acknowledges everything up to ``after``."""
    state = repository.sync_state(session, scope, partner)
    if after > state.acked_cursor:
        state.acked_cursor = after
    rows = repository.outbox_page(session, scope, partner, after, min(max(limit, 1), 5000))
    entries = [entry_message(keys, scope.agency_code, row) for row in rows]
    if rows:
        audit.append(
            session,
            scope,
            "send",
            partner=partner,
            actor=f"partner:{partner}",
            details={
                "cursors": [rows[0].id, rows[-1].id],
                "entries": len(rows),
                "records": sorted({r.record_id for r in rows if r.kind == "record"}),
                "retractions": sorted({r.record_id for r in rows if r.kind == "retraction"}),
            },
        )
    backlog = repository.outbox_backlog(session, scope, partner, rows[-1].id) if rows else 0
    return {
        "format": FEED_FORMAT,
        "from": scope.agency_code,
        "to": partner,
        "entries": entries,
        "next_cursor": rows[-1].id if rows else after,
        "more": backlog > 0,
        "checkpoint": audit.head_checkpoint(session, scope, keys, "feed"),
    }


def keep_checkpoint(session: Session, scope: Scope, partner: SharingPartner, checkpoint: Any) -> None:
    """Keep the newest audit checkpoint ``partner`` sent (pages of older partners have none).

    One that goes backwards (a lower entry, or the same entry with another hash) is not kept: the
    partner's chain was rewritten or restored, and ``astara sync status`` says so until looked into.
    """
    if checkpoint is None:
        return
    if not checkpoints.signed_by(checkpoint, partner.public_key) or checkpoint["agency"] != partner.code:
        raise SignatureRejected(f"the audit checkpoint in {partner.code}'s feed page is not signed by it")
    state = repository.sync_state(session, scope, partner.code)
    kept = state.checkpoint
    seq, head = checkpoint["seq"], checkpoint["head_hash"]
    if kept is not None and (seq < kept["seq"] or (seq == kept["seq"] and head != kept["head_hash"])):
        state.checkpoint_warning = (
            f"{partner.code}'s audit chain went backwards: its checkpoint of {checkpoint['at']} has entry "
            f"{seq} ({head[:12]}...) after its checkpoint of {kept['at']} had entry {kept['seq']} "
            f"({kept['head_hash'][:12]}...): rewritten, or restored from a backup; ask {partner.code}"
        )
        audit.append(session, scope, "checkpoint", partner=partner.code,
                     details={"backwards": True, "kept": kept, "received": checkpoint})  # fmt: skip
        return
    state.checkpoint = checkpoint


@dataclass
class Applied:
    received: int = 0
    duplicates: int = 0
    retracted: int = 0
    cursor: int = 0
    receipts: list[Signed[ReceiptBody]] = field(default_factory=list)


def apply_entries(
    session: Session, scope: Scope, keys: KeyPair, partner: SharingPartner, entries: list[Any]
) -> Applied:
    """Verify and store a partner's entries; tombstones are applied and answered with signed receipts."""
    try:
        bodies = [
            check_message(e, partner.public_key, partner.code, scope.agency_code, "entry") for e in entries
        ]
    except SignatureRejected as exc:
        exc.details = [{"agency": scope.agency_code, "partner": partner.code, "message": "feed entry"}]
        raise
    state = repository.sync_state(session, scope, partner.code)
    result = Applied(cursor=state.pulled_cursor)
    held = repository.received_versions(
        session, scope, partner.code, [(b["record_id"], b["version"]) for b in bodies]
    )
    stored: list[str] = []
    received_rows: list[SharingReceived] = []  # filed in the matching store and checked against watch lists
    for message, body in zip(entries, bodies, strict=True):
        cursor, record_id, version = int(body["cursor"]), str(body["record_id"]), int(body["version"])
        if cursor <= state.pulled_cursor or (record_id, version) in held:
            result.duplicates += 1
            continue
        payload = body["payload"]
        if body["kind"] == "retraction":
            repository.retract_received(
                session, scope, partner.code, record_id, utcnow(), payload.get("reason")
            )
            receipt = receipt_message(keys, scope.agency_code, partner.code, cursor, record_id, version)
            repository.add(
                session,
                SharingReceipt(
                    agency_id=scope.agency_id,
                    partner_code=partner.code,
                    direction="issued",
                    cursor=cursor,
                    record_id=record_id,
                    body=receipt["body"],
                    signature=receipt["signature"],
                ),
            )
            audit.append(
                session,
                scope,
                "retraction",
                partner=partner.code,
                record=record_id,
                details={"cursor": cursor, "version": version, "applied": True},
            )
            result.retracted += 1
            result.receipts.append(receipt)
        else:
            received_rows.append(
                SharingReceived(
                    agency_id=scope.agency_id,
                    partner_code=partner.code,
                    record_id=record_id,
                    version=version,
                    cursor=cursor,
                    agreement_code=payload["agreement"],
                    tlp=payload["tlp"],
                    handling_code=payload.get("handling_code"),
                    onward_sharing=payload["onward_sharing"],
                    record=payload["record"],
                    clauses=payload["clauses"],
                    signature=message["signature"],
                )
            )
            session.add(received_rows[-1])
            stored.append(record_id)
            result.received += 1
        held.add((record_id, version))
        state.pulled_cursor = max(state.pulled_cursor, cursor)
    if stored:
        versions.changed(session, scope.agency_id)  # the agency's records changed: figures start afresh
        audit.append(
            session,
            scope,
            "receive",
            partner=partner.code,
            details={"records": stored, "cursor": state.pulled_cursor},
        )
    state.received_count += result.received
    state.last_success_at, state.last_error = utcnow(), None
    result.cursor = state.pulled_cursor
    session.flush()
    if received_rows:
        index_received(session, scope, received_rows)
    return result


def accept_receipts(session: Session, scope: Scope, partner: SharingPartner, receipts: list[Any]) -> int:
    """Store a partner's signed receipts for our retractions; each must answer a tombstone we sent it."""
    accepted = 0
    for message in receipts:
        body = check_message(message, partner.public_key, partner.code, scope.agency_code, "receipt")
        cursor = int(body["cursor"])
        entry = repository.outbox_entry(session, scope, partner.code, cursor)
        if entry is None or entry.kind != "retraction" or entry.record_id != body["record_id"]:
            raise SignatureRejected(
                f"{partner.code} sent a receipt for cursor {cursor}, which is no retraction"
            )
        if repository.get_receipt(session, scope, partner.code, "received", cursor) is not None:
            continue
        repository.add(
            session,
            SharingReceipt(
                agency_id=scope.agency_id,
                partner_code=partner.code,
                direction="received",
                cursor=cursor,
                record_id=entry.record_id,
                body=body,
                signature=message["signature"],
                delivered_at=utcnow(),
            ),
        )
        audit.append(
            session,
            scope,
            "receipt",
            partner=partner.code,
            record=entry.record_id,
            actor=f"partner:{partner.code}",
            details={"cursor": cursor, "applied_at": body["applied_at"]},
        )
        accepted += 1
    if accepted:
        versions.changed(session, scope.agency_id)  # the agency's records changed: figures start afresh
    return accepted


def pending_receipts(session: Session, scope: Scope, partner: str) -> list[SharingReceipt]:
    return repository.receipts(session, scope, partner, "issued", undelivered=True)


def as_message(receipt: SharingReceipt) -> Signed[ReceiptBody]:
    return {"body": cast(ReceiptBody, receipt.body), "signature": receipt.signature}  # stored as sent
