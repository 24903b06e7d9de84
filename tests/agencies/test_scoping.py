"""Agency A cannot see or change agency B's records, for every resource there is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope, scoped
from astara.auth import sessions
from astara.auth.service import create_token
from astara.db.engine import transaction
from astara.db.models import (
    NOMINAL_MODELS,
    Base,
    EventEntityLink,
    ImportJob,
    SeizureEvent,
    SharingAgreement,
    SharingOutbox,
    SharingPartner,
    SharingReceipt,
    SharingReceived,
    SharingSyncState,
    User,
)
from astara.errors import NotFound
from astara.seizures import service
from astara.seizures.schemas import SeizureCreate, SeizureItemIn

AGENCY_OWNED = [m for m in Base.__subclasses__() if "agency_id" in m.__table__.columns] + list(
    NOMINAL_MODELS.values()
)


def _seizure(reference: str) -> SeizureCreate:
    return SeizureCreate(
        reference=reference,
        date="2018-03-02",
        country="AZ",
        items=[SeizureItemIn(drug="heroin", quantity=260, unit="kg")],
    )


def _sharing_rows(session: Any, scope: Scope, event_id: str) -> None:
    """One row of each sharing table for agency A (partners, agreements, outbox, received, receipts...)."""
    from astara.sharing import audit

    key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    session.add(SharingPartner(agency_id=scope.agency_id, code="IR-ANP", public_key=key, fingerprint="F"))
    session.add(SharingAgreement(agency_id=scope.agency_id, code="AZ-IR", partner_code="IR-ANP", title="t",
                                 valid_from=dt.date(2024, 1, 1), document={}))  # fmt: skip
    session.add(SharingOutbox(agency_id=scope.agency_id, partner_code="IR-ANP", agreement_code="AZ-IR",
                              record_id=event_id, version=1, kind="record",
                              content_hash="0" * 64))  # fmt: skip
    session.add(SharingReceived(agency_id=scope.agency_id, partner_code="IR-ANP", record_id="r1", version=1,
                                cursor=1, agreement_code="AZ-IR", tlp="amber", onward_sharing="forbidden",
                                signature="s"))  # fmt: skip
    session.add(SharingReceipt(agency_id=scope.agency_id, partner_code="IR-ANP", direction="issued", cursor=1,
                               record_id="r1", signature="s"))  # fmt: skip
    session.add(SharingSyncState(agency_id=scope.agency_id, partner_code="IR-ANP"))
    from astara.db.models import SharingNonce

    session.add(SharingNonce(agency_id=scope.agency_id, partner_code="IR-ANP", nonce="n" * 32,
                             seen_at=dt.datetime(2026, 1, 1)))  # fmt: skip
    from astara.sharing import repository

    repository.count_refusal(session, scope, dt.datetime(2026, 1, 1), "/feed", "IR-ANP", "10.0.0.1", "r")
    session.flush()
    audit.append(session, scope, "view", partner="IR-ANP", record="r1")


def _news_rows(session: Any, scope: Scope, event_id: str) -> None:
    """An article of agency A, its draft, and the article as the source of A's event."""
    from astara.db.models import NewsArticle, NewsDraft, NewsSource

    session.add(NewsArticle(id="article-a", agency_id=scope.agency_id, text_hash="0" * 64, text="t"))
    session.flush()
    session.add(NewsDraft(id="draft-a", agency_id=scope.agency_id, article_id="article-a"))
    session.add(NewsSource(agency_id=scope.agency_id, event_id=event_id, article_id="article-a",
                           draft_id="draft-a", role="accepted"))  # fmt: skip


