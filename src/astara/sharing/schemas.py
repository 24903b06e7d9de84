"""Pydantic shapes of the sharing API and CLI output."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from astara.kit.dates import UtcDateTime


class PartnerIn(BaseModel):
    code: str = Field(min_length=2, max_length=32)
    url: str | None = None
    key: str = Field(description="The partner instance's Ed25519 public key, base64 (`astara keys show`).")
    name: str = ""


class PartnerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    url: str | None
    public_key: str
    fingerprint: str


class AgreementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    partner_code: str
    title: str
    valid_from: dt.date
    valid_until: dt.date | None
    document: dict[str, Any]


class FieldExplanation(BaseModel):
    field: str
    shared: bool
    clause: str | None = None
    reason: str


class Explanation(BaseModel):
    partner: str
    record_id: str
    agreements: list[str]
    shared: bool
    reason: str
    fields: list[FieldExplanation] = []


class PartnerStatus(BaseModel):
    partner: str
    url: str | None
    pulled_cursor: int
    received: int
    last_success_at: UtcDateTime | None
    last_error: str | None
    last_error_at: UtcDateTime | None
    acked_cursor: int
    backlog: int
    receipts_pending: int
    receipts_received: int
    checkpoint_seq: int | None = None  # the partner's audit chain, as its newest signed checkpoint says
    checkpoint_at: str | None = None
    checkpoint_warning: str | None = None  # its chain went backwards


class ReceivedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    partner_code: str
    record_id: str
    version: int
    cursor: int
    agreement_code: str
    tlp: str
    handling_code: str | None
    onward_sharing: str
    record: dict[str, Any]
    clauses: dict[str, Any]
    received_at: UtcDateTime
    retracted_at: UtcDateTime | None
    retraction_reason: str | None


class RetractIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class SyncResult(BaseModel):
    partner: str
    received: int = 0
    duplicates: int = 0
    retracted: int = 0
    receipts_sent: int = 0
    receipts_accepted: int = 0
    cursor: int = 0
    pages: int = 0
    purged: int = 0  # received records deleted at the end of their agreement's retention period


class AuditVerification(BaseModel):
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None
    checkpoints: int = 0  # signed checkpoints the chain was checked against
    note: str | None = None


class KeyOut(BaseModel):
    public_key: str
    fingerprint: str
