"""Every ORM model of Astara, in one place.

Two tiers: non-nominal seizure facts (``SeizureEvent``, ``SeizureItem``) and nominal entities
(persons, organizations, vehicles, phones, documents) linked to events by role. Every record
row carries ``agency_id``: the owner agency. Queries reach these tables only through
repositories, which scope by agency with :func:`astara.agencies.scope.scoped`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.schema import CreateIndex

from astara.db import snapshot_log, textsearch
from astara.db import versions as _versions  # noqa: F401 - moves store versions on every session's writes
from astara.db.totals import item_totals, shared_drug


def partial_index(name: str, *columns: str, where: str) -> Index:
    """An index of the rows matching ``where`` (SQL both SQLite and PostgreSQL accept).

    ``Index(..., postgresql_where=...)`` would make SQLAlchemy import its PostgreSQL dialect to check
    the argument, a few hundredths of a second at the start of every command on SQLite; the
    condition is kept in ``info`` and written by :func:`_create_partial_index` instead."""
    return Index(name, *columns, info={"where": where})


@compiles(CreateIndex)
def _create_partial_index(create: CreateIndex, compiler: Any, **kw: Any) -> str:
    sql: str = compiler.visit_create_index(create, **kw)
    where = create.element.info.get("where")
    return f"{sql} WHERE {where}" if where else sql


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))  # analyst | liaison | supervisor | administrator
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id; None: cannot log in
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")  # en|az|ru|fa
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ApiToken(Base):
    """A bearer token for the REST API. Only its SHA-256 digest is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))  # the token's first characters, to tell tokens apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class WebSession(Base):
    """A login in the browser. The cookie carries a random token; only its SHA-256 digest is stored.

    Every request checks the row, so logout, a password change or disabling the user ends the
    session in every worker process at once.
    """

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # digest of the cookie's token
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginFailure(Base):
    """One failed login under one key (user name, client and user name, client), for the limiter."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class ImportJob(Base):
    """One spreadsheet import: what was read, what was written, and the full problem report."""

    __tablename__ = "import_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    mapping: Mapped[str] = mapped_column(String(100))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20))  # completed | partial
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    events_created: Mapped[int] = mapped_column(Integer, default=0)
    events_already_present: Mapped[int] = mapped_column(Integer, default=0)
    exact_duplicates: Mapped[int] = mapped_column(Integer, default=0)
    near_duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SeizureEvent(Base):
    """One seizure: when, where, which route, how it was carried and found, who says so."""

    __tablename__ = "seizure_events"
    __table_args__ = (
        # The list's default order (date, then id) and the dashboard's "latest" read from an index.
        Index("ix_events_agency_date", "agency_id", "date", "id"),
        Index("ix_events_agency_created", "agency_id", "created_at", "id"),
        # Country and period together: a country's year is read without touching its other years.
        Index("ix_events_agency_country_date", "agency_id", "country", "date"),
        Index("ix_events_agency_import", "agency_id", "import_job_id"),
        # Events whose items are of several drugs: statistics by drug join only these to their items.
        partial_index("ix_events_agency_mixed_drugs", "agency_id", where="drug_code IS NULL"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    reference: Mapped[str | None] = mapped_column(String(100))
    # When: a partial date is stored as its first day plus a precision (day | month | year).
    date: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(5))
    time: Mapped[str | None] = mapped_column(String(8))
    date_text: Mapped[str | None] = mapped_column(String(100))
    # Where: the free text is always kept beside what it resolved to.
    place_text: Mapped[str | None] = mapped_column(String(500))
    place_id: Mapped[str | None] = mapped_column(String(100))
    place_type: Mapped[str | None] = mapped_column(String(40))
    place_type_text: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    admin_area: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # Route roles.
    producing_country: Mapped[str | None] = mapped_column(String(2))
    departure_country: Mapped[str | None] = mapped_column(String(2))
    transit_countries: Mapped[list[Any]] = mapped_column(default=list)
    destination_country: Mapped[str | None] = mapped_column(String(2))
    routing: Mapped[str | None] = mapped_column(String(40))
    # Conveyance, concealment, detection.
    transport: Mapped[str | None] = mapped_column(String(40))
    transport_text: Mapped[str | None] = mapped_column(String(200))
    conveyance_ids: Mapped[list[Any]] = mapped_column(default=list)
    concealment: Mapped[str | None] = mapped_column(String(40))
    concealment_text: Mapped[str | None] = mapped_column(String(500))
    cover_cargo: Mapped[str | None] = mapped_column(String(200))
    detection_method: Mapped[str | None] = mapped_column(String(40))
    # Agencies, source, grading, handling, legal basis, validation.
    reporting_agency: Mapped[str | None] = mapped_column(String(200))
    participating_agencies: Mapped[list[Any]] = mapped_column(default=list)
    source_type: Mapped[str] = mapped_column(String(40))
    source_ref: Mapped[str | None] = mapped_column(String(500))
    grading_scheme: Mapped[str | None] = mapped_column(String(20))
    source_grade: Mapped[str | None] = mapped_column(String(4))
    information_grade: Mapped[str | None] = mapped_column(String(4))
    tlp: Mapped[str] = mapped_column(String(20), default="amber")
    handling_code: Mapped[str | None] = mapped_column(String(10))
    legal_basis: Mapped[str | None] = mapped_column(String(500))
    validation_status: Mapped[str] = mapped_column(String(20), default="draft")
    notes: Mapped[str | None] = mapped_column(Text)
    # Problems worth a look that did not stop the import (absurd quantity, possible duplicate...).
    quality_flags: Mapped[list[Any]] = mapped_column(default=list)
    # Totals of the items, kept with the event so event-level statistics need no join.
    total_kg: Mapped[float] = mapped_column(Float, default=0.0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    items_without_kg: Mapped[int] = mapped_column(Integer, default=0)
    # The drug (and its group) of the items when they all share one, else None: statistics by drug
    # read these events alone and join the items of the others only.
    drug_code: Mapped[str | None] = mapped_column(String(80))
    drug_group: Mapped[str | None] = mapped_column(String(80))
    # Duplicates: identical source rows folded into this event, and a near-duplicate flag.
    duplicate_count: Mapped[int] = mapped_column(Integer, default=1)
    possible_duplicate_of: Mapped[str | None] = mapped_column(String(32))
    # Provenance: who, when, from which file and row.
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    import_job_id: Mapped[str | None] = mapped_column(ForeignKey("import_jobs.id"))
    source_file: Mapped[str | None] = mapped_column(String(500))
    source_rows: Mapped[list[Any]] = mapped_column(default=list)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    items: Mapped[list[SeizureItem]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="SeizureItem.position"
    )

    def refresh_totals(self) -> None:
        """Recompute the item totals and the shared drug; call after changing items."""
        totals = item_totals(i.kg for i in self.items)
        self.total_kg, self.item_count, self.items_without_kg = totals
        self.drug_code, self.drug_group = shared_drug((i.drug_code, i.drug_group) for i in self.items)


def _text_search_created(target: Any, connection: Any, **kw: Any) -> None:
    textsearch.install(connection)


def _text_search_dropped(target: Any, connection: Any, **kw: Any) -> None:
    textsearch.uninstall(connection)


# The text search's index is not a model (an FTS5 table, an expression index): made with the table.
event.listen(SeizureEvent.__table__, "after_create", _text_search_created)
event.listen(SeizureEvent.__table__, "before_drop", _text_search_dropped)


class SeizureItem(Base):
    """One drug in an event: the raw quantity and unit, and the kilogram equivalent with its method."""

    __tablename__ = "seizure_items"
    __table_args__ = (UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The unique (event_id, position) index also serves look-ups by event.
    event_id: Mapped[str] = mapped_column(ForeignKey("seizure_events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    drug_code: Mapped[str] = mapped_column(String(80), index=True)
    drug_group: Mapped[str | None] = mapped_column(String(80))
    drug_text: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[float | None] = mapped_column(Float)
    unit_code: Mapped[str | None] = mapped_column(String(40))
    unit_text: Mapped[str | None] = mapped_column(String(100))
    purity: Mapped[float | None] = mapped_column(Float)
    kg: Mapped[float | None] = mapped_column(Float)
    kg_method: Mapped[str | None] = mapped_column(Text)
    kg_exact: Mapped[bool] = mapped_column(Boolean, default=True)

    event: Mapped[SeizureEvent] = relationship(back_populates="items")


class ReferenceTotal(Base):
    """A total a country reported for a drug and a year (UNODC's annual tables): reference data.

    Shared by every agency of the instance and never edited by hand: ``astara reference import``
    replaces a source's rows as a whole. ``drug_group`` and ``drug_code`` are vocabulary codes when
    the source's name resolves, ``drug_text`` is the name as the source gives it.
    """

    __tablename__ = "reference_totals"
    __table_args__ = (
        UniqueConstraint("source", "country", "year", "drug_text"),
        Index("ix_reference_country_year", "country", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(60))
    country: Mapped[str] = mapped_column(String(2))
    year: Mapped[int] = mapped_column(Integer)
    drug_group: Mapped[str | None] = mapped_column(String(80))
    drug_code: Mapped[str | None] = mapped_column(String(80))
    drug_text: Mapped[str] = mapped_column(String(300))
    kg: Mapped[float] = mapped_column(Float)


class _Nominal:
    """Columns every nominal entity shares: its owner agency and when it was recorded."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Person(_Nominal, Base):
    __tablename__ = "persons"

    name: Mapped[str] = mapped_column(String(300))
    birth_date: Mapped[str | None] = mapped_column(String(10))  # YYYY or YYYY-MM-DD
    nationality: Mapped[str | None] = mapped_column(String(2))
    id_number: Mapped[str | None] = mapped_column(String(64))
    script_hint: Mapped[str | None] = mapped_column(String(10))


class Organization(_Nominal, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(2))
    registration: Mapped[str | None] = mapped_column(String(64))


class Vehicle(_Nominal, Base):
    __tablename__ = "vehicles"

    plate: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    vin: Mapped[str | None] = mapped_column(String(17))
    make: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str | None] = mapped_column(String(20))  # truck | trailer | car | bus | vessel ...