def _matching_rows(session: Any, scope: Scope) -> None:
    """A watch list with an entry, an alert, a judgement and match keys of agency A (astara.matching)."""
    from astara.matching import store, watch

    watch.create_list(session, scope, "couriers")
    born = "1971-05-05"
    watch.add_entry(session, scope, "couriers", "person", {"name": "Məmməd Rzayev", "birth_date": born})
    other, _ = store.create_entity(session, scope, "person", {"name": "Мамед Рзаев", "birth_date": born})
    store.judge(session, scope, "person", "person-a", other.id, "unsure")
    store.judge(session, scope, "person", "person-a", other.id, "same")  # an identity
    for born in ("1980-01-01", "1981-02-02"):  # one passport, two birth dates: an identity conflict
        fields = {"name": "Ali Aliyev", "birth_date": born, "nationality": "AZ", "id_number": "C1234567"}
        store.create_entity(session, scope, "person", fields)


def test_every_agency_owned_table_is_listed() -> None:
    names = {m.__tablename__ for m in AGENCY_OWNED}
    assert {
        "seizure_events",
        "import_jobs",
        "persons",
        "vehicles",
        "event_entity_links",
        "users",
        "api_tokens",
        "web_sessions",
        "sharing_partners",
        "sharing_agreements",
        "sharing_outbox",
        "sharing_received",
        "sharing_receipts",
        "sharing_sync_state",
        "audit_log",
        "jobs",
        "saved_searches",
    } <= names


@pytest.mark.parametrize("model", AGENCY_OWNED, ids=lambda m: m.__tablename__)
def test_scoped_queries_never_return_another_agencys_rows(
    engine: Engine, scope: Scope, scope_b: Scope, model: type
) -> None:
    with transaction(engine) as session:
        event_a = service.create_seizure(session, scope, _seizure("A-1"), today=dt.date(2026, 1, 1))
        session.add(
            ImportJob(
                id="job-a",
                agency_id=scope.agency_id,
                file_name="f",
                file_sha256="0" * 64,
                mapping="astara",
                status="completed",
            )
        )
        for kind, cls in NOMINAL_MODELS.items():
            fields = {
                "person": {"name": "Məmməd Rzayev"},
                "organization": {"name": "Araz MMC"},
                "vehicle": {"plate": "10-AB-123"},
                "phone": {"number": "+994501234567"},
                "document": {"doc_type": "passport", "number": "C01234567"},
            }[kind]
            session.add(cls(id=f"{kind}-a", agency_id=scope.agency_id, **fields))
        create_token(session, scope, "scoping test")
        from astara.jobs.service import enqueue

        enqueue(session, scope, "sharing.pull", {"partner": "IR-ANP"})
        sessions.start(session, session.get(User, scope.user_id))
        session.add(
            EventEntityLink(
                agency_id=scope.agency_id,
                event_id=event_a.id,
                entity_type="person",
                entity_id="person-a",
                role="driver",
            )
        )
        _sharing_rows(session, scope, event_a.id)
        _news_rows(session, scope, event_a.id)
        _matching_rows(session, scope)
        from astara.searches import service as searches

        searches.save(session, scope, "Astara heroin", "q=Astara&drug=heroin")
    with transaction(engine) as session:
        rows_a = session.scalars(scoped(select(model), model, scope)).all()
        rows_b = session.scalars(scoped(select(model), model, scope_b)).all()
    assert rows_a and all(r.agency_id == scope.agency_id for r in rows_a)
    assert all(r.agency_id == scope_b.agency_id for r in rows_b)


def test_agency_b_cannot_read_or_list_agency_a_seizures(engine: Engine, scope: Scope, scope_b: Scope) -> None:
    with transaction(engine) as session:
        created = service.create_seizure(session, scope, _seizure("A-1"), today=dt.date(2026, 1, 1))
    with transaction(engine) as session:
        assert service.get_seizure(session, scope, created.id).reference == "A-1"
        with pytest.raises(NotFound):
            service.get_seizure(session, scope_b, created.id)
        assert service.list_seizures(session, scope_b).total == 0
        assert session.get(SeizureEvent, created.id) is not None  # it exists; B just cannot see it
