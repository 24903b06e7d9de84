"""REST API for sharing. Partner endpoints (feed, receipts, key) are authenticated by signature;
the rest act as a logged-in user with the "sharing" permission (checked in the service)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from astara.agencies.scope import Scope
from astara.db.models import SharingPartner
from astara.errors import AstaraError, InvalidInput, RateLimited
from astara.sharing import keys, service, sync
from astara.sharing.agreements import parse_agreement
from astara.sharing.feed import SignatureRejected
from astara.sharing.schemas import (
    AgreementOut,
    AuditVerification,
    Explanation,
    KeyOut,
    PartnerIn,
    PartnerOut,
    PartnerStatus,
    ReceivedOut,
    RetractIn,
)
from astara.web.deps import anonymous, client_address, runtime_of, unit

router = APIRouter(prefix="/api/sharing", tags=["sharing"])


def _keys(request: Request) -> keys.KeyPair:
    return keys.load_or_create(runtime_of(request).settings.data_dir)


def _client(request: Request) -> str:
    return client_address(request) or "-"  # forwarded headers only from a trusted proxy


def _refused(request: Request, exc: AstaraError) -> None:
    """Count a refused request (one audit entry per minute and client, not one per request)."""
    with anonymous(request) as session:
        sync.count_refused(session, dict(request.headers), request.url.path, _client(request), exc.message)


def _authenticate(request: Request, method: str, query: str, body: bytes) -> tuple[Scope, SharingPartner]:
    headers = dict(request.headers)
    limit = runtime_of(request).settings.partner_refusal_limit
    try:
        with anonymous(request) as session:
            sync.refusal_gate(session, headers, _client(request), limit)
            return sync.partner_scope(session, headers, method, request.url.path, query, body)
    except (SignatureRejected, RateLimited) as exc:
        _refused(request, exc)
        raise


@router.get("/key", response_model=KeyOut)
def public_key(request: Request) -> KeyOut:
    """This instance's public key and fingerprint (to be confirmed with the partner by voice)."""
    pair = _keys(request)
    return KeyOut(public_key=pair.public_b64, fingerprint=pair.fingerprint)


@router.get("/feed")
async def feed(request: Request, after: int = 0, limit: int = sync.PAGE) -> dict[str, Any]:
    """Signed entries for the requesting partner after ``after`` (the request must be signed)."""
    body = await request.body()
    scope, partner = _authenticate(request, "GET", request.url.query, body)
    with anonymous(request) as session:
        page = sync.serve_feed(session, scope, _keys(request), partner.code, after, limit)
    return dict(page)  # the JSON as it is: no response model to check it against


@router.post("/receipts")
async def receipts(request: Request) -> dict[str, Any]:
    """A partner's signed receipts for retractions we sent it."""
    body = await request.body()
    scope, partner = _authenticate(request, "POST", "", body)
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise InvalidInput(f"the receipts from {partner.code} are not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("receipts", []), list):
        raise InvalidInput(f'the receipts from {partner.code} must be an object with a list "receipts"')
    try:
        with anonymous(request) as session:
            return {"accepted": sync.accept_receipts(session, scope, partner, data.get("receipts", []))}
    except SignatureRejected as exc:  # a bad receipt is counted like a bad request
        _refused(request, exc)
        raise


@router.get("/agreements", response_model=list[AgreementOut])
def list_agreements(request: Request) -> list[AgreementOut]:
    with unit(request) as (session, scope):
        return service.list_agreements(session, scope)


@router.post("/agreements", response_model=AgreementOut, status_code=201)
def add_agreement(request: Request, document: dict[str, Any]) -> AgreementOut:
    """Add or amend an agreement (the same document as the YAML file, as JSON)."""
    with unit(request) as (session, scope):
        return service.add_agreement(session, scope, parse_agreement(document))


@router.get("/explain", response_model=Explanation)
def explain(request: Request, partner: str, record: str, field: str | None = None) -> Explanation:
    with unit(request) as (session, scope):
        return service.explain(session, scope, partner, record, field)


@router.get("/partners", response_model=list[PartnerOut])
def list_partners(request: Request) -> list[PartnerOut]:
    with unit(request) as (session, scope):
        return service.list_partners(session, scope)


@router.post("/partners", response_model=PartnerOut, status_code=201)
def add_partner(request: Request, data: PartnerIn) -> PartnerOut:
    with unit(request) as (session, scope):
        return service.add_partner(session, scope, data)


@router.get("/status", response_model=list[PartnerStatus])
def status(request: Request) -> list[PartnerStatus]:
    with unit(request) as (session, scope):
        return service.status(session, scope)


@router.post("/records/{record_id}/retract")
def retract(request: Request, record_id: str, data: RetractIn) -> dict[str, Any]:
    with unit(request) as (session, scope):
        return {"record_id": record_id, "partners": service.retract(session, scope, record_id, data.reason)}


@router.get("/received", response_model=list[ReceivedOut])
def list_received(
    request: Request, partner: str | None = None, limit: int = 100, offset: int = 0
) -> list[ReceivedOut]:
    with unit(request) as (session, scope):
        return service.list_received(session, scope, partner, limit, offset)


@router.get("/received/{partner}/{record_id}", response_model=list[ReceivedOut])
def show_received(request: Request, partner: str, record_id: str) -> list[ReceivedOut]:
    with unit(request) as (session, scope):
        return service.show_received(session, scope, partner, record_id)


@router.get("/audit/verify", response_model=AuditVerification)
def verify_audit(request: Request) -> AuditVerification:
    with unit(request) as (session, scope):
        return service.verify_audit(session, scope)
