"""Sharing operations the CLI and API call. Services never commit; the caller's transaction does.

Pulling a partner's feed is a job of several transactions (one per page, so an interrupted sync
keeps what it applied); :func:`pull` takes a ``unit`` factory that opens one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth import repository as auth_repository
from astara.auth.roles import require
from astara.db import versions
from astara.db.models import AuditEntry, SharingAgreement, SharingPartner, utcnow
from astara.errors import AstaraError, InvalidInput, NotFound
from astara.jobs import service as jobs
from astara.sharing import audit, client, outbox, repository, sync
from astara.sharing.agreements import Agreement, Decision, project
from astara.sharing.feed import SignatureRejected
from astara.sharing.fields import ALL_FIELDS
from astara.sharing.keys import KeyPair, fingerprint, load_or_create, public_key_of
from astara.sharing.schemas import (
    AgreementOut,
    AuditVerification,
    Explanation,
    FieldExplanation,
    PartnerIn,
    PartnerOut,
    PartnerStatus,
    ReceivedOut,
    SyncResult,
)

if TYPE_CHECKING:
    from astara.jobs.schemas import JobOut
    from astara.jobs.service import Work

Unit = Callable[[], AbstractContextManager[tuple[Session, Scope]]]
PULL_JOB = "sharing.pull"

# -- agreements -----------------------------------------------------------------------------------


def add_agreement(session: Session, scope: Scope, agreement: Agreement) -> AgreementOut:
    """Store (or amend) an agreement our agency is party to."""
    require(scope, "sharing")
    partner = agreement.partner_of(scope.agency_code)
    row = repository.get_agreement(session, scope, agreement.code)
    document = agreement.model_dump(mode="json")
    if row is None:
        row = SharingAgreement(agency_id=scope.agency_id, code=agreement.code)
        session.add(row)
    row.partner_code, row.title, row.document = partner, agreement.title, document
    row.valid_from, row.valid_until = agreement.valid_from, agreement.valid_until
    session.flush()
    audit.append(session, scope, "agreement", partner=partner, details={"code": agreement.code})
    return AgreementOut.model_validate(row)


def list_agreements(session: Session, scope: Scope) -> list[AgreementOut]:
    require(scope, "sharing")
    return [AgreementOut.model_validate(r) for r in repository.list_agreements(session, scope)]


def share_existing(session: Session, scope: Scope, today: dt.date | None = None) -> int:
    """Queue the agency's existing records for partners (after an agreement is added or amended)."""
    require(scope, "sharing")
    return outbox.record_changed(session, scope, repository.all_event_ids(session, scope), today)


def explain(
    session: Session,
    scope: Scope,
    partner: str,
    record_id: str,
    field: str | None = None,
    today: dt.date | None = None,
) -> Explanation:
    """Why each field of a record is, or is not, shared with ``partner``."""
    require(scope, "sharing")
    partner = partner.upper()
    day = today or dt.date.today()
    rows = repository.list_agreements(session, scope, partner)
    codes = [r.code for r in rows]
    records = outbox.load_records(session, scope, [record_id])
    if not records:
        if repository.received_by_id(session, scope, record_id):
            return Explanation(
                partner=partner,
                record_id=record_id,
                agreements=codes,
                shared=False,
                reason="the record was received from a partner; it is never passed on",
            )
        raise NotFound(f"no record {record_id!r} in agency {scope.agency_code}")
    if not rows:
        return Explanation(
            partner=partner,
            record_id=record_id,
            agreements=[],
            shared=False,
            reason=f"there is no agreement with {partner}",
        )
    if field is not None and field not in ALL_FIELDS:
        raise InvalidInput(f"{field!r} is not a field a record can share", details=[{"field": "field"}])
    best: Explanation | None = None
    for row in rows:
        agreement = Agreement.model_validate(row.document)
        projection = project(agreement, records[0], day)
        fields = [
            FieldExplanation(field=d.field, shared=d.shared, clause=d.clause, reason=d.reason)
            for d in projection.decisions
            or [Decision(f, False, None, str(projection.refused)) for f in ALL_FIELDS]
            if field is None or d.field == field
        ]
        fields.sort(key=lambda f: f.field)
        shared = projection.refused is None and (field is None or fields[0].shared)
        reason = projection.refused or (fields[0].reason if field else f"shared under {agreement.code}")
        candidate = Explanation(
            partner=partner,
            record_id=record_id,
            agreements=codes,
            shared=shared,
            reason=reason,
            fields=fields,
        )
        if best is None or (shared and not best.shared):
            best = candidate
    assert best is not None
    return best


