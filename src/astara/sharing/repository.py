"""Every query of the sharing domain, each scoped to the acting agency with :func:`scoped`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from astara.agencies.scope import Scope, scoped, scoped_delete, scoped_update
from astara.db.models import (
    NOMINAL_MODELS,
    AuditAnchor,
    AuditEntry,
    EventEntityLink,
    SeizureEvent,
    SharingAgreement,
    SharingNonce,
    SharingOutbox,
    SharingPartner,
    SharingReceipt,
    SharingReceived,
    SharingRefusal,
    SharingSyncState,
)

T = TypeVar("T", bound=tuple[Any, ...])


@dataclass(frozen=True)
class AuditQuery:
    """Which audit entries: each field set narrows them (``actor``: "user:ID" or any text of the actor)."""

    action: str | None = None
    partner: str | None = None
    record: str | None = None
    actor: str | None = None
    since: str | None = None  # ISO date or time, inclusive
    before: str | None = None  # ISO date or time, exclusive


# -- partners and agreements ----------------------------------------------------------------------


def get_partner(session: Session, scope: Scope, code: str) -> SharingPartner | None:
    stmt = scoped(select(SharingPartner), SharingPartner, scope).where(SharingPartner.code == code)
    return session.scalars(stmt).one_or_none()


def list_partners(session: Session, scope: Scope) -> list[SharingPartner]:
    stmt = scoped(select(SharingPartner), SharingPartner, scope).order_by(SharingPartner.code)
    return list(session.scalars(stmt))


def get_agreement(session: Session, scope: Scope, code: str) -> SharingAgreement | None:
    stmt = scoped(select(SharingAgreement), SharingAgreement, scope).where(SharingAgreement.code == code)
    return session.scalars(stmt).one_or_none()


def list_agreements(session: Session, scope: Scope, partner: str | None = None) -> list[SharingAgreement]:
    stmt = scoped(select(SharingAgreement), SharingAgreement, scope).order_by(SharingAgreement.code)
    if partner is not None:
        stmt = stmt.where(SharingAgreement.partner_code == partner)
    return list(session.scalars(stmt))


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()


# -- local records --------------------------------------------------------------------------------


def events_by_ids(session: Session, scope: Scope, ids: Sequence[str]) -> list[SeizureEvent]:
    stmt = scoped(select(SeizureEvent), SeizureEvent, scope).where(SeizureEvent.id.in_(list(ids)))
    return list(session.scalars(stmt.options(selectinload(SeizureEvent.items)).order_by(SeizureEvent.id)))


def event_ids_of_job(session: Session, scope: Scope, job_id: str) -> list[str]:
    stmt = scoped(select(SeizureEvent.id), SeizureEvent, scope).where(SeizureEvent.import_job_id == job_id)
    return list(session.scalars(stmt.order_by(SeizureEvent.id)))


def entities_of(session: Session, scope: Scope, event_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Per event id: its linked nominal entities as {type, role, fields}."""
    links = list(
        session.scalars(
            scoped(select(EventEntityLink), EventEntityLink, scope).where(
                EventEntityLink.event_id.in_(list(event_ids))
            )
        )
    )
    by_type: dict[str, set[str]] = {}
    for link in links:
        by_type.setdefault(link.entity_type, set()).add(link.entity_id)
    found: dict[tuple[str, str], Any] = {}
    for kind, ids in by_type.items():
        model = NOMINAL_MODELS.get(kind)
        if model is None:
            continue
        stmt = scoped(select(model), model, scope).where(model.id.in_(ids))
        for row in session.scalars(stmt):
            found[(kind, row.id)] = row
    out: dict[str, list[dict[str, Any]]] = {}
    for link in sorted(links, key=lambda x: (x.event_id, x.entity_type, x.role, x.entity_id)):
        linked = found.get((link.entity_type, link.entity_id))
        if linked is not None:
            out.setdefault(link.event_id, []).append(
                {"type": link.entity_type, "role": link.role, "entity": linked}
            )
    return out


# -- outbox ---------------------------------------------------------------------------------------


