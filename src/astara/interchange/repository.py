"""The queries of interchange: resolved identities, and the documents an import links to its events."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.models import Document, EventEntityLink, MatchJudgement


def same_pairs(session: Session, scope: Scope) -> list[tuple[str, str]]:
    """Pairs of stored entities whose latest judgement is ``same`` (received and watch-list refs left out)."""
    latest: dict[tuple[str, str], str] = {}
    stmt = scoped(select(MatchJudgement), MatchJudgement, scope).order_by(MatchJudgement.id)
    for row in session.scalars(stmt):
        latest[(row.entity_a, row.entity_b)] = row.verdict
    return [
        (a, b)
        for (a, b), verdict in latest.items()
        if verdict == "same" and a[:1] not in ("r", "w") and b[:1] not in ("r", "w")  # (stored ids are hex)
    ]


def add_document(
    session: Session, scope: Scope, document_id: str, values: dict[str, str | None], event_id: str, role: str
) -> None:
    """Store a document (when new) and link it to ``event_id`` under ``role``."""
    if session.get(Document, document_id) is None:
        session.add(Document(id=document_id, agency_id=scope.agency_id, **values))
    session.add(
        EventEntityLink(
            agency_id=scope.agency_id,
            event_id=event_id,
            entity_type="document",
            entity_id=document_id,
            role=role,
        )
    )
    session.flush()