# -- partners -------------------------------------------------------------------------------------


def add_partner(session: Session, scope: Scope, data: PartnerIn) -> PartnerOut:
    require(scope, "sharing")
    code = data.code.strip().upper()
    public_key_of(data.key)  # refuses a malformed key with a clear message
    if data.url and not data.url.startswith(("http://", "https://")):
        raise InvalidInput("the partner URL must start with http:// or https://", details=[{"field": "url"}])
    row = repository.get_partner(session, scope, code)
    if row is None:
        row = SharingPartner(agency_id=scope.agency_id, code=code)
        session.add(row)
    row.url, row.public_key, row.name = data.url, data.key.strip(), data.name or row.name or code
    row.fingerprint = fingerprint(data.key)
    session.flush()
    audit.append(
        session, scope, "partner", partner=code, details={"fingerprint": row.fingerprint, "url": row.url}
    )
    return PartnerOut.model_validate(row)


def list_partners(session: Session, scope: Scope) -> list[PartnerOut]:
    require(scope, "sharing")
    return [PartnerOut.model_validate(p) for p in repository.list_partners(session, scope)]


def get_partner(session: Session, scope: Scope, code: str) -> SharingPartner:
    partner = repository.get_partner(session, scope, code.upper())
    if partner is None:
        raise NotFound(f"{code} is not a registered partner: add it with `astara partner add`")
    return partner


def key_rotated(session: Session, scope: Scope, old: str, new: str) -> None:
    require(scope, "sharing")
    audit.append(session, scope, "key", details={"old": old, "new": new})


# -- sync -----------------------------------------------------------------------------------------


def pull(
    unit: Unit,
    keys: KeyPair,
    partner_code: str,
    page: int = sync.PAGE,
    fetch: Callable[..., dict[str, Any]] = client.fetch_feed,
    post: Callable[..., dict[str, Any]] = client.send_receipts,
    on_page: Callable[[SyncResult], None] | None = None,
) -> SyncResult:
    """Fetch the partner's feed page by page, verify and store it, then send receipts for retractions.
    ``on_page`` is told the running totals after each page is stored."""
    result = SyncResult(partner=partner_code.upper())
    try:
        while True:
            with unit() as (session, scope):
                require(scope, "sharing")
                partner = get_partner(session, scope, partner_code)
                if not partner.url:
                    raise InvalidInput(f"{partner.code} has no URL: exchange bundles instead")
                state = repository.sync_state(session, scope, partner.code)
                data = fetch(partner.url, keys, scope.agency_code, partner.code, state.pulled_cursor, page)
                if not isinstance(data, dict) or not isinstance(data.get("entries", []), list):
                    raise InvalidInput(f"{partner.code}'s feed page is not an object with a list of entries")
                applied = sync.apply_entries(session, scope, keys, partner, list(data.get("entries", [])))
                sync.keep_checkpoint(session, scope, partner, data.get("checkpoint"))
            result.pages += 1
            result.received += applied.received
            result.duplicates += applied.duplicates
            result.retracted += applied.retracted
            result.cursor = applied.cursor
            if on_page is not None:
                on_page(result)
            if not data.get("entries"):  # the empty last page also confirms everything applied
                break
        with unit() as (session, scope):
            result.purged = sum(purge_expired(session, scope).values())
            partner = get_partner(session, scope, partner_code)
            pending = sync.pending_receipts(session, scope, partner.code)
            if pending:
                answer = post(
                    partner.url, keys, scope.agency_code, partner.code, [sync.as_message(r) for r in pending]
                )
                for receipt in pending:
                    receipt.delivered_at = utcnow()
                result.receipts_sent = len(pending)
                result.receipts_accepted = int(answer.get("accepted", 0))
    except AstaraError as exc:
        with unit() as (session, scope):
            if isinstance(exc, SignatureRejected):
                sync.log_rejected(session, exc)
            state = repository.sync_state(session, scope, partner_code.upper())
            state.last_error, state.last_error_at = exc.message, utcnow()
        raise
    return result