def last_outbox_entries(
    session: Session, scope: Scope, partner: str, record_ids: Sequence[str]
) -> dict[str, SharingOutbox]:
    """The newest outbox entry per record for a partner."""
    newest = (
        scoped(select(func.max(SharingOutbox.id)), SharingOutbox, scope)
        .where(SharingOutbox.partner_code == partner, SharingOutbox.record_id.in_(list(record_ids)))
        .group_by(SharingOutbox.record_id)
    )
    stmt = scoped(select(SharingOutbox), SharingOutbox, scope).where(SharingOutbox.id.in_(newest))
    return {row.record_id: row for row in session.scalars(stmt)}


def outbox_page(session: Session, scope: Scope, partner: str, after: int, limit: int) -> list[SharingOutbox]:
    stmt = (
        scoped(select(SharingOutbox), SharingOutbox, scope)
        .where(SharingOutbox.partner_code == partner, SharingOutbox.id > after)
        .order_by(SharingOutbox.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def outbox_backlog(session: Session, scope: Scope, partner: str, after: int) -> int:
    stmt = scoped(select(func.count()).select_from(SharingOutbox), SharingOutbox, scope).where(
        SharingOutbox.partner_code == partner, SharingOutbox.id > after
    )
    return int(session.scalar(stmt) or 0)


def outbox_partners_of(session: Session, scope: Scope, record_id: str) -> list[str]:
    """Partners that were sent this record (whatever its state now)."""
    stmt = (
        scoped(select(SharingOutbox.partner_code), SharingOutbox, scope)
        .where(SharingOutbox.record_id == record_id, SharingOutbox.kind == "record")
        .distinct()
    )
    return sorted(session.scalars(stmt))


def outbox_entry(session: Session, scope: Scope, partner: str, cursor: int) -> SharingOutbox | None:
    stmt = scoped(select(SharingOutbox), SharingOutbox, scope).where(
        SharingOutbox.partner_code == partner, SharingOutbox.id == cursor
    )
    return session.scalars(stmt).one_or_none()


# -- received records -----------------------------------------------------------------------------


def received_versions(
    session: Session, scope: Scope, partner: str, keys: Iterable[tuple[str, int]]
) -> set[tuple[str, int]]:
    keys = list(keys)
    if not keys:
        return set()
    stmt = scoped(select(SharingReceived.record_id, SharingReceived.version), SharingReceived, scope).where(
        SharingReceived.partner_code == partner,
        SharingReceived.record_id.in_({k[0] for k in keys}),
    )
    return {(r, v) for r, v in session.execute(stmt)}


def received_record(session: Session, scope: Scope, partner: str, record_id: str) -> list[SharingReceived]:
    stmt = (
        scoped(select(SharingReceived), SharingReceived, scope)
        .where(SharingReceived.partner_code == partner, SharingReceived.record_id == record_id)
        .order_by(SharingReceived.version)
    )
    return list(session.scalars(stmt))


def received_by_id(session: Session, scope: Scope, record_id: str) -> list[SharingReceived]:
    stmt = scoped(select(SharingReceived), SharingReceived, scope).where(
        SharingReceived.record_id == record_id
    )
    return list(session.scalars(stmt.order_by(SharingReceived.version)))


def list_received(
    session: Session, scope: Scope, partner: str | None, limit: int, offset: int = 0
) -> list[SharingReceived]:
    stmt = scoped(select(SharingReceived), SharingReceived, scope)
    if partner:
        stmt = stmt.where(SharingReceived.partner_code == partner)
    stmt = stmt.order_by(SharingReceived.partner_code, SharingReceived.cursor).offset(offset).limit(limit)
    return list(session.scalars(stmt))


def delete_received_before(session: Session, scope: Scope, agreement: str, before: Any) -> list[str]:
    """Delete what was received under ``agreement`` before ``before``; returns the record ids."""
    stmt = scoped(select(SharingReceived.id, SharingReceived.record_id), SharingReceived, scope).where(
        SharingReceived.agreement_code == agreement, SharingReceived.received_at < before
    )
    rows = session.execute(stmt).all()
    for start in range(0, len(rows), 500):
        ids = [r[0] for r in rows[start : start + 500]]
        gone = scoped_delete(SharingReceived, scope).where(SharingReceived.id.in_(ids))
        session.execute(gone.execution_options(synchronize_session=False))
    return sorted({r[1] for r in rows})


def received_agreements(session: Session, scope: Scope) -> list[str]:
    stmt = scoped(select(SharingReceived.agreement_code), SharingReceived, scope).distinct()
    return list(session.scalars(stmt))


def retract_received(
    session: Session, scope: Scope, partner: str, record_id: str, at: Any, reason: str | None
) -> int:
    """Tombstone every version of a received record: the content goes, the provenance stays."""
    stmt = (
        scoped_update(SharingReceived, scope)
        .where(SharingReceived.partner_code == partner, SharingReceived.record_id == record_id)
        .values(retracted_at=at, retraction_reason=reason, record={})
    )
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


# -- receipts and sync state ----------------------------------------------------------------------


def get_receipt(
    session: Session, scope: Scope, partner: str, direction: str, cursor: int
) -> SharingReceipt | None:
    stmt = scoped(select(SharingReceipt), SharingReceipt, scope).where(
        SharingReceipt.partner_code == partner,
        SharingReceipt.direction == direction,
        SharingReceipt.cursor == cursor,
    )
    return session.scalars(stmt).one_or_none()


def receipts(
    session: Session, scope: Scope, partner: str | None, direction: str, undelivered: bool = False
) -> list[SharingReceipt]:
    stmt = scoped(select(SharingReceipt), SharingReceipt, scope).where(SharingReceipt.direction == direction)
    if partner:
        stmt = stmt.where(SharingReceipt.partner_code == partner)
    if undelivered:
        stmt = stmt.where(SharingReceipt.delivered_at.is_(None))
    return list(session.scalars(stmt.order_by(SharingReceipt.cursor)))


def sync_state(session: Session, scope: Scope, partner: str) -> SharingSyncState:
    stmt = scoped(select(SharingSyncState), SharingSyncState, scope).where(
        SharingSyncState.partner_code == partner
    )
    state = session.scalars(stmt).one_or_none()
    if state is None:
        state = SharingSyncState(
            agency_id=scope.agency_id, partner_code=partner, pulled_cursor=0, acked_cursor=0, received_count=0
        )
        try:
            with session.begin_nested():  # another transaction may make it at the same moment
                add(session, state)
        except IntegrityError:
            state = session.scalars(stmt).one()
    return state


# -- audit ----------------------------------------------------------------------------------------


def last_audit(session: Session, scope: Scope) -> AuditEntry | None:
    stmt = scoped(select(AuditEntry), AuditEntry, scope).order_by(AuditEntry.seq.desc()).limit(1)
    return session.scalars(stmt).first()


def audit_anchor(session: Session, scope: Scope, lock: bool = False) -> AuditAnchor | None:
    """The chain's head; with ``lock``, held (SELECT ... FOR UPDATE) until the transaction ends."""
    stmt = scoped(select(AuditAnchor), AuditAnchor, scope)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def touch_audit_anchor(session: Session, scope: Scope) -> int:
    """Write to the anchor row first, so the transaction holds the write lock before reading the head:
    a row lock on PostgreSQL, the database's write lock on SQLite. Returns the rows touched (0 or 1)."""
    stmt = scoped_update(AuditAnchor, scope).values(seq=AuditAnchor.seq)
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def nonce_seen(session: Session, scope: Scope, partner: str, nonce: str) -> bool:
    stmt = scoped(select(SharingNonce.id), SharingNonce, scope).where(
        SharingNonce.partner_code == partner, SharingNonce.nonce == nonce
    )
    return session.scalars(stmt).first() is not None


def forget_nonces(session: Session, scope: Scope, before: Any) -> None:
    stmt = scoped(select(SharingNonce.id), SharingNonce, scope).where(SharingNonce.seen_at < before)
    ids = list(session.scalars(stmt))
    if ids:
        gone = scoped_delete(SharingNonce, scope).where(SharingNonce.id.in_(ids))
        session.execute(gone.execution_options(synchronize_session=False))


def refusals_in(session: Session, scope: Scope, window: Any, client: str) -> int:
    """How many partner requests from ``client`` were refused in this window."""
    stmt = scoped(select(func.sum(SharingRefusal.count)), SharingRefusal, scope).where(
        SharingRefusal.window == window, SharingRefusal.client == client
    )
    return int(session.scalar(stmt) or 0)


def count_refusal(
    session: Session, scope: Scope, window: Any, route: str, partner: str, client: str, reason: str
) -> None:
    """Add one to the window's counter (created at 1), safely against concurrent requests."""
    key = {"window": window, "route": route, "partner_code": partner, "client": client}
    bump = scoped_update(SharingRefusal, scope).filter_by(**key).values(count=SharingRefusal.count + 1)
    if session.execute(bump).rowcount:  # type: ignore[attr-defined]
        return
    try:
        with session.begin_nested():
            session.add(SharingRefusal(agency_id=scope.agency_id, count=1, reason=reason, **key))
    except IntegrityError:  # another request created it first
        session.execute(bump)


def closed_refusals(session: Session, scope: Scope, before: Any) -> list[SharingRefusal]:
    """Counters of windows ended before ``before`` not yet in the audit chain (locked until commit)."""
    stmt = scoped(select(SharingRefusal), SharingRefusal, scope).where(
        SharingRefusal.window < before, SharingRefusal.logged.is_(False)
    )
    return list(session.scalars(stmt.order_by(SharingRefusal.id).with_for_update(skip_locked=True)))


def iter_audit(session: Session, scope: Scope, batch: int = 2000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        stmt = (
            scoped(select(AuditEntry), AuditEntry, scope)
            .where(AuditEntry.seq > last)
            .order_by(AuditEntry.seq)
            .limit(batch)
        )
        rows = list(session.scalars(stmt))
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def list_audit(
    session: Session,
    scope: Scope,
    limit: int,
    action: str | None = None,
    partner: str | None = None,
    record: str | None = None,
) -> list[AuditEntry]:
    return find_audit(session, scope, AuditQuery(action, partner, record), 0, limit)


def _audit_where(stmt: Select[T], query: AuditQuery) -> Select[T]:
    if query.action:
        stmt = stmt.where(AuditEntry.action == query.action)
    if query.partner:
        stmt = stmt.where(AuditEntry.partner_code == query.partner)
    if query.record:
        stmt = stmt.where(AuditEntry.record_id == query.record)
    if query.actor and query.actor.startswith("user:"):  # "user:5" or "user:5 (session)", never "user:51"
        stmt = stmt.where(
            or_(
                AuditEntry.actor == query.actor,
                AuditEntry.actor.startswith(query.actor + " (", autoescape=True),
            )
        )
    elif query.actor:
        stmt = stmt.where(AuditEntry.actor.contains(query.actor, autoescape=True))
    if query.since:  # ``at`` is ISO text: a date compares as the start of its day
        stmt = stmt.where(AuditEntry.at >= query.since)
    if query.before:
        stmt = stmt.where(AuditEntry.at < query.before)
    return stmt


def find_audit(
    session: Session, scope: Scope, query: AuditQuery, offset: int, limit: int
) -> list[AuditEntry]:
    stmt = _audit_where(scoped(select(AuditEntry), AuditEntry, scope), query)
    return list(session.scalars(stmt.order_by(AuditEntry.seq.desc()).offset(offset).limit(limit)))


def count_audit(session: Session, scope: Scope, query: AuditQuery) -> int:
    stmt = _audit_where(scoped(select(func.count()).select_from(AuditEntry), AuditEntry, scope), query)
    return int(session.scalar(stmt) or 0)


def all_event_ids(session: Session, scope: Scope) -> list[str]:
    return list(
        session.scalars(scoped(select(SeizureEvent.id), SeizureEvent, scope).order_by(SeizureEvent.id))
    )