class Phone(_Nominal, Base):
    __tablename__ = "phones"

    number: Mapped[str] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))


class Document(_Nominal, Base):
    __tablename__ = "documents"

    doc_type: Mapped[str] = mapped_column(String(40))  # passport | national_id | bill_of_lading ...
    number: Mapped[str] = mapped_column(String(64))
    issuing_country: Mapped[str | None] = mapped_column(String(2))


class EventEntityLink(Base):
    """A nominal entity's role in an event (driver, owner, courier, consignee...)."""

    __tablename__ = "event_entity_links"
    __table_args__ = (UniqueConstraint("event_id", "entity_type", "entity_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("seizure_events.id", ondelete="CASCADE"), index=True)
    entity_type: Mapped[str] = mapped_column(String(20))  # person | organization | vehicle | phone | document
    entity_id: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(40))


NOMINAL_MODELS: dict[str, type[_Nominal]] = {
    "person": Person,
    "organization": Organization,
    "vehicle": Vehicle,
    "phone": Phone,
    "document": Document,
}


# ---------------------------------------------------------------------------------------------------
# Sharing between agencies (astara.sharing): partners, agreements, the outbox feed, records received
# from partners, receipts, sync state and the tamper-evident audit chain. Every table is agency-owned.
# ---------------------------------------------------------------------------------------------------


class SharingPartner(Base):
    """A partner agency's instance: where its feed is and the Ed25519 public key it signs with."""

    __tablename__ = "sharing_partners"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # the partner agency's code
    name: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(String(500))  # None: an air-gapped partner (bundles only)
    public_key: Mapped[str] = mapped_column(String(100))  # raw Ed25519 key, base64
    fingerprint: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SharingAgreement(Base):
    """A cooperation agreement as policy: the validated document, with the partner it names."""

    __tablename__ = "sharing_agreements"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(80))
    partner_code: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SharingOutbox(Base):
    """One change queued for one partner (a record version or a retraction); ``id`` is the feed cursor.

    The entry is written in the same transaction as the change; it is signed when served.
    """

    __tablename__ = "sharing_outbox"
    __table_args__ = (Index("ix_outbox_agency_partner_id", "agency_id", "partner_code", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    partner_code: Mapped[str] = mapped_column(String(32))
    agreement_code: Mapped[str] = mapped_column(String(80))
    record_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # record | retraction
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SharingReceived(Base):
    """A record version received from a partner, kept in the partner's namespace with its provenance."""

    __tablename__ = "sharing_received"
    __table_args__ = (UniqueConstraint("agency_id", "partner_code", "record_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    partner_code: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    cursor: Mapped[int] = mapped_column(Integer)
    agreement_code: Mapped[str] = mapped_column(String(80))
    tlp: Mapped[str] = mapped_column(String(20))
    handling_code: Mapped[str | None] = mapped_column(String(10))
    onward_sharing: Mapped[str] = mapped_column(String(20))
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    clauses: Mapped[dict[str, Any]] = mapped_column(default=dict)
    signature: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    retracted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    retraction_reason: Mapped[str | None] = mapped_column(String(500))


class SharingReceipt(Base):
    """A signed acknowledgement that a retraction was applied: issued by us, or received from a partner."""

    __tablename__ = "sharing_receipts"
    __table_args__ = (UniqueConstraint("agency_id", "partner_code", "direction", "cursor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    partner_code: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(10))  # issued | received
    cursor: Mapped[int] = mapped_column(Integer)  # the retraction's feed cursor
    record_id: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    signature: Mapped[str] = mapped_column(String(100))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SharingSyncState(Base):
    """Per partner: how far we have pulled their feed, how far they have pulled ours, and errors."""

    __tablename__ = "sharing_sync_state"
    __table_args__ = (UniqueConstraint("agency_id", "partner_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    partner_code: Mapped[str] = mapped_column(String(32))
    pulled_cursor: Mapped[int] = mapped_column(Integer, default=0)  # their feed, applied up to here
    acked_cursor: Mapped[int] = mapped_column(Integer, default=0)  # our feed, confirmed up to here
    received_count: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column()  # the newest audit checkpoint they sent
    checkpoint_warning: Mapped[str | None] = mapped_column(Text)  # it went backwards: set until cleared


class AuditEntry(Base):
    """One link of an agency's tamper-evident audit chain; ``entry_hash`` covers it and ``prev_hash``."""

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("agency_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(32))  # ISO time, as hashed
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # send | receipt | receive | view | retraction | hit ...
    partner_code: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


# ---------------------------------------------------------------------------------------------------
# News review (astara.news): articles read from news and press releases, the draft seizure events
# extracted from them awaiting an analyst's decision, and the articles behind each seizure event.
# ---------------------------------------------------------------------------------------------------


class NewsArticle(Base):
    """One ingested article: where it came from, its text and the text's SHA-256 (ingested once)."""

    __tablename__ = "news_articles"
    __table_args__ = (UniqueConstraint("agency_id", "text_hash"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200))  # the feed's id or the file name
    url: Mapped[str | None] = mapped_column(String(1000))
    outlet: Mapped[str | None] = mapped_column(String(200))
    published: Mapped[dt.date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(8))
    source_type: Mapped[str] = mapped_column(String(40), default="news")  # news | press_release
    text_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    ingested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class NewsDraft(Base):
    """One incident read from an article (its drugs as items), waiting for an analyst's decision.

    ``status``: open | accepted | rejected | merged. Accepted: ``event_id`` is the seizure created;
    merged: ``event_id`` is the seizure it was merged into, or ``merged_into`` the open draft.
    """

    __tablename__ = "news_drafts"
    __table_args__ = (Index("ix_news_drafts_agency_status", "agency_id", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    article_id: Mapped[str] = mapped_column(ForeignKey("news_articles.id"), index=True)
    incident: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="open")
    date: Mapped[str | None] = mapped_column(String(10))  # YYYY, YYYY-MM or YYYY-MM-DD
    country: Mapped[str | None] = mapped_column(String(2))
    place: Mapped[str | None] = mapped_column(String(500))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)  # event fields, items, quotes, evidence
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    event_id: Mapped[str | None] = mapped_column(String(32), index=True)
    merged_into: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(1000))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class NewsSource(Base):
    """An article behind a seizure event: the one it was accepted from, or one merged in later."""

    __tablename__ = "news_sources"
    __table_args__ = (UniqueConstraint("agency_id", "event_id", "article_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("seizure_events.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("news_articles.id"))
    draft_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(12))  # accepted | merged
    quote: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# ---------------------------------------------------------------------------------------------------
# Matching store (astara.matching.store, astara.matching.watch): blocking keys of entities, received
# entities and watch-list entries; analysts' judgements (insert-only); watch lists, entries and alerts.
# ---------------------------------------------------------------------------------------------------


class MatchKey(Base):
    """One blocking key of one entity (source ``store``), received entity (``received``) or watch-list
    entry (``watch``): a candidate query reads only the rows that share a key with its record."""

    __tablename__ = "match_keys"
    __table_args__ = (
        Index("ix_match_keys_lookup", "agency_id", "kind", "key", "source"),
        Index("ix_match_keys_entity", "agency_id", "source", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(20))  # person | vehicle | organization
    source: Mapped[str] = mapped_column(String(10))  # store | received | watch
    entity_id: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(120))


class MatchKeyVersion(Base):
    """Which version of :mod:`astara.matching.keys` wrote the store's ``match_keys`` (one row): a store
    whose keys are older is rekeyed by ``astara db upgrade``, since a query's keys must meet them."""

    __tablename__ = "match_key_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    version: Mapped[int] = mapped_column(Integer)


class MatchJudgement(Base):
    """An analyst's judgement of a pair (same | not_same | unsure); insert-only, the latest one counts."""

    __tablename__ = "match_judgements"
    __table_args__ = (
        Index("ix_match_judgements_pair", "agency_id", "entity_a", "entity_b"),
        Index("ix_match_judgements_b", "agency_id", "entity_b"),  # judgements naming an entity, either side
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(20))
    entity_a: Mapped[str] = mapped_column(String(80))  # the smaller reference of the pair
    entity_b: Mapped[str] = mapped_column(String(80))
    verdict: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(1000), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Identity(Base):
    """A resolved identity: entities of one kind the resolver grouped (two members or more), the
    edges that joined them (judgement, identifier or matcher decision) and when it was formed."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("agency_id", "kind", "identity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    identity_id: Mapped[str] = mapped_column(String(80))  # its smallest member reference
    members: Mapped[list[Any]] = mapped_column(JSON)
    evidence: Mapped[list[Any]] = mapped_column(JSON)
    resolved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IdentityMember(Base):
    """Which identity an entity belongs to (entities alone in their identity have no row)."""

    __tablename__ = "identity_members"
    __table_args__ = (
        UniqueConstraint("agency_id", "kind", "entity_id"),
        Index("ix_identity_members_identity", "agency_id", "kind", "identity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(80))
    identity_id: Mapped[str] = mapped_column(String(80))


class IdentityConflict(Base):
    """A join the resolver refused: a ``same`` judgement across a ``not_same`` one, or a shared strong
    identifier on records that contradict each other; listed for an analyst."""

    __tablename__ = "identity_conflicts"
    __table_args__ = (
        Index("ix_identity_conflicts_a", "agency_id", "kind", "entity_a"),
        Index("ix_identity_conflicts_b", "agency_id", "kind", "entity_b"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    entity_a: Mapped[str] = mapped_column(String(80))
    entity_b: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    found_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WatchList(Base):
    __tablename__ = "watch_lists"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(1000), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WatchEntry(Base):
    """A person, vehicle or organization on a watch list; removal is recorded, not deleted."""

    __tablename__ = "watch_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("watch_lists.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    label: Mapped[str] = mapped_column(String(300))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class MatchAlert(Base):
    """A new or received record whose entity matched a watch-list entry, with the explanation."""

    __tablename__ = "match_alerts"
    __table_args__ = (Index("ix_match_alerts_status", "agency_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    list_id: Mapped[int] = mapped_column(ForeignKey("watch_lists.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("watch_entries.id"))
    kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(80))
    event_id: Mapped[str | None] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(20))  # service | import | received
    label: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | acknowledged
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# ---------------------------------------------------------------------------------------------------
# Sharing hardening (astara.sharing, migration 0008): partner request nonces (replays refused) and
# the audit chain's anchor (its head, kept apart, so a deleted newest entry is detected; the row is
# also the lock that serialises concurrent appends on PostgreSQL).
# ---------------------------------------------------------------------------------------------------


class SharingNonce(Base):
    """A partner request's nonce, kept while its signed time is within the allowed clock skew."""

    __tablename__ = "sharing_nonces"
    __table_args__ = (UniqueConstraint("agency_id", "partner_code", "nonce"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    partner_code: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class SharingRefusal(Base):
    """Unauthenticated partner requests refused in one minute from one client, counted (not one audit
    entry each); ``logged`` once the minute is over and its count is in the audit chain."""

    __tablename__ = "sharing_refusals"
    __table_args__ = (UniqueConstraint("agency_id", "window", "route", "partner_code", "client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    window: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # the minute it started
    route: Mapped[str] = mapped_column(String(40))
    partner_code: Mapped[str] = mapped_column(String(32))  # as claimed by the request
    client: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")  # the first refusal's
    logged: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditAnchor(Base):
    """The head of an agency's audit chain: the last entry's number and hash."""

    __tablename__ = "audit_anchors"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))


class Job(Base):
    """Work done off the request path (a partner pull, a large import): queued, claimed by one runner,
    run acting as the user who asked for it, its progress and outcome kept for them to read.

    A runner claims a job by a conditional UPDATE that sets ``claim_token``; every later write of
    that run is conditional on the token, so a job taken back from a runner that stopped answering
    (no ``heartbeat_at`` for a while) cannot be finished by it too.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # random: the address of its page
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    progress_message: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SavedSearch(Base):
    """A user's named seizure-list query (filters, text search, period, sort), as its URL query."""

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_searches_user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StoreVersion(Base):
    """Where an agency's seizure data stands: moved by every write of it, in the writing transaction
    (:mod:`astara.db.versions`), so a figure cached under it is known stale by any process."""

    __tablename__ = "store_versions"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class SnapshotPart(Base):
    """Per part of the columnar snapshot (an agency's events of one import, or not imported: ``""``),
    how many times its stored rows changed; counted by SQLite triggers (:mod:`astara.db.snapshot_log`)."""

    __tablename__ = "snapshot_parts"

    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    import_job: Mapped[str] = mapped_column(String(32), primary_key=True)
    changes: Mapped[int] = mapped_column(BigInteger, default=0)


def _snapshot_log_created(target: Any, connection: Any, **kw: Any) -> None:
    snapshot_log.install(connection)


# The triggers name three tables: made once all tables are.
event.listen(Base.metadata, "after_create", _snapshot_log_created)