def start_pull(session: Session, scope: Scope, partner_code: str) -> JobOut:
    """Queue a pull of the partner's feed (the network call is the job's, never a request's); a pull
    of that partner already queued or running is returned instead of a second one."""
    require(scope, "sharing")
    partner = get_partner(session, scope, partner_code)
    if not partner.url:
        raise InvalidInput(f"{partner.code} has no URL: exchange bundles instead", details=[{"field": "url"}])
    return jobs.enqueue(session, scope, PULL_JOB, {"partner": partner.code}, once=True)


def pull_job(
    work: Work,
    params: dict[str, Any],
    fetch: Callable[..., dict[str, Any]] = client.fetch_feed,
    post: Callable[..., dict[str, Any]] = client.send_receipts,
) -> dict[str, Any]:
    """The job of :func:`start_pull`: progress is the records received so far."""

    def page_stored(so_far: SyncResult) -> None:
        work.progress(so_far.received, None, f"{so_far.pages} pages")

    keys = load_or_create(work.settings.data_dir)
    result = pull(work.unit, keys, str(params["partner"]), fetch=fetch, post=post, on_page=page_stored)
    return result.model_dump(mode="json")


def purge_expired(session: Session, scope: Scope, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete received records older than the retention period of the agreement they came under.

    The retention period is read from our own copy of the agreement (both parties load the same
    document); records under an agreement we do not hold are kept and named in the audit entry.
    Returns the number of records deleted per agreement; each purge is in the audit chain.
    """
    at = now or utcnow()
    retention: dict[str, int] = {}
    for row in repository.list_agreements(session, scope):
        days = int(row.document.get("retention_days", 0) or 0)
        if days:
            retention[row.code] = min(days, retention.get(row.code, days))
    purged: dict[str, int] = {}
    unknown: list[str] = []
    for code in repository.received_agreements(session, scope):
        if code not in retention:
            unknown.append(code)
            continue
        records = repository.delete_received_before(
            session, scope, code, at - dt.timedelta(days=retention[code])
        )
        if records:
            purged[code] = len(records)
            audit.append(
                session,
                scope,
                "purge",
                details={
                    "agreement": code,
                    "retention_days": retention[code],
                    "records": records[:200],
                    "count": len(records),
                },
            )
    if unknown:
        audit.append(session, scope, "purge", details={"kept_without_agreement": sorted(unknown)})
    if purged:
        versions.changed(session, scope.agency_id)  # the agency's records changed: figures start afresh
    return purged


def purge_job(work: Work, params: dict[str, Any]) -> dict[str, Any]:
    """A scheduled retention purge (``sharing.purge``): records deleted per agreement."""
    with work.unit() as (session, scope):
        require(scope, "sharing")
        purged = purge_expired(session, scope)
    return {"purged": sum(purged.values()), **{f"purged {code}": n for code, n in purged.items()}}


def status(session: Session, scope: Scope) -> list[PartnerStatus]:
    require(scope, "sharing")
    out = []
    for partner in repository.list_partners(session, scope):
        state = repository.sync_state(session, scope, partner.code)
        out.append(
            PartnerStatus(
                partner=partner.code,
                url=partner.url,
                pulled_cursor=state.pulled_cursor,
                received=state.received_count,
                last_success_at=state.last_success_at,
                last_error=state.last_error,
                last_error_at=state.last_error_at,
                acked_cursor=state.acked_cursor,
                backlog=repository.outbox_backlog(session, scope, partner.code, state.acked_cursor),
                receipts_pending=len(
                    repository.receipts(session, scope, partner.code, "issued", undelivered=True)
                ),
                receipts_received=len(repository.receipts(session, scope, partner.code, "received")),
                checkpoint_seq=state.checkpoint["seq"] if state.checkpoint else None,
                checkpoint_at=state.checkpoint["at"] if state.checkpoint else None,
                checkpoint_warning=state.checkpoint_warning,
            )
        )
    return out


def retract(session: Session, scope: Scope, record_id: str, reason: str) -> list[str]:
    """Queue a retraction of a shared record for every partner that received it; returns those partners."""
    require(scope, "sharing")
    rows = outbox.retract(session, scope, record_id, reason)
    partners = sorted({r.partner_code for r in rows})
    audit.append(
        session, scope, "retraction", record=record_id, details={"partners": partners, "reason": reason}
    )
    return partners


# -- partner data ---------------------------------------------------------------------------------


def list_received(
    session: Session, scope: Scope, partner: str | None = None, limit: int = 100, offset: int = 0
) -> list[ReceivedOut]:
    require(scope, "sharing")
    rows = repository.list_received(session, scope, partner.upper() if partner else None, limit, offset)
    if rows:
        audit.append(
            session, scope, "view", partner=partner, details={"records": [r.record_id for r in rows]}
        )
    return [ReceivedOut.model_validate(r) for r in rows]


def show_received(session: Session, scope: Scope, partner: str, record_id: str) -> list[ReceivedOut]:
    """Every version of a record received from ``partner`` (viewing it is audited)."""
    require(scope, "sharing")
    rows = repository.received_record(session, scope, partner.upper(), record_id)
    if not rows:
        raise NotFound(f"no record {record_id!r} received from {partner}")
    audit.append(session, scope, "view", partner=partner.upper(), record=record_id)
    return [ReceivedOut.model_validate(r) for r in rows]


def audit_entries(
    session: Session,
    scope: Scope,
    action: str | None = None,
    partner: str | None = None,
    record: str | None = None,
    limit: int = 200,
) -> list[Any]:
    """The newest audit entries, optionally of one action, partner or record."""
    require(scope, "audit.read")
    if action and action not in audit.ACTIONS:
        raise InvalidInput(f"action must be one of {', '.join(sorted(audit.ACTIONS))}, not {action!r}")
    return repository.list_audit(
        session,
        scope,
        min(max(limit, 1), 1000),
        action or None,
        (partner or "").upper() or None,
        record or None,
    )


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    actors: dict[str, str]  # "user:ID" -> user name, for the entries shown


def browse_audit(
    session: Session,
    scope: Scope,
    *,
    action: str = "",
    actor: str = "",
    partner: str = "",
    record: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    offset: int = 0,
    limit: int = 50,
) -> AuditPage:
    """One page of the audit log, newest first; ``actor`` is a user name or any text of the actor,
    ``since`` and ``until`` whole days (inclusive)."""
    require(scope, "audit.read")
    if action and action not in audit.ACTIONS:
        message = f"action must be one of {', '.join(sorted(audit.ACTIONS))}, not {action!r}"
        raise InvalidInput(
            message, details=[{"field": "action", "reason": message, "problem": "action_unknown"}]
        )
    if since and until and until < since:
        message = "the end of the period is before its start"
        raise InvalidInput(
            message, details=[{"field": "until", "reason": message, "problem": "period_reversed"}]
        )
    names = auth_repository.user_names(session, scope)
    ids = {name: user_id for user_id, name in names.items()}
    actor = actor.strip()
    query = repository.AuditQuery(
        action=action or None,
        partner=partner.strip().upper() or None,
        record=record.strip() or None,
        actor=(f"user:{ids[actor]}" if actor in ids else actor) or None,
        since=since.isoformat() if since else None,
        before=(until + dt.timedelta(days=1)).isoformat() if until else None,
    )
    entries = repository.find_audit(session, scope, query, max(offset, 0), min(max(limit, 1), 1000))
    return AuditPage(entries, repository.count_audit(session, scope, query),
                     {f"user:{user_id}": name for user_id, name in names.items()})  # fmt: skip


def verify_audit(session: Session, scope: Scope) -> AuditVerification:
    require(scope, "audit.read")
    result = audit.verify(session, scope)
    return AuditVerification(
        ok=result.ok,
        entries=result.entries,
        first_bad_seq=result.first_bad_seq,
        reason=result.reason,
        checkpoints=result.checkpoints,
        note=result.note,
    )
