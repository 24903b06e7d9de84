"""The outbox: what an agreement makes shareable enters a per-partner queue in the same transaction.

Services that change seizure records call :func:`record_changed` (the seizure create service) or
:func:`job_changed` (the import job) explicitly; nothing happens behind their back. An unchanged
record is not queued again; a changed one becomes a new version; a retraction is a tombstone queued
for every partner that was sent the record, and only for those.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.db.models import SeizureEvent, SeizureItem, SharingOutbox, utcnow
from astara.errors import NotFound
from astara.sharing import repository
from astara.sharing.agreements import Agreement, Projection, project
from astara.sharing.fields import ENTITY_FIELDS, EVENT_FIELDS, ITEM_FIELDS
from astara.sharing.keys import canonical

BATCH = 500


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def record_of(event: SeizureEvent, entities: list[dict[str, Any]]) -> dict[str, Any]:
    """The full record as the policy sees it: event fields, items and linked nominal entities."""
    values = {name: _json(getattr(event, name)) for name in EVENT_FIELDS}
    values["tlp"] = event.tlp
    values["handling_code"] = event.handling_code
    return {
        "id": event.id,
        "event": {k: v for k, v in values.items() if v not in (None, [], "")},
        "items": [{k: getattr(i, k) for k in ITEM_FIELDS if getattr(i, k) is not None} for i in event.items],
        "entities": [
            {
                "type": link["type"],
                "role": link["role"],
                "id": link["entity"].id,  # for identities; the projection never sends it
                "fields": {k: getattr(link["entity"], k) for k in ENTITY_FIELDS.get(link["type"], ())},
            }
            for link in entities
        ],
    }


def load_records(session: Session, scope: Scope, event_ids: Sequence[str]) -> list[dict[str, Any]]:
    events = repository.events_by_ids(session, scope, event_ids)
    entities = repository.entities_of(session, scope, [e.id for e in events])
    return [record_of(e, entities.get(e.id, [])) for e in events]


def active_agreements(session: Session, scope: Scope, day: dt.date) -> list[Agreement]:
    agreements = [
        Agreement.model_validate(row.document) for row in repository.list_agreements(session, scope)
    ]
    return [a for a in agreements if a.in_force(day)]


def payload_of(agreement: Agreement, projection: Projection) -> dict[str, Any]:
    return {
        "agreement": agreement.code,
        "legal_reference": agreement.legal_reference,
        "tlp": projection.tlp,
        "handling_code": agreement.handling_code,
        "onward_sharing": agreement.onward_sharing,
        "retention_days": agreement.retention_days,
        "clauses": projection.clauses,
        "record": projection.record,
    }


def record_changed(
    session: Session, scope: Scope, event_ids: Sequence[str], today: dt.date | None = None
) -> int:
    """Queue, for each partner, the records whose shareable part is new or changed. Returns entries added."""
    day = today or dt.date.today()
    agreements = active_agreements(session, scope, day)
    if not agreements or not event_ids:
        return 0
    added = 0
    for start in range(0, len(event_ids), BATCH):
        records = load_records(session, scope, event_ids[start : start + BATCH])
        for agreement in agreements:
            partner = agreement.partner_of(scope.agency_code)
            last = repository.last_outbox_entries(session, scope, partner, [r["id"] for r in records])
            rows = []
            for record in records:
                projection = project(agreement, record, day)
                if projection.refused:
                    continue
                payload = payload_of(agreement, projection)
                digest = hashlib.sha256(canonical(payload)).hexdigest()
                previous = last.get(record["id"])
                if previous is not None and previous.kind == "record" and previous.content_hash == digest:
                    continue
                rows.append(
                    SharingOutbox(
                        agency_id=scope.agency_id,
                        partner_code=partner,
                        agreement_code=agreement.code,
                        record_id=record["id"],
                        version=(previous.version + 1) if previous else 1,
                        kind="record",
                        content_hash=digest,
                        payload=payload,
                        created_at=utcnow(),
                    )
                )
            session.add_all(rows)
            added += len(rows)
        session.flush()
    return added


def job_changed(session: Session, scope: Scope, job_id: str | None, today: dt.date | None = None) -> int:
    """The import job's hook: queue its events for the partners whose agreements allow them."""
    if job_id is None or not active_agreements(session, scope, today or dt.date.today()):
        return 0
    ids = repository.event_ids_of_job(session, scope, job_id)
    added = 0
    for start in range(0, len(ids), BATCH):
        added += record_changed(session, scope, ids[start : start + BATCH], today)
        for obj in list(session.identity_map.values()):  # memory stays flat over a large import
            if isinstance(obj, SeizureEvent | SeizureItem | SharingOutbox):
                session.expunge(obj)
    return added


def retract(session: Session, scope: Scope, record_id: str, reason: str) -> list[SharingOutbox]:
    """Queue a tombstone for every partner that was sent ``record_id`` (and only those)."""
    partners = repository.outbox_partners_of(session, scope, record_id)
    if not partners:
        raise NotFound(f"record {record_id!r} was never sent to a partner; there is nothing to retract")
    rows = []
    for partner in partners:
        previous = repository.last_outbox_entries(session, scope, partner, [record_id])[record_id]
        if previous.kind == "retraction":
            continue
        payload = {"agreement": previous.agreement_code, "reason": reason}
        rows.append(
            SharingOutbox(
                agency_id=scope.agency_id,
                partner_code=partner,
                agreement_code=previous.agreement_code,
                record_id=record_id,
                version=previous.version + 1,
                kind="retraction",
                content_hash=hashlib.sha256(canonical(payload)).hexdigest(),
                payload=payload,
                created_at=utcnow(),
            )
        )
    session.add_all(rows)
    session.flush()
    return rows
